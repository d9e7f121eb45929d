package io.pgobserver.adapters.tracing.otel;

import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.TraceContext;
import io.pgobserver.domain.trace.Tracer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ConsoleTreeExporterTest {

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final Tracer tracer = OtelSdk.create(TestSettings.ON, TestSettings.tracing("console", null, "grpc", 1.0),
            TestSettings.NO_METRICS, new PrintStream(printed, true, StandardCharsets.UTF_8)).tracer();

    private List<String> lines() {
        return printed.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void printsTheWholeTreeIndentedWhenTheRootEnds() {
        TraceContext writer = SampleTrace.writer(true);
        SampleTrace.run(tracer, writer);

        List<String> lines = lines();
        assertThat(lines).hasSize(8);
        assertThat(lines.get(0)).isEqualTo("trace " + writer.traceId() + " (parent " + writer.spanId() + ")"
                + " service pg-observer-test");
        assertThat(lines.get(1)).matches("process_event \\[\\d+\\.\\d{3} ms] CONSUMER checkpoint_offset=42 "
                + "entity_type=public.orders event_id=7f9c2ba4-e88f-11e4-a4f6-2b7e2d2b1c9a kind=updated");
        assertThat(lines.get(2)).startsWith("├─ load_checkpoint [").endsWith("] recovered_from_checkpoint=false");
        assertThat(lines.get(3)).startsWith("├─ evaluate_condition [").endsWith("condition_matched=true observer=order_shipped");
        assertThat(lines.get(4)).startsWith("├─ execute_actions [").endsWith("action_count=1 observer=order_shipped");
        assertThat(lines.get(5)).startsWith("│  └─ execute_action [").contains("] CLIENT action_type=webhook")
                .contains("http_status=200");
        assertThat(lines.get(6)).startsWith("├─ save_checkpoint [").endsWith("checkpoint_offset=42");
        assertThat(lines.get(7)).startsWith("└─ export_metrics [");
    }

    @Test
    void nothingIsPrintedUntilTheRootEnds() {
        Span root = tracer.startTrace("process_event", TraceContext.NONE, SpanKind.INTERNAL);
        tracer.startSpan("load_checkpoint", root, SpanKind.INTERNAL).end();
        assertThat(lines()).isEmpty();

        root.recordError("event not finished: boom", new IllegalStateException("boom"));
        root.end();
        assertThat(lines()).hasSize(3);
        assertThat(lines().get(1)).contains("process_event [").contains(" ERROR ").contains("error=\"event not finished: boom\"");
    }

    @Test
    void aLinkedTraceNamesTheOriginal() {
        TraceContext original = SampleTrace.writer(true);
        tracer.startLinkedTrace("replay_dead_letter", original, SpanKind.INTERNAL).end();
        assertThat(lines().get(0)).contains(" (linked to " + original.traceId() + ") ");
    }

    @Test
    void treesOfOneTracePrintEachWhenItsOwnRootEndsAndAReceiverPrintsAsItsOwnService() {
        TraceContext writer = SampleTrace.writer(true);
        Span first = tracer.startTrace("process_event", writer, SpanKind.CONSUMER);
        Span second = tracer.startTrace("process_event", writer, SpanKind.CONSUMER);
        Span webhook = tracer.startSpan("execute_action", first, SpanKind.CLIENT);
        tracer.startSpan("evaluate_condition", second, SpanKind.INTERNAL).end();
        // The receiver, in this process as the demo's is, continues the webhook's traceparent.
        tracer.forService("demo-receiver").startTrace("POST /hooks/orders", webhook.context(), SpanKind.SERVER).end();
        webhook.end();
        first.end();

        List<String> lines = lines();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).isEqualTo(
                "trace " + writer.traceId() + " (parent " + webhook.context().spanId() + ") service demo-receiver");
        assertThat(lines.get(1)).startsWith("POST /hooks/orders [").endsWith("] SERVER");
        assertThat(lines.get(2)).isEqualTo("trace " + writer.traceId() + " (parent " + writer.spanId() + ")"
                + " service pg-observer-test");
        assertThat(lines.get(3)).startsWith("process_event [");
        assertThat(lines.get(4)).startsWith("└─ execute_action [");

        second.end();
        assertThat(lines()).hasSize(8).element(6).asString().startsWith("process_event [");
        assertThat(lines()).element(7).asString().startsWith("└─ evaluate_condition [");
    }

    @Test
    void withOnlyErrorsTheConsolePrintsOnlyTreesWithAnError() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExportSettings settings = new ExportSettings("svc", "console", null, "grpc", 1.0, TestSettings.QUICK, null,
                null, true, null, true);
        OtelSdk sdk = OtelSdk.create(TestSettings.ON, settings, TestSettings.NO_METRICS, new PrintStream(out, true, StandardCharsets.UTF_8));
        SampleTrace.run(sdk.tracer(), SampleTrace.writer(true));
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();

        Span root = sdk.tracer().startTrace("process_event", TraceContext.NONE, SpanKind.CONSUMER);
        sdk.tracer().startSpan("execute_action", root, SpanKind.CLIENT).recordError("HTTP 503", null).end();
        root.end();
        assertThat(out.toString(StandardCharsets.UTF_8).lines().toList()).hasSize(3)
                .anySatisfy(line -> assertThat(line).contains("execute_action [").contains("ERROR"));
        assertThat(sdk.onlyErrorsProcessors()).singleElement().satisfies(p -> assertThat(p.heldSpans()).isZero());
        sdk.stop();
    }
}
