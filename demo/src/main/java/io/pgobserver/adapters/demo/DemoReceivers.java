package io.pgobserver.adapters.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.TraceContext;
import io.pgobserver.domain.trace.Tracer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The demo's stand-ins for the services an observer talks to, all on loopback: a webhook receiver that prints
 * the {@code traceparent} it got and continues it with a SERVER span of its own service ({@value #SERVICE}), a
 * server speaking Slack's Web API and incoming-webhook shapes, and an SMTP server (GreenMail).
 */
final class DemoReceivers implements AutoCloseable {

    /** The receiver's service name in its spans. */
    static final String SERVICE = "demo-receiver";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer http;
    private final GreenMail smtp;
    private final PrintStream out;
    private volatile Tracer tracer = Tracer.noop();
    final AtomicInteger webhooks = new AtomicInteger();
    final AtomicInteger slackMessages = new AtomicInteger();
    private final AtomicInteger slackTs = new AtomicInteger();

    private DemoReceivers(HttpServer http, GreenMail smtp, PrintStream out) {
        this.http = http;
        this.smtp = smtp;
        this.out = out;
    }

    static DemoReceivers start(PrintStream out) throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        HttpServer http = HttpServer.create(new InetSocketAddress(loopback, 0), 64);
        // Port 0: the system picks a free one as it binds, and GreenMail reports it.
        GreenMail smtp = new GreenMail(new ServerSetup(0, loopback.getHostAddress(), ServerSetup.PROTOCOL_SMTP));
        DemoReceivers receivers = new DemoReceivers(http, smtp, out);
        http.createContext("/hooks/orders", receivers::webhook);
        http.createContext("/slack/api/chat.postMessage", receivers::slackApi);
        http.createContext("/slack/incoming", receivers::slackIncoming);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.start();
        smtp.start();
        return receivers;
    }

    /** Traces the webhooks received from now on with {@code tracer}, as service {@value #SERVICE}. */
    void trace(Tracer observerTracer) {
        this.tracer = observerTracer.forService(SERVICE);
    }

    String baseUrl() {
        return "http://" + http.getAddress().getAddress().getHostAddress() + ":" + http.getAddress().getPort();
    }

    String smtpHost() {
        return smtp.getSmtp().getBindTo();
    }

    int smtpPort() {
        return smtp.getSmtp().getPort();
    }

    int emails() {
        return smtp.getReceivedMessages().length;
    }

    /** What the receivers got, for the demo's last line: "4 webhooks, 1 Slack message, 2 emails received". */
    String received() {
        return counted(webhooks.get(), "webhook") + ", " + counted(slackMessages.get(), "Slack message") + ", "
                + counted(emails(), "email") + " received";
    }

    /** {@code n} and the noun, in the plural but for one: "1 email", "2 emails", "0 emails". */
    static String counted(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private void webhook(HttpExchange exchange) throws IOException {
        String traceparent = exchange.getRequestHeaders().getFirst("traceparent");
        TraceContext parent = traceparent == null ? TraceContext.NONE
                : TraceContext.parse(traceparent, exchange.getRequestHeaders().getFirst("tracestate"))
                .orElse(TraceContext.NONE);
        String path = exchange.getRequestURI().getPath();
        Span span = tracer.startTrace(exchange.getRequestMethod() + " " + path, parent, SpanKind.SERVER);
        try {
            drain(exchange.getRequestBody());
            webhooks.incrementAndGet();
            out.printf("  webhook receiver <- %s %s traceparent=%s webhook-id=%s signed=%s%n",
                    exchange.getRequestMethod(), path, traceparent,
                    exchange.getRequestHeaders().getFirst("webhook-id"),
                    exchange.getRequestHeaders().getFirst("webhook-signature") != null);
            respond(exchange, 200, "application/json", Map.of("received", true));
            span.setAttribute("http.request.method", exchange.getRequestMethod()).setAttribute("url.path", path)
                    .setAttribute("http.response.status_code", 200L);
        } finally {
            span.end();
        }
    }

    private void slackApi(HttpExchange exchange) throws IOException {
        drain(exchange.getRequestBody());
        slackMessages.incrementAndGet();
        String ts = "1700000000." + String.format("%06d", slackTs.incrementAndGet());
        respond(exchange, 200, "application/json", Map.of("ok", true, "channel", "C0DEMO", "ts", ts));
    }

    private void slackIncoming(HttpExchange exchange) throws IOException {
        drain(exchange.getRequestBody());
        slackMessages.incrementAndGet();
        respond(exchange, 200, "text/plain", "ok");
    }

    private static void drain(InputStream body) throws IOException {
        try (body) {
            body.transferTo(OutputStream.nullOutputStream());
        }
    }

    private static void respond(HttpExchange exchange, int status, String type, Map<String, Object> json)
            throws IOException {
        respond(exchange, status, type, JSON.writeValueAsString(json));
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(bytes);
        }
    }

    @Override
    public void close() {
        http.stop(0);
        smtp.stop();
    }
}
