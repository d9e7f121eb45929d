package io.pgobserver.benchmarks;

import io.pgobserver.domain.trace.TraceContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * W3C trace context on the listener's and the executor's paths: every event's {@code traceparent} column is
 * parsed once, and every webhook formats one header.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TraceContextBenchmark {

    /** Non-final so the JIT cannot fold the parse of a constant. */
    private String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private String tracestate = "vendor=abc,other=xyz";
    private String invalid = "00-00000000000000000000000000000000-00f067aa0ba902b7-01";
    private TraceContext context = Fixtures.WRITER;

    @Benchmark
    public Optional<TraceContext> parse() {
        return TraceContext.parse(traceparent);
    }

    @Benchmark
    public Optional<TraceContext> parseWithTracestate() {
        return TraceContext.parse(traceparent, tracestate);
    }

    /** An all-zero trace id: rejected, the event starts a new trace. */
    @Benchmark
    public Optional<TraceContext> parseInvalid() {
        return TraceContext.parse(invalid);
    }

    @Benchmark
    public String format() {
        return context.traceparent();
    }
}
