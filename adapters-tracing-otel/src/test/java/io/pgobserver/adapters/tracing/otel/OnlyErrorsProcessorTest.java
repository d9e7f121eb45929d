package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.TraceContext;
import io.pgobserver.domain.trace.Tracer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OnlyErrorsProcessorTest {

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private SdkTracerProvider provider;
    private OnlyErrorsProcessor processor;

    private final java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();

    private Tracer tracer(double successRate, int maxHeld) {
        processor = new OnlyErrorsProcessor(SimpleSpanProcessor.create(exporter), successRate, maxHeld, now::get);
        provider = SdkTracerProvider.builder().setSampler(Sampler.parentBased(Sampler.alwaysOn()))
                .addSpanProcessor(processor).build();
        return new OtelTracer(provider.get("test"), EnumSet.allOf(Tracer.Component.class));
    }

    @AfterEach
    void close() {
        provider.close();
    }

    /** An event: a root, a condition, and one action with the given attempts, the last one succeeding or not. */
    private static void event(Tracer tracer, TraceContext writer, int attempts, boolean lastFails) {
        Span root = tracer.startTrace("process_event", writer, SpanKind.CONSUMER);
        tracer.startSpan("evaluate_condition", root, SpanKind.INTERNAL).end();
        for (int attempt = 1; attempt <= attempts; attempt++) {
            Span action = tracer.startSpan("execute_action", root, SpanKind.CLIENT, Tracer.Component.EXECUTOR);
            action.setAttribute("attempt", attempt);
            if (attempt < attempts || lastFails) {
                action.recordError("webhook returned 503", null);
            }
            action.end();
        }
        root.end();
    }

    @Test
    void aCleanEventExportsNothingAndHoldsNothingAfterItsRootEnds() {
        Tracer tracer = tracer(0.0, 100);
        event(tracer, TraceContext.NONE, 1, false);
        event(tracer, SampleTrace.writer(true), 1, false);
        assertThat(exporter.getFinishedSpanItems()).isEmpty();
        assertThat(processor.heldSpans()).isZero();
    }

    @Test
    void aRetriedEventExportsItsWholeTreeWithBothAttempts() {
        Tracer tracer = tracer(0.0, 100);
        event(tracer, SampleTrace.writer(true), 1, false);
        event(tracer, SampleTrace.writer(true), 2, false);
        List<SpanData> spans = exporter.getFinishedSpanItems();
        assertThat(spans).extracting(SpanData::getName).containsExactlyInAnyOrder("process_event",
                "evaluate_condition", "execute_action", "execute_action");
        assertThat(spans).extracting(SpanData::getTraceId).containsOnly(spans.get(0).getTraceId());
        assertThat(processor.heldSpans()).isZero();
    }

    @Test
    void aFailedEventIsExportedAndSuccessesFollowTheRate() {
        Tracer tracer = tracer(0.5, 100);
        event(tracer, TraceContext.NONE, 1, true);
        long errorTrees = exporter.getFinishedSpanItems().stream().map(SpanData::getTraceId).distinct().count();
        assertThat(errorTrees).isEqualTo(1);
        for (int i = 0; i < 400; i++) {
            event(tracer, TraceContext.NONE, 1, false);
        }
        long kept = exporter.getFinishedSpanItems().stream().map(SpanData::getTraceId).distinct().count() - 1;
        // Trace ids are random: half of 400 kept, give or take far more than chance allows.
        assertThat(kept).isBetween(120L, 280L);
        // Kept trees are whole: three spans each.
        assertThat(exporter.getFinishedSpanItems()).hasSize((int) (kept + 1) * 3);
    }

    @Test
    void pastTheBoundSpansAreDroppedAndCountedButTheErrorStillShips() {
        Tracer tracer = tracer(0.0, 2);
        Span root = tracer.startTrace("process_event", TraceContext.NONE, SpanKind.CONSUMER);
        for (int i = 0; i < 4; i++) {
            tracer.startSpan("evaluate_condition", root, SpanKind.INTERNAL).end();
        }
        tracer.startSpan("execute_action", root, SpanKind.CLIENT).recordError("failed", null).end();
        assertThat(processor.heldSpans()).isEqualTo(2);
        root.end();

        // Two evaluate_condition spans past the bound are dropped; the failed action past it ships at once.
        assertThat(processor.droppedSpans()).isEqualTo(2);
        assertThat(exporter.getFinishedSpanItems()).extracting(SpanData::getName)
                .containsExactlyInAnyOrder("execute_action", "evaluate_condition", "evaluate_condition",
                        "process_event");
        assertThat(exporter.getFinishedSpanItems()).filteredOn(d -> d.getName().equals("execute_action"))
                .singleElement().satisfies(d -> assertThat(d.getStatus().getStatusCode())
                        .isEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR));
        assertThat(processor.heldSpans()).isZero();
    }

    @Test
    void treesWhoseRootNeverEndsGiveUpTheirPlaceOnceStale() {
        Tracer tracer = tracer(0.0, 2);
        Span abandoned = tracer.startTrace("process_event", TraceContext.NONE, SpanKind.CONSUMER);
        tracer.startSpan("evaluate_condition", abandoned, SpanKind.INTERNAL).end();
        tracer.startSpan("evaluate_condition", abandoned, SpanKind.INTERNAL).end();
        assertThat(processor.heldSpans()).isEqualTo(2);

        now.addAndGet(OnlyErrorsProcessor.STALE.toNanos());
        event(tracer, TraceContext.NONE, 1, true);

        assertThat(processor.droppedSpans()).isEqualTo(2);
        assertThat(exporter.getFinishedSpanItems()).extracting(SpanData::getName)
                .containsExactlyInAnyOrder("process_event", "evaluate_condition", "execute_action");
        assertThat(processor.heldSpans()).isZero();
    }
}
