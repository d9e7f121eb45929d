package io.pgobserver.adapters.tracing.noop;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.pgobserver.domain.contract.TracerContract;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.TraceContext;
import io.pgobserver.domain.trace.Tracer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.assertj.core.api.Assertions.assertThat;

class NoopTracerTest extends TracerContract {

    @Override
    protected Tracer newTracer() {
        return Tracer.noop();
    }

    @Test
    void everySpanIsTheSameNonRecordingSingleton() {
        Tracer tracer = newTracer();
        Span root = tracer.startTrace("process_event", WRITER, SpanKind.INTERNAL);
        Span child = tracer.startSpan("execute_action", root, SpanKind.CLIENT, Tracer.Component.EXECUTOR);
        assertThat(tracer.isEnabled()).isFalse();
        assertThat(root).isSameAs(child).isSameAs(Span.noop());
        assertThat(root.isRecording()).isFalse();
        assertThat(root.setAttribute("k", "v")).isSameAs(root);
        assertThat(root.context()).isSameAs(TraceContext.NONE);
        assertThat(child.propagationContext(WRITER)).isSameAs(WRITER);
    }

    @Test
    void spanCallsAllocateNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Tracer tracer = newTracer();
        String value = "value";
        for (int i = 0; i < 20_000; i++) { // warm up, so the JIT has compiled the path measured below
            exercise(tracer, value, i);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        long sink = 0;
        for (int i = 0; i < 100_000; i++) {
            sink += exercise(tracer, value, i);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(sink).isPositive();
        // 100,000 iterations of six span calls each; a single allocation per call would be megabytes. The
        // slack covers the measuring itself (the counter read allocates on some JVMs).
        assertThat(allocated).isLessThan(4_096);
    }

    private static int exercise(Tracer tracer, String value, int i) {
        Span root = tracer.startTrace("process_event", WRITER, SpanKind.INTERNAL);
        Span child = tracer.startSpan("execute_action", root, SpanKind.CLIENT);
        child.setAttribute("action_type", value).setAttribute("attempt", i).setAttribute("ok", true);
        child.end();
        root.end();
        return root.isRecording() ? 0 : 1;
    }

    @Test
    void theModuleBindsTheNoopTracerAndNoMetrics() {
        Injector injector = Guice.createInjector(new NoopTracingModule());
        assertThat(injector.getInstance(Tracer.class)).isSameAs(Tracer.noop());
        assertThat(injector.getInstance(Metrics.class)).isSameAs(Metrics.NOOP);
        assertThat(new NoopTracingModule().provides()).containsExactly(io.pgobserver.domain.spi.Adapter.Capability.TRACING);
    }
}
