package io.pgobserver.adapters.tracing.otel;

import io.pgobserver.domain.observer.Urls;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Jaeger's retired client protocols read as what Jaeger takes today, OTLP: the Thrift agent (UDP 6831/6832) and
 * the Thrift collector ({@code :14268/api/traces}) are gone from Jaeger 2, and OTLP sent to them is lost
 * without a word. The collector's host gets OTLP/HTTP on 4318, the agent's host OTLP/gRPC on 4317.
 */
final class JaegerEndpoints {

    static final int THRIFT_HTTP_PORT = 14268;
    static final String THRIFT_HTTP_PATH = "/api/traces";
    static final int OTLP_GRPC_PORT = 4317;
    static final int OTLP_HTTP_PORT = 4318;

    private JaegerEndpoints() {
    }

    /** Whether the URL is Jaeger's Thrift collector: port 14268 or path {@code /api/traces}. */
    static boolean isThriftCollector(String key, String url) {
        URI uri = parse(key, url);
        return uri.getPort() == THRIFT_HTTP_PORT || THRIFT_HTTP_PATH.equals(uri.getRawPath());
    }

    /** The OTLP/HTTP endpoint on the Thrift collector's host: same scheme and host, port 4318, no path. */
    static String otlpHttpFor(String key, String thriftUrl) {
        URI uri = parse(key, thriftUrl);
        return uri.getScheme() + "://" + hostOf(uri) + ":" + OTLP_HTTP_PORT;
    }

    /** The OTLP/gRPC endpoint for a Thrift agent's host. */
    static String otlpGrpcForAgent(String host) {
        String trimmed = host.trim();
        return "http://" + (trimmed.contains(":") && !trimmed.startsWith("[") ? "[" + trimmed + "]" : trimmed)
                + ":" + OTLP_GRPC_PORT;
    }

    /** The warning for a Thrift collector URL read as OTLP/HTTP, naming the keys that say it today. */
    static String thriftWarning(String key, String thriftUrl, String otlp) {
        return key + " " + Urls.redact(thriftUrl) + " is Jaeger's Thrift collector, which takes no OTLP: spans go"
                + " as OTLP/HTTP to " + otlp + " instead. Write tracing.endpoint: " + otlp
                + " and tracing.protocol: http/protobuf (or OTEL_EXPORTER_OTLP_ENDPOINT=" + otlp
                + " with OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf) to silence this.";
    }

    private static String hostOf(URI uri) {
        String host = uri.getHost();
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static URI parse(String key, String url) {
        try {
            URI uri = new URI(url.trim());
            if (uri.getHost() == null || uri.getScheme() == null
                    || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw new IllegalArgumentException(key + " must be an http(s) URL with a host, such as http://jaeger:4318");
            }
            return uri;
        } catch (URISyntaxException e) {
            // The URL may carry credentials: name the key, not the value.
            throw new IllegalArgumentException(key + " is not a valid URL: use an http(s) URL such as http://jaeger:4318");
        }
    }
}
