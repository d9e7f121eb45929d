package io.pgobserver.bootstrap.faults;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A web server on another port, so another origin than the console's: it plays the trace UI the console links to
 * ({@code /trace/ID} answers a page naming the id) and a hostile site whose page posts a replay form to the console
 * on load ({@code /attack}).
 */
final class OtherSite implements AutoCloseable {

    private final HttpServer server;
    private volatile String attack = "";

    OtherSite() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/trace/", exchange -> html(exchange, "<!doctype html><title>trace</title><h1 id=\"trace\">"
                + exchange.getRequestURI().getPath().substring("/trace/".length()).replaceAll("[^0-9a-f]", "")
                + "</h1>"));
        server.createContext("/attack", exchange -> html(exchange, attack));
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** The hostile page: a form that posts {@code fields} to {@code action} as soon as it loads. */
    void attack(String action, String token, long letterId) {
        attack = "<!doctype html><title>prize</title><form id=\"f\" method=\"post\" action=\"" + action + "\">"
                + "<input name=\"token\" value=\"" + token + "\"><input name=\"id\" value=\"" + letterId + "\">"
                + "</form><script>document.getElementById('f').submit()</script>";
    }

    private static void html(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
