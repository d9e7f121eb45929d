package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.pgobserver.domain.trace.Scope;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.TraceContext;
import io.pgobserver.domain.trace.Tracer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;

class OtelTracerTest {

    private final InMemoryTracing tracing = new InMemoryTracing();
    private final Tracer tracer = tracing.tracer;

    @AfterEach
    void close() {
        tracing.close();
        MDC.clear();
    }

    @Test
    void aRootContinuesTheWritersTraceAsARemoteChildAndKeepsItsTraceState() {
        TraceContext writer = TraceContext.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7").orElseThrow();
        Span root = tracer.startTrace("process_event", writer, SpanKind.CONSUMER);
        TraceContext context = root.context();
        root.end();

        SpanData data = tracing.named("process_event");
        assertThat(data.getTraceId()).isEqualTo(writer.traceId());
        assertThat(data.getParentSpanId()).isEqualTo(writer.spanId());
        assertThat(data.getParentSpanContext().isRemote()).isTrue();
        assertThat(data.getKind()).isEqualTo(io.opentelemetry.api.trace.SpanKind.CONSUMER);
        assertThat(context.traceId()).isEqualTo(writer.traceId());
        assertThat(context.spanId()).isEqualTo(data.getSpanId()).isNotEqualTo(writer.spanId());
        assertThat(context.isSampled()).isTrue();
        assertThat(context.tracestate()).isEqualTo("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
    }

    @Test
    void withoutAValidWriterContextARootStartsANewTrace() {
        tracer.startTrace("process_event", TraceContext.NONE, SpanKind.INTERNAL).end();
        tracer.startTrace("process_event", null, SpanKind.INTERNAL).end();

        assertThat(tracing.spans()).hasSize(2).allSatisfy(span -> {
            assertThat(span.getParentSpanContext().isValid()).isFalse();
            assertThat(span.getTraceId()).isNotEqualTo("00000000000000000000000000000000");
        });
        assertThat(tracing.spans().get(0).getTraceId()).isNotEqualTo(tracing.spans().get(1).getTraceId());
    }

    @Test
    void aLinkedTraceIsANewRootThatLinksToTheOriginal() {
        TraceContext original = SampleTrace.writer(true);
        tracer.startLinkedTrace("replay_dead_letter", original, SpanKind.INTERNAL).end();

        SpanData replay = tracing.named("replay_dead_letter");
        assertThat(replay.getParentSpanContext().isValid()).isFalse();
        assertThat(replay.getTraceId()).isNotEqualTo(original.traceId());
        assertThat(replay.getLinks()).singleElement().satisfies(link -> {
            assertThat(link.getSpanContext().getTraceId()).isEqualTo(original.traceId());
            assertThat(link.getSpanContext().getSpanId()).isEqualTo(original.spanId());
        });
    }

    @Test
    void childrenOfASwitchedOffComponentAttachToItsParent() {
        InMemoryTracing listenerOnly = new InMemoryTracing(EnumSet.of(Tracer.Component.LISTENER));
        Tracer partial = listenerOnly.tracer;
        Span root = partial.startTrace("process_event", TraceContext.NONE, SpanKind.INTERNAL);
        Span actions = partial.startSpan("execute_actions", root, SpanKind.INTERNAL, Tracer.Component.EXECUTOR);
        Span action = partial.startSpan("execute_action", actions, SpanKind.CLIENT, Tracer.Component.EXECUTOR);
        Span nested = partial.startSpan("render_template", action, SpanKind.INTERNAL);
        Span load = partial.startSpan("load_checkpoint", root, SpanKind.INTERNAL, Tracer.Component.LISTENER);

        assertThat(actions.isRecording()).isFalse();
        assertThat(action.isRecording()).isFalse();
        assertThat(action.propagationContext(TraceContext.NONE)).isEqualTo(root.context());
        assertThat(actions.context()).isEqualTo(root.context());
        assertThat(action.makeCurrent()).isSameAs(Scope.NOOP);
        actions.setAttribute("observer", "x").recordError("ignored", null).end();
        action.end();
        nested.end();
        load.end();
        root.end();

        assertThat(listenerOnly.spans()).extracting(SpanData::getName)
                .containsExactlyInAnyOrder("render_template", "load_checkpoint", "process_event");
        String rootId = listenerOnly.named("process_event").getSpanId();
        assertThat(listenerOnly.named("render_template").getParentSpanId()).isEqualTo(rootId);
        assertThat(listenerOnly.named("load_checkpoint").getParentSpanId()).isEqualTo(rootId);
        listenerOnly.close();
    }

    @Test
    void anExceptionGoesInAsTypeAndRedactedMessageWithoutItsStack() {
        Span root = tracer.startTrace("process_event", TraceContext.NONE, SpanKind.INTERNAL);
        Span span = tracer.startSpan("execute_action", root, SpanKind.CLIENT);
        span.recordError(null, new IllegalStateException(
                "POST https://bot:s3cret@hooks.example.com/h?token=abc failed, password=hunter2")).end();
        root.end();

        SpanData failed = tracing.named("execute_action");
        String everything = failed.getStatus().getDescription() + failed.getAttributes() + failed.getEvents();
        assertThat(everything).doesNotContain("s3cret").doesNotContain("abc").doesNotContain("hunter2")
                .doesNotContain("exception.stacktrace").contains("https://hooks.example.com/h").contains("password=****");
        assertThat(failed.getEvents().get(0).getAttributes().get(AttributeKey.stringKey("exception.type")))
                .isEqualTo(IllegalStateException.class.getName());
    }

    @Test
    void recordErrorSetsStatusTheErrorAttributeAndAnExceptionEvent() {
        Span root = tracer.startTrace("process_event", TraceContext.NONE, SpanKind.INTERNAL);
        Span withCause = tracer.startSpan("execute_action", root, SpanKind.CLIENT);
        withCause.recordError("webhook returned 500", new IllegalStateException("HTTP 500")).end();
        Span withoutCause = tracer.startSpan("execute_actions", root, SpanKind.INTERNAL);
        withoutCause.recordError("some actions were dead-lettered", null).end();
        root.end();

        SpanData failed = tracing.named("execute_action");
        assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(failed.getStatus().getDescription()).isEqualTo("webhook returned 500");
        assertThat(failed.getAttributes().get(AttributeKey.stringKey("error"))).isEqualTo("webhook returned 500");
        assertThat(failed.getEvents()).extracting(EventData::getName).containsExactly("exception");
        assertThat(failed.getEvents().get(0).getAttributes().get(AttributeKey.stringKey("exception.type")))
                .isEqualTo(IllegalStateException.class.getName());

        SpanData partly = tracing.named("execute_actions");
        assertThat(partly.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(partly.getEvents()).singleElement().satisfies(event -> assertThat(
                event.getAttributes().get(AttributeKey.stringKey("exception.message")))
                .isEqualTo("some actions were dead-lettered"));
        assertThat(tracing.named("process_event").getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }

    @Test
    void attributesKeepTheirTypesAndEventsAreRecorded() {
        Span span = tracer.startTrace("process_event", TraceContext.NONE, SpanKind.INTERNAL);
        span.setAttribute("s", "v").setAttribute("l", 7L).setAttribute("d", 1.5).setAttribute("b", true)
                .addEvent("retry_wait");
        span.end();

        SpanData data = tracing.named("process_event");
        assertThat(data.getAttributes().get(AttributeKey.stringKey("s"))).isEqualTo("v");
        assertThat(data.getAttributes().get(AttributeKey.longKey("l"))).isEqualTo(7L);
        assertThat(data.getAttributes().get(AttributeKey.doubleKey("d"))).isEqualTo(1.5);
        assertThat(data.getAttributes().get(AttributeKey.booleanKey("b"))).isTrue();
        assertThat(data.getEvents()).extracting(EventData::getName).containsExactly("retry_wait");
    }

    @Test
    void anEndedSpanStopsRecordingAndIgnoresLaterCalls() {
        Span span = tracer.startTrace("process_event", TraceContext.NONE, SpanKind.INTERNAL);
        assertThat(span.isRecording()).isTrue();
        span.end();
        assertThat(span.isRecording()).isFalse();
        span.setAttribute("late", "x").recordError("late", null).end();

        assertThat(tracing.spans()).singleElement().satisfies(data -> {
            assertThat(data.getAttributes().get(AttributeKey.stringKey("late"))).isNull();
            assertThat(data.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        });
    }

    @Test
    @SuppressWarnings("try") // the scopes are used for their effect on the MDC, not referenced
    void makeCurrentPutsTheIdsInTheMdcAndRestoresThePreviousOnes() {
        MDC.put(OtelSpan.MDC_TRACE_ID, "outer-trace");
        Span root = tracer.startTrace("process_event", TraceContext.NONE, SpanKind.INTERNAL);
        Span child = tracer.startSpan("execute_action", root, SpanKind.CLIENT);
        try (Scope ignored = root.makeCurrent()) {
            assertThat(MDC.get("trace_id")).isEqualTo(root.context().traceId());
            assertThat(MDC.get("span_id")).isEqualTo(root.context().spanId());
            assertThat(io.opentelemetry.api.trace.Span.current().getSpanContext().getSpanId())
                    .isEqualTo(root.context().spanId());
            try (Scope inner = child.makeCurrent()) {
                assertThat(MDC.get("span_id")).isEqualTo(child.context().spanId());
            }
            assertThat(MDC.get("span_id")).isEqualTo(root.context().spanId());
        }
        assertThat(MDC.get("trace_id")).isEqualTo("outer-trace");
        assertThat(MDC.get("span_id")).isNull();
        assertThat(io.opentelemetry.api.trace.Span.current().getSpanContext().isValid()).isFalse();
        child.end();
        root.end();
    }

    @Test
    void spanKindsMapOneToOne() {
        for (SpanKind kind : SpanKind.values()) {
            tracer.startTrace(kind.name(), TraceContext.NONE, kind).end();
        }
        for (SpanKind kind : SpanKind.values()) {
            assertThat(tracing.named(kind.name()).getKind().name()).isEqualTo(kind.name());
        }
    }

    @Test
    void attributeKeysAreCachedUpToTheBoundAndStayCorrectBeyondIt() {
        assertThat(AttributeKeys.string("event_id")).isSameAs(AttributeKeys.string("event_id"));
        for (int i = 0; i < AttributeKeys.MAX_CACHED + 50; i++) {
            assertThat(AttributeKeys.longKey("generated_" + i).getKey()).isEqualTo("generated_" + i);
        }
        assertThat(AttributeKeys.longKey("generated_" + (AttributeKeys.MAX_CACHED + 49)).getKey())
                .isEqualTo("generated_" + (AttributeKeys.MAX_CACHED + 49));
    }
}
