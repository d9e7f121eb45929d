package io.pgobserver.benchmarks;

import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.TraceContext;
import io.pgobserver.domain.trace.Tracer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What one span costs through the domain port, no-op and OpenTelemetry (batch processor, OTLP/HTTP to a receiver in
 * this process), in nanoseconds per operation: {@code otel} under a writer that sampled its trace, so every span is
 * recorded and exported; {@code otel-unsampled} under one that did not, so the parent-based sampler drops every
 * span, as it drops the events a {@code tracing.sample_rate} below 1 leaves out. Attribute and header costs are the difference to
 * {@link #childStartEnd}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SpanBenchmark {

    @Param({"noop", "otel", "otel-unsampled"})
    public String tracer;

    private Tracer spans;
    private OtelHarness otel;
    /** A long-lived parent, as {@code process_event} is for its children. */
    private Span root;
    /** The application transaction's context the root spans continue. */
    private TraceContext writer = Fixtures.WRITER;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        switch (tracer) {
            case "noop" -> spans = Tracer.noop();
            case "otel", "otel-unsampled" -> {
                otel = new OtelHarness();
                spans = otel.tracer();
                if (tracer.equals("otel-unsampled")) {
                    writer = TraceContext.parse(Fixtures.WRITER.traceparent().replaceFirst("-01$", "-00"))
                            .orElseThrow();
                }
            }
            default -> throw new IllegalArgumentException("tracer must be noop, otel or otel-unsampled: " + tracer);
        }
        root = spans.startTrace("process_event", writer, SpanKind.CONSUMER);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        root.end();
        if (otel != null) {
            otel.close();
        }
    }

    /** A child span started and ended: the unit of the span tree. */
    @Benchmark
    public Span childStartEnd() {
        Span span = spans.startSpan("load_checkpoint", root, SpanKind.INTERNAL);
        span.end();
        return span;
    }

    /** An event's root span, child of the writer's remote context. */
    @Benchmark
    public Span rootStartEnd() {
        Span span = spans.startTrace("process_event", writer, SpanKind.CONSUMER);
        span.end();
        return span;
    }

    /** A child with the four attributes a typical span gets (string, string, long, boolean), guarded as the code does. */
    @Benchmark
    public Span childWithFourAttributes() {
        Span span = spans.startSpan("execute_action", root, SpanKind.CLIENT);
        if (span.isRecording()) {
            span.setAttribute("action_type", "webhook")
                    .setAttribute("observer", "order_shipped")
                    .setAttribute("action_index", 0L)
                    .setAttribute("condition_matched", true);
        }
        span.end();
        return span;
    }

    /** A webhook span and its {@code traceparent} header, as the webhook executor makes it. */
    @Benchmark
    public String childWithTraceparentHeader() {
        Span span = spans.startSpan("execute_action", root, SpanKind.CLIENT);
        String header = span.propagationContext(writer).traceparent();
        span.end();
        return header;
    }

    /** The root span made current for the event and closed again (log correlation through the MDC). */
    @Benchmark
    public Span rootMadeCurrent() {
        Span span = spans.startTrace("process_event", writer, SpanKind.CONSUMER);
        try (io.pgobserver.domain.trace.Scope ignored = span.makeCurrent()) {
            return span;
        } finally {
            span.end();
        }
    }
}
