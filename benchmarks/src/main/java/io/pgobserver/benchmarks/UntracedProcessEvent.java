package io.pgobserver.benchmarks;

import io.pgobserver.application.ActionExecutors;
import io.pgobserver.application.EventCompletion;
import io.pgobserver.application.ProcessEvent;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.observer.ActionSpec;
import io.pgobserver.domain.observer.Condition;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.port.ActionExecutor;
import io.pgobserver.domain.port.ActionRequest;
import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.port.DeliveryKey;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.trace.Scope;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.TraceContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The uninstrumented baseline: {@link ProcessEvent#process} with every tracing call compiled out, the way the
 * use case would read had it never been traced. It is a copy of today's success path, call for call and allocation
 * for allocation: the candidate filter, the condition, the delivery ids made once per observer, the settled-set
 * test, the cancellation test and one {@link ActionRequest} per attempt, the action health's success test, the
 * metrics, the retried flag, the delivered ids and the checkpoint completion. Left out are only the tests for
 * what the benchmark's use case does not have (an outcome listener, a delivery log: one predictable branch each).
 * So the difference to {@code ProcessEvent} on the no-op tracer is the tracing calls and nothing else. When
 * {@code ProcessEvent}, {@code ExecuteActions} or {@code RunAction} change their success path, this copy changes
 * with them (the allocation per event that {@code ProcessEventBenchmark} reports shows when they drift apart).
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
    /** ActionHealth's table of failing action types: empty while every attempt succeeds. */
    private final Map<String, Object> failing = new ConcurrentHashMap<>();

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
        Retries retries = new Retries();
        for (Observer observer : observers) {
            if (!observer.watches(event)) {
                continue;
            }
            if (matches(observer, event)) {
                outcome = "matched";
                executeActions(event, observer, recovered, delivered, completion, retries);
            }
        }
        EventCompletion.CheckpointSave save = completion.done();
        if (save != null) {
            save.run();
            metrics.checkpointSaved();
        }
        metrics.eventProcessed(event.entityType(), outcome, System.nanoTime() - started);
        if (retries.any) {
            metrics.eventRetried(event.entityType());
        }
    }

    private static final class Retries {
        boolean any;
    }

    private static boolean matches(Observer observer, ChangeEvent event) {
        try {
            return observer.condition().matches(event);
        } catch (Condition.ConditionException e) {
            throw new IllegalStateException("benchmark condition failed", e);
        }
    }

    /** ExecuteActions.run without its span. */
    private void executeActions(ChangeEvent event, Observer observer, boolean recovered, List<String> delivered,
                                EventCompletion completion, Retries retries) {
        int count = observer.actions().size();
        List<String> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ids.add(DeliveryKey.of(CONSUMER, event, observer.name(),
                    observer.actionKeys().get(i)).id());
        }
        if (recovered) {
            throw new IllegalStateException("the benchmark's events never ran before");
        }
        Set<String> settled = Set.of();
        for (int i = 0; i < count; i++) {
            String deliveryId = ids.get(i);
            if (settled.contains(deliveryId)) {
                continue;
            }
            Outcome outcome = run(event, observer, i, deliveryId, completion);
            retries.any |= outcome.attempts() > 1;
            if (!(outcome.result() instanceof ActionResult.Success)) {
                throw new IllegalStateException("benchmark action failed: " + outcome.result());
            }
            delivered.add(deliveryId);
        }
    }

    /** RunAction.run without spans; the benchmark's executor succeeds at the first attempt. */
    private Outcome run(ChangeEvent event, Observer observer, int index, String deliveryId, EventCompletion completion) {
        ActionSpec action = observer.actions().get(index);
        ActionExecutor executor = executors.forType(action.type());
        int maxAttempts = observer.retry().maxAttempts();
        for (int attempt = 1; ; attempt++) {
            if (completion.cancelled()) {
                throw new IllegalStateException("the benchmark's events are never cancelled");
            }
            long started = System.nanoTime();
            ActionResult result = executor.execute(new ActionRequest(event, observer.name(), action, index, attempt,
                    deliveryId, false), InertSpan.INSTANCE);
            long elapsed = System.nanoTime() - started;
            if (result instanceof ActionResult.Success) {
                if (!failing.isEmpty()) {
                    failing.remove(action.type());
                }
                metrics.actionExecuted(observer.name(), action.type(), "success", null, elapsed);
                return new Outcome(result, attempt, null);
            }
            if (attempt >= maxAttempts) {
                return new Outcome(result, attempt, null);
            }
        }
    }

    private record Outcome(ActionResult result, int attempts, String lastError) {
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
