package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.api.trace.StatusCode;
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

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class OnlyErrorsProcessorTest {

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final AtomicLong now = new AtomicLong();
    private SdkTracerProvider provider;
    private OnlyErrorsProcessor processor;

    /** As OtelSdk assembles it: the configured sampler behind {@link RecordingSampler}, then the processor. */
    private Tracer tracer(Sampler sampler, boolean keepSampledSuccesses, int maxHeld) {
        processor = new OnlyErrorsProcessor(SimpleSpanProcessor.create(exporter), keepSampledSuccesses, maxHeld,
                now::get);
        provider = SdkTracerProvider.builder().setSampler(new RecordingSampler(sampler))
                .addSpanProcessor(processor).build();
        return new OtelTracer(provider.get("test"), EnumSet.allOf(Tracer.Component.class));
    }

    private Tracer tracer(int maxHeld) {
        return tracer(Sampler.parentBased(Sampler.alwaysOn()), false, maxHeld);
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
            attempt(tracer, root, attempt, attempt < attempts || lastFails);
        }
        root.end();
    }

    private static void attempt(Tracer tracer, Span root, int attempt, boolean fails) {
        Span action = tracer.startSpan("execute_action", root, SpanKind.CLIENT, Tracer.Component.EXECUTOR);
        action.setAttribute("attempt", attempt);
        if (fails) {
            action.recordError("webhook returned 503", null);
        }
        action.end();
    }

    /** The exported spans by the span id of their process_event, each tree's span names. */
    private Map<String, List<String>> trees() {
        List<SpanData> spans = exporter.getFinishedSpanItems();
        Map<String, String> rootOf = spans.stream().filter(s -> s.getName().equals("process_event"))
                .collect(Collectors.toMap(SpanData::getSpanId, SpanData::getSpanId));
        return spans.stream().collect(Collectors.groupingBy(
                s -> rootOf.getOrDefault(s.getSpanId(), s.getParentSpanId()),
                Collectors.mapping(SpanData::getName, Collectors.toList())));
    }

    @Test
    void aCleanEventExportsNothingAndHoldsNothingAfterItsRootEnds() {
        Tracer tracer = tracer(100);
        event(tracer, TraceContext.NONE, 1, false);
        event(tracer, SampleTrace.writer(true), 1, false);
        assertThat(exporter.getFinishedSpanItems()).isEmpty();
        assertThat(processor.heldSpans()).isZero();
    }

    @Test
    void aRetriedEventExportsItsWholeTreeWithBothAttempts() {
        Tracer tracer = tracer(100);
        event(tracer, SampleTrace.writer(true), 1, false);
        event(tracer, SampleTrace.writer(true), 2, false);
        List<SpanData> spans = exporter.getFinishedSpanItems();
        assertThat(spans).extracting(SpanData::getName).containsExactlyInAnyOrder("process_event",
                "evaluate_condition", "execute_action", "execute_action");
        assertThat(spans).extracting(SpanData::getTraceId).containsOnly(spans.get(0).getTraceId());
        assertThat(processor.heldSpans()).isZero();
    }

    @Test
    void eventsOfOneTraceInterleavedAreKeptOrDroppedEachOnItsOwn() {
        Tracer tracer = tracer(1_000);
        TraceContext transaction = SampleTrace.writer(true);
        // Twenty events of one writer's transaction, all open at once as parallel lanes run them; every fourth
        // fails its first attempt. Roots end in an order of their own, and one child of each ends after its root.
        List<Span> roots = new ArrayList<>();
        List<Span> late = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            roots.add(tracer.startTrace("process_event", transaction, SpanKind.CONSUMER));
        }
        for (int i = 0; i < 20; i++) {
            Span root = roots.get(i);
            tracer.startSpan("evaluate_condition", root, SpanKind.INTERNAL).end();
            boolean flaky = i % 4 == 0;
            attempt(tracer, root, 1, flaky);
            if (flaky) {
                attempt(tracer, root, 2, false);
            }
            late.add(tracer.startSpan("save_checkpoint", root, SpanKind.INTERNAL));
        }
        for (int i = 19; i >= 0; i--) {
            roots.get(i).end();
        }
        assertThat(processor.heldSpans()).as("every tree waits for its late child").isEqualTo(20 * 3 + 5);
        assertThat(exporter.getFinishedSpanItems()).isEmpty();
        late.forEach(Span::end);

        Map<String, List<String>> trees = trees();
        assertThat(trees).hasSize(5);
        assertThat(trees.values()).allSatisfy(names -> assertThat(names).containsExactlyInAnyOrder("process_event",
                "evaluate_condition", "execute_action", "execute_action", "save_checkpoint"));
        List<String> failedRoots = new ArrayList<>();
        for (int i = 0; i < 20; i += 4) {
            failedRoots.add(roots.get(i).context().spanId());
        }
        assertThat(trees.keySet()).containsExactlyInAnyOrderElementsOf(failedRoots);
        assertThat(exporter.getFinishedSpanItems()).extracting(SpanData::getTraceId)
                .containsOnly(transaction.traceId());
        assertThat(processor.heldSpans()).isZero();
    }

    @Test
    void aFailedEventIsKeptEvenWhenTheSamplerDroppedItAndSuccessesFollowTheSampler() {
        Tracer tracer = tracer(Sampler.parentBased(Sampler.traceIdRatioBased(0.1)), true, 100);
        TraceContext unsampled = SampleTrace.writer(false);
        event(tracer, unsampled, 2, false);
        event(tracer, unsampled, 1, false);
        TraceContext sampled = SampleTrace.writer(true);
        event(tracer, sampled, 1, false);

        // The writer that did not sample: its failed event is exported, whole and now marked sampled; its clean one
        // is not. The writer that sampled: its clean event follows the sampler, which keeps it.
        assertThat(trees()).hasSize(2);
        assertThat(exporter.getFinishedSpanItems()).filteredOn(s -> s.getTraceId().equals(unsampled.traceId()))
                .hasSize(4).allSatisfy(s -> assertThat(s.getSpanContext().isSampled()).isTrue());
        assertThat(exporter.getFinishedSpanItems()).filteredOn(s -> s.getTraceId().equals(sampled.traceId()))
                .hasSize(3);
        assertThat(processor.heldSpans()).isZero();
    }

    /**
     * only_errors records every span but keeps the sampler's decision as the sampled flag: a writer that did not
     * sample gets "-00" downstream, on the execute_action span's own id (guide: "Tracing only errors").
     */
    @Test
    void aWriterThatDidNotSampleGetsTheActionsContextMarkedNotSampled() {
        Tracer tracer = tracer(Sampler.parentBased(Sampler.traceIdRatioBased(0.1)), true, 100);
        TraceContext unsampled = SampleTrace.writer(false);
        Span root = tracer.startTrace("process_event", unsampled, SpanKind.CONSUMER);
        Span action = tracer.startSpan("execute_action", root, SpanKind.CLIENT, Tracer.Component.EXECUTOR);
        assertThat(action.isRecording()).as("recorded, so the tree can be kept if it goes wrong").isTrue();
        Map<String, String> headers = new java.util.HashMap<>();
        action.propagate(unsampled, headers::put);
        action.end();
        root.end();

        assertThat(headers.get("traceparent"))
                .isEqualTo("00-" + unsampled.traceId() + "-" + action.context().spanId() + "-00");
        assertThat(exporter.getFinishedSpanItems()).as("a clean event of an unsampled writer").isEmpty();
    }

    @Test
    void pastTheBoundSpansAreDroppedAndCountedButTheErrorStillShips() {
        Tracer tracer = tracer(2);
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
                .singleElement().satisfies(d -> assertThat(d.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR));
        assertThat(processor.heldSpans()).isZero();
    }

    @Test
    void treesWhoseRootNeverEndsGiveUpTheirPlaceOnceStale() {
        Tracer tracer = tracer(2);
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

        // Its root ending late is a tree of nothing: dropped and counted, not held.
        abandoned.end();
        assertThat(processor.droppedSpans()).isEqualTo(3);
        assertThat(processor.heldSpans()).isZero();
    }
}
