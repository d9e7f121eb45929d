package io.pgobserver.benchmarks;

import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.spi.ObserverHost;
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

import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;

/**
 * One action attempt recorded in the action metrics ({@code pgobserver_action_duration_seconds}, and
 * {@code pgobserver_action_failures_total} for a failed one) by the OpenTelemetry adapter as {@code run} builds it
 * with metrics on, in nanoseconds and bytes per attempt (run with {@code -prof gc}): attempts of two webhook
 * observers in turn, so each lands in its observer's series. {@code outcome} {@code success} records without
 * {@code error_type}, {@code retry} with {@code 503}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ActionMetricsBenchmark {

    @Param({"success", "retry"})
    public String outcome;

    private static final String[] OBSERVERS = {"order_shipped", "order_refunded"};

    private ObserverHost.StartedTracer started;
    private Metrics metrics;
    private String errorType;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        errorType = outcome.equals("success") ? null : "503";
        ObserverHost host = ServiceLoader.load(ObserverHost.class).findFirst().orElseThrow(() ->
                new IllegalStateException("no pg-observer core on the class path (the bootstrap module)"));
        started = host.tracer("metrics: { enabled: true, port: 0, host: 127.0.0.1 }\ntracing: { enabled: false }\n",
                Map.of());
        metrics = started.metrics();
        if (metrics == Metrics.NOOP) {
            started.close();
            throw new IllegalStateException(started.adapter() + " gave no metrics: is " + OtelHarness.ADAPTER
                    + " on the class path?");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        started.close();
    }

    @Benchmark
    public int attempt() {
        next ^= 1;
        metrics.actionExecuted(OBSERVERS[next], "webhook", outcome, errorType, 8_000_000L);
        return next;
    }
}
