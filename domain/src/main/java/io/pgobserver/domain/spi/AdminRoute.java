package io.pgobserver.domain.spi;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Pages an adapter serves on the admin port, beside {@code /health}: the console's {@code /console}. The core runs
 * the HTTP server and hands each request under {@link #prefix()} to the route, so an adapter adds pages without an
 * HTTP server of its own and without the core naming it. Adapters add theirs to a Guice set binder of
 * {@code AdminRoute}; the short admin commands ({@code status}, {@code dlq}) start no admin server, so no route runs
 * there.
 */
public interface AdminRoute {

    /** The path this route answers under, such as {@code /console}: it gets that path and every one below it. */
    String prefix();

    /**
     * Checks, before the admin server serves this route, what the route needs of this machine (the console, that
     * its address is one of this machine's). Called only where the route will be served ({@code run}), before it
     * waits for anything: the admin commands serve no route, so such settings cannot stop them.
     *
     * @throws IllegalArgumentException naming the setting that makes the route unusable here, and the fix
     */
    default void check() {
    }

    /**
     * Where a browser opens this route once the admin server serves it on {@code port}, for {@code run}'s log; empty
     * when the route serves nothing (switched off in its settings), so that the log names no page that answers 404.
     * By default the prefix on this host's loopback address.
     */
    default Optional<String> page(int port) {
        return Optional.of("http://127.0.0.1:" + port + prefix());
    }

    /**
     * Answers one request. Called on a virtual thread per request.
     *
     * @throws Exception for a failure of the route itself: the server answers 500 and logs it
     */
    Response handle(Request request) throws Exception;

    /**
     * One request.
     *
     * @param method  {@code GET}, {@code POST}, ...
     * @param path    the decoded path, such as {@code /console/dead-letters/12}
     * @param query   the raw query string, or empty
     * @param headers request headers, names in lower case, the first value of each
     * @param body    the request body (admin requests are small: the server reads at most 1 MiB)
     * @param local   the address the request arrived on (which interface)
     * @param remote  the peer's address
     */
    record Request(String method, String path, String query, Map<String, String> headers, byte[] body,
                   InetSocketAddress local, InetSocketAddress remote) {
        public Request {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(path, "path");
            query = query == null ? "" : query;
            headers = Map.copyOf(headers);
            body = body == null ? new byte[0] : body;
        }

        /** A header's value, by its lower-case name; null when absent. */
        public String header(String name) {
            return headers.get(name);
        }
    }

    /**
     * One answer.
     *
     * @param status      the HTTP status
     * @param contentType its {@code Content-Type}
     * @param headers     further headers (such as {@code Cache-Control}, {@code Location})
     * @param body        the body
     */
    record Response(int status, String contentType, List<Map.Entry<String, String>> headers, byte[] body) {
        public Response {
            Objects.requireNonNull(contentType, "contentType");
            headers = List.copyOf(headers);
            body = body == null ? new byte[0] : body;
        }
    }
}
