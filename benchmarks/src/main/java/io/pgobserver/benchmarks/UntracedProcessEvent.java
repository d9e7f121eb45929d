package io.pgobserver.benchmarks;

import io.pgobserver.application.ActionExecutors;
import io.pgobserver.application.EventCompletion;
import io.pgobserver.application.ProcessEvent;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.observer.Condition;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.port.ActionExecutor;
import io.pgobserver.domain.port.ActionRequest;
import io.pgobserver.domain.port.DeliveryKey;
import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.trace.Scope;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.TraceContext;

import java.util.ArrayList;
import java.util.List;

/**
 * The uninstrumented baseline: {@link ProcessEvent#process} with every tracing call compiled out, the way the
 * use case would read had it never been traced. It is a copy of the success path, call for call (candidate
 * filter, condition, one {@link ActionRequest} per attempt, metrics, delivered ids, checkpoint completion), and
 * keeps its allocations, so the difference to {@code ProcessEvent} is the tracing and nothing else.
 *
 * <p>A tracer "that the JIT can prove absent" cannot exist behind the {@code Tracer} interface: even a final
 * constant no-op costs the interface calls and the {@code isRecording} tests. The only span left here is the
 * one the {@link ActionExecutor} port requires as an argument; it is an inert constant whose methods are
 * empty, as an executor of an untraced build would get. Failures (a failing condition, a failing action) are
 * not copied: the benchmark never produces them, and a run that did would stop rather than measure the wrong
 * thing.
 */
final class UntracedProcessEvent {

    static final String CONSUMER = "bench";

    private final List<Observer> observers;
    private final ActionExecutors executors;
    private final Metrics metrics;

    UntracedProcessEvent(List<Observer> observers, ActionExecutors executors, Metrics metrics) {
        this.observers = List.copyOf(observers);
        this.executors = executors;
        this.metrics = metrics;
    }

    void process(ChangeEvent event, EventCompletion completion) {
        long started = System.nanoTime();
        String outcome = "unmatched";
        boolean recovered = completion.mayHaveRun();
        List<String> delivered = new ArrayList<>();
        for (Observer observer : observers) {
            if (!observer.watches(event)) {
                continue;
            }
            if (matches(observer, event)) {
                outcome = "matched";
                executeActions(event, observer, recovered, delivered);
            }
        }
        EventCompletion.CheckpointSave save = completion.done();
        if (save != null) {
            save.run();
        }
        metrics.eventProcessed(event.entityType(), outcome, System.nanoTime() - started);
    }

    private static boolean matches(Observer observer, ChangeEvent event) {
        try {
            return observer.condition().matches(event);
        } catch (Condition.ConditionException e) {
            throw new IllegalStateException("benchmark condition failed", e);
        }
    }

    private void executeActions(ChangeEvent event, Observer observer, boolean recovered, List<String> delivered) {
        for (int i = 0; i < observer.actions().size(); i++) {
            String deliveryId = deliveryId(event, observer, i);
            Outcome outcome = run(event, observer, i);
            if (!(outcome.result() instanceof ActionResult.Success)) {
                throw new IllegalStateException("benchmark action failed: " + outcome.result());
            }
            delivered.add(deliveryId);
        }
    }

    /** RunAction's loop without spans; the benchmark's executor succeeds at the first attempt. */
    private Outcome run(ChangeEvent event, Observer observer, int index) {
        var action = observer.actions().get(index);
        ActionExecutor executor = executors.forType(action.type());
        String deliveryId = deliveryId(event, observer, index);
        int maxAttempts = observer.retry().maxAttempts();
        for (int attempt = 1; ; attempt++) {
            long started = System.nanoTime();
            ActionResult result = executor.execute(new ActionRequest(event, observer.name(), action, index, attempt,
                    deliveryId), InertSpan.INSTANCE);
            long elapsed = System.nanoTime() - started;
            if (result instanceof ActionResult.Success || attempt >= maxAttempts) {
                metrics.actionExecuted(action.type(), result instanceof ActionResult.Success ? "success" : "failed",
                        result instanceof ActionResult.Failure f ? f.errorType() : null, elapsed);
                return new Outcome(result, attempt);
            }
        }
    }

    private record Outcome(ActionResult result, int attempts) {
    }

    private static String deliveryId(ChangeEvent event, Observer observer, int index) {
        return new DeliveryKey(CONSUMER, event.position().offset(), observer.name(), observer.actionKeys().get(index))
                .id();
    }

    /** The span an untraced build would hand its executors: every method empty, no context of its own. */
    static final class InertSpan implements Span {

        static final InertSpan INSTANCE = new InertSpan();

        private InertSpan() {
        }

        @Override
        public boolean isRecording() {
            return false;
        }

        @Override
        public Span setAttribute(String key, String value) {
            return this;
        }

        @Override
        public Span setAttribute(String key, long value) {
            return this;
        }

        @Override
        public Span setAttribute(String key, double value) {
            return this;
        }

        @Override
        public Span setAttribute(String key, boolean value) {
            return this;
        }

        @Override
        public Span addEvent(String name) {
            return this;
        }

        @Override
        public Span recordError(String message, Throwable cause) {
            return this;
        }

        @Override
        public TraceContext context() {
            return TraceContext.NONE;
        }

        @Override
        public Scope makeCurrent() {
            return Scope.NOOP;
        }

        @Override
        public void end() {
            // nothing was started
        }

        @Override
        public TraceContext propagationContext(TraceContext upstream) {
            return upstream;
        }
    }
}
