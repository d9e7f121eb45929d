package io.pgobserver.benchmarks;

import io.pgobserver.domain.port.ActionExecutor;
import io.pgobserver.domain.port.ActionRequest;
import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.testing.TestAction;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.TraceContext;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * A webhook executor without the network: it makes the tracing calls the real one makes (its span attributes
 * when recording, the {@code traceparent} header from {@code propagationContext}) and returns success, so a
 * benchmark of {@code ProcessEvent} measures the use case and its tracing, not HTTP. Single-threaded use only.
 */
final class InMemoryWebhookExecutor implements ActionExecutor {

    private static final ActionResult OK = ActionResult.success("HTTP 200");

    private final Map<String, URI> urls = new HashMap<>();
    private long executed;
    private String lastTraceparent;
    private String lastDeliveryId;

    @Override
    public String type() {
        return "webhook";
    }

    @Override
    public ActionResult execute(ActionRequest request, Span span) {
        if (span.isRecording()) {
            // Parsed once per action, as the real executor prepares its actions at validation.
            URI url = urls.computeIfAbsent(((TestAction) request.action()).target(), URI::create);
            span.setAttribute("action_type", "webhook")
                    .setAttribute("target_url", url.toString())
                    .setAttribute("http_method", "POST")
                    .setAttribute("http.request.method", "POST")
                    .setAttribute("url.full", url.toString())
                    .setAttribute("server.address", url.getHost())
                    .setAttribute("server.port", url.getPort());
        }
        TraceContext context = span.propagationContext(request.event().traceContext());
        if (context.isValid()) {
            lastTraceparent = context.traceparent();
        }
        lastDeliveryId = request.deliveryId();
        executed++;
        if (span.isRecording()) {
            span.setAttribute("http_status", 200)
                    .setAttribute("http.response.status_code", 200)
                    .setAttribute("response_time_ms", 0L);
        }
        return OK;
    }

    long executed() {
        return executed;
    }

    /** The header the last request would have carried; read so the JIT cannot drop its formatting. */
    String lastTraceparent() {
        return lastTraceparent;
    }

    /** The last request's delivery id (its {@code webhook-id} header). */
    String lastDeliveryId() {
        return lastDeliveryId;
    }
}
