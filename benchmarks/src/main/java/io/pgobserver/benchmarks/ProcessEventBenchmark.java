package io.pgobserver.benchmarks;

import io.pgobserver.application.ActionExecutors;
import io.pgobserver.application.EventCompletion;
import io.pgobserver.application.ProcessEvent;
import io.pgobserver.application.Sleeper;
import io.pgobserver.domain.config.TracingSettings;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.port.Metrics;
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

import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code ProcessEvent.process(event, EventCompletion.NONE)} on in-memory fakes, three ways:
 * {@code none} is {@link UntracedProcessEvent} (the use case with its tracing calls compiled out), {@code noop}
 * the real use case on the no-op adapter, {@code otel} the real use case on the OpenTelemetry adapter at 100%
 * sampling with the batch span processor, exporting OTLP/HTTP to a receiver in this process (so serialising and
 * sending batches competes for the cores, as in a deployment). Each runs in its own fork, so each has the
 * JIT profile a deployment with that tracer would have. {@code actions} is the number of webhooks per event,
 * {@code extraFields} the payload's size in extra columns, {@code otherObservers} how many observers of other tables
 * the file has besides the event's two (a real schema's configuration: its events must not pay for them).
 *
 * <p>A tracer's cost per event is fixed (spans and attributes) while the work per event is small here (no
 * webhook over the network, no database, a two-field condition): the ratios are a worst case for the real pipeline.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ProcessEventBenchmark {

    @Param({"none", "noop", "otel"})
    public String tracer;

    @Param({"1", "4"})
    public int actions;

    @Param({"4"})
    public int extraFields;

    @Param({"0"})
    public int otherObservers;

    private static final int EVENTS = 1024;

    private ChangeEvent[] events;
    private int next;
    private InMemoryWebhookExecutor executor;
    private ProcessEvent traced;
    private UntracedProcessEvent untraced;
    private OtelHarness otel;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        // Distinct events (ids, offsets), as a stream has; cycled so no allocation happens outside the measured call.
        events = new ChangeEvent[EVENTS];
        for (int i = 0; i < EVENTS; i++) {
            events[i] = Fixtures.shippedOrder(i + 1, extraFields);
        }
        List<Observer> observers = Fixtures.observers(actions, otherObservers);
        executor = new InMemoryWebhookExecutor();
        ActionExecutors executors = new ActionExecutors(List.of(executor));
        switch (tracer) {
            case "none" -> untraced = new UntracedProcessEvent(observers, executors, Metrics.NOOP);
            case "noop" -> traced = processEvent(Tracer.noop(), observers, executors);
            case "otel" -> {
                otel = new OtelHarness();
                traced = processEvent(otel.tracer(), observers, executors);
            }
            default -> throw new IllegalArgumentException("tracer must be none, noop or otel: " + tracer);
        }
    }

    private static ProcessEvent processEvent(Tracer tracer, List<Observer> observers, ActionExecutors executors) {
        return new ProcessEvent(UntracedProcessEvent.CONSUMER, tracer, Tracer.noop(), TracingSettings.defaults(), observers, executors,
                Fixtures.NO_DEAD_LETTERS, null, Metrics.NOOP, Sleeper.SYSTEM, null, Clock.systemUTC());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (executor.executed() == 0 || executor.lastTraceparent() == null) {
            throw new IllegalStateException("the benchmark ran no action");
        }
        if (otel != null) {
            otel.close();
            // Spans per event: process_event, load_checkpoint, evaluate_condition, execute_actions, one
            // execute_action per action, export_metrics. The sink counts requests and bytes, not spans: a full
            // batch queue drops spans (the adapter logs a warning), which shows as fewer bytes per ended span.
            long ended = executor.executed() / actions * (5L + actions);
            System.out.printf("%n[otel] OTLP/HTTP sink: %d requests, %d bytes for about %d ended spans (%.0f bytes "
                    + "per ended span)%n", otel.requests(), otel.bytes(), ended, (double) otel.bytes() / ended);
        }
    }

    @Benchmark
    public ChangeEvent process() throws InterruptedException {
        ChangeEvent event = events[next];
        next = (next + 1) & (EVENTS - 1);
        if (untraced != null) {
            untraced.process(event, EventCompletion.NONE);
        } else {
            traced.process(event, EventCompletion.NONE);
        }
        return event;
    }
}
