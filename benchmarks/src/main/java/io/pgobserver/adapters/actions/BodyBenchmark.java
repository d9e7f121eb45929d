package io.pgobserver.adapters.actions;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.event.Position;
import io.pgobserver.domain.observer.ActionSpec;
import io.pgobserver.domain.port.ActionRequest;
import io.pgobserver.domain.port.EventBody;
import io.pgobserver.domain.trace.TraceContext;
import io.pgobserver.templates.JsonTemplate;
import io.pgobserver.templates.Templates;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A webhook's body for one event, as the executor makes it per attempt: {@code event} is the event's JSON (no
 * {@code body} set), {@code row} a {@code body: "{{after}}"}, {@code shape} a document of the receiver's own (a
 * PagerDuty alert: constants, two text templates, a number and the row), {@code form} the same fields as a form
 * ({@code body_format: form}). The row is an order with four {@code numeric} columns, two integers and four texts,
 * as in {@code RowImageBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BodyBenchmark {

    private ActionRequest request;
    private JsonTemplate row;
    private JsonTemplate shape;
    private JsonTemplate form;

    @Setup
    public void setUp() {
        Map<String, Object> after = new LinkedHashMap<>();
        after.put("id", 4711L);
        after.put("customer", "ada");
        after.put("status", "failed");
        after.put("total", new BigDecimal("120.50"));
        after.put("price", new BigDecimal("19.99"));
        after.put("tax_rate", new BigDecimal("0.0825"));
        after.put("discount", new BigDecimal("0.00"));
        after.put("qty", 6L);
        after.put("currency", "EUR");
        after.put("note", "leave at the door");
        ChangeEvent event = new ChangeEvent("e-1", new Position(1, 1), "public.orders", "4711", ChangeKind.UPDATED,
                Map.of(), Map.copyOf(after), Instant.parse("2026-01-01T00:00:00Z"), TraceContext.NONE);
        ActionSpec action = new WebhookAction(java.net.URI.create("https://events.example.com/v2/enqueue"), null);
        request = new ActionRequest(event, "payment_failed", action, 0, 1, "msg_1");
        row = Templates.json("bench: body", "{{after}}");
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("summary", "Payment {{after.id}} for {{after.customer}} failed: {{after.note}}");
        payload.put("source", "pg-observer");
        payload.put("severity", "error");
        payload.put("total", "{{after.total}}");
        payload.put("custom_details", "{{after}}");
        Map<String, Object> alert = new LinkedHashMap<>();
        alert.put("routing_key", "r0uting-key");
        alert.put("event_action", "trigger");
        alert.put("dedup_key", "order-{{after.id}}");
        alert.put("payload", payload);
        shape = Templates.json("bench: body", alert);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("To", "+15550001111");
        fields.put("From", "+15550002222");
        fields.put("Body", "Payment {{after.id}} for {{after.customer}} failed: {{after.note}}");
        fields.put("Total", "{{after.total}}");
        fields.put("Tags", List.of("{{after.currency}}", "{{after.status}}"));
        form = Templates.json("bench: body", fields);
    }

    @Benchmark
    public byte[] event() {
        return EventBody.json(request);
    }

    @Benchmark
    public byte[] row() throws Exception {
        return EventBody.write(row.render(request.templateContext()));
    }

    @Benchmark
    public byte[] shape() throws Exception {
        return EventBody.write(shape.render(request.templateContext()));
    }

    @Benchmark
    public byte[] form() throws Exception {
        return FormFields.encode("bench", form.render(request.templateContext()));
    }
}
