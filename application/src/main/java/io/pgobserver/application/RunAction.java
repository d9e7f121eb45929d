package io.pgobserver.application;

import io.pgobserver.domain.config.Durations;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.observer.ActionSpec;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.port.ActionExecutor;
import io.pgobserver.domain.port.ActionRequest;
import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.port.Deliveries;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.Tracer;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

import static io.pgobserver.application.SpanNames.ACTION_INDEX;
import static io.pgobserver.application.SpanNames.ACTION_TYPE;
import static io.pgobserver.application.SpanNames.ATTEMPT;
import static io.pgobserver.application.SpanNames.ERROR_TYPE;
import static io.pgobserver.application.SpanNames.EXECUTE_ACTION;
import static io.pgobserver.application.SpanNames.OBSERVER;
import static io.pgobserver.application.SpanNames.RETRY_IN_MS;

/**
 * Runs one action of one observer for one event, retrying per the observer's policy: one
 * {@code execute_action} span per attempt (attribute {@code attempt}), exponential backoff with full jitter,
 * a server's {@code Retry-After} honoured, permanent failures not retried.
 */
final class RunAction {

    private static final System.Logger LOG = System.getLogger(RunAction.class.getName());

    private final ActionExecutors executors;
    private final Metrics metrics;
    private final Sleeper sleeper;
    private final DoubleSupplier random;
    private final ActionHealth health;
    private final boolean replay;
    private final Deliveries partsLog;

    RunAction(ActionExecutors executors, Metrics metrics, Sleeper sleeper, DoubleSupplier random, ActionHealth health) {
        this(executors, metrics, sleeper, random, health, false, null);
    }

    /**
     * @param replay   whether the attempts are a replay's ({@link ActionRequest#replay()})
     * @param partsLog where the parts of a delivery done by its attempts are kept for other processes
     *                 ({@link ActionParts}), or null to keep them for the run's own attempts only
     */
    RunAction(ActionExecutors executors, Metrics metrics, Sleeper sleeper, DoubleSupplier random, ActionHealth health,
              boolean replay, Deliveries partsLog) {
        this.replay = replay;
        this.partsLog = partsLog;
        this.executors = executors;
        this.metrics = metrics;
        this.sleeper = sleeper;
        this.random = random == null ? () -> ThreadLocalRandom.current().nextDouble() : random;
        this.health = health;
    }

    /**
     * Thrown when the run was cancelled before its first attempt: nothing of the action was sent by this run, so its
     * caller may leave it as not come to (a replay stopped between claiming a letter and its first attempt).
     */
    static final class NoAttemptBegun extends InterruptedException {
        NoAttemptBegun(String message) {
            super(message);
        }
    }

    /** The last attempt's result, how many attempts were made, and the last failed attempt's message (or null). */
    record Outcome(ActionResult result, int attempts, String lastError) {
        boolean succeeded() {
            return result instanceof ActionResult.Success;
        }
    }

    /**
     * Runs the action; its spans come from {@code tracer} (the event's, which tracing filters may switch off).
     *
     * @param completion checked before every attempt (cancelled once this process may no longer dispatch, or the
     *                   event's entity is being parked) and told of every failed attempt that will be retried; a
     *                   parked event's tells the attempts made in its earlier runs, which this run counts on from
     * @throws InterruptedException when cancelled or interrupted: the action is not done ({@link NoAttemptBegun}
     *                              when this run made no attempt)
     */
    Outcome run(Tracer tracer, ChangeEvent event, Observer observer, int index, String deliveryId, Span parent,
                EventCompletion completion) throws InterruptedException {
        ActionSpec action = observer.actions().get(index);
        ActionExecutor executor = executors.forType(action.type());
        int maxAttempts = observer.retry().maxAttempts();
        String lastError = null;
        ActionParts parts = new ActionParts(deliveryId, event.position().offset(),
                partsLog == null ? null : completion.partsLog(partsLog));
        int first = completion.attemptsMade(observer.name(), index) + 1;
        for (int attempt = first; ; attempt++) {
            if (attempt == 1 ? !completion.firstAttemptsGo() : completion.cancelled()) {
                String message = "dispatch stopped before attempt " + attempt + " of " + action.describe();
                throw attempt == first ? new NoAttemptBegun(message) : new InterruptedException(message);
            }
            Span span = tracer.startSpan(EXECUTE_ACTION, parent, kindOf(action), Tracer.Component.EXECUTOR);
            if (span.isRecording()) {
                span.setAttribute(ACTION_TYPE, action.type())
                        .setAttribute(OBSERVER, observer.name())
                        .setAttribute(ACTION_INDEX, index)
                        .setAttribute(ATTEMPT, attempt);
            }
            long started = System.nanoTime();
            ActionResult result = attempt(executor, new ActionRequest(event, observer.name(), action, index, attempt,
                    deliveryId, replay, parts), span);
            long elapsed = System.nanoTime() - started;
            if (result instanceof ActionResult.Success) {
                health.succeeded(action.type());
                if (attempt > 1) {
                    completion.retryGotThrough(observer.name(), index);
                }
                metrics.actionExecuted(observer.name(), action.type(), "success", null, elapsed);
                span.end();
                return new Outcome(result, attempt, lastError);
            }
            ActionResult.Failure failure = (ActionResult.Failure) result;
            if (Thread.currentThread().isInterrupted() || completion.cut()) {
                // Cut off by a stop or a lost lock (its interrupt may have been spent on the request): not the
                // receiver's answer. Whoever runs the event next makes the next attempt. An attempt that ended as its
                // entity was being parked is not cut: its failure is the receiver's, counted below, and the event
                // stops at the wait before the next attempt, which the parking lot makes.
                span.recordError("attempt cut off: " + failure.message(), failure.cause());
                span.end();
                throw new InterruptedException("attempt " + attempt + " of " + action.describe() + " cut off");
            }
            lastError = failure.message();
            span.recordError(failure.message(), failure.cause());
            if (span.isRecording()) {
                span.setAttribute(ERROR_TYPE, failure.errorType());
            }
            boolean last = failure.permanent() || attempt >= maxAttempts;
            if (last) {
                if (!failure.permanent()) {
                    health.failed(action, failure.message(), Duration.ZERO);
                }
                metrics.actionExecuted(observer.name(), action.type(), "failed", failure.errorType(), elapsed);
                span.end();
                return new Outcome(result, attempt, lastError);
            }
            metrics.actionExecuted(observer.name(), action.type(), "retry", failure.errorType(), elapsed);
            completion.attemptFailed(observer.name(), index);
            Duration wait = observer.retry().backoff(attempt, failure.retryAfter(), random.getAsDouble());
            health.failed(action, failure.message(), wait);
            // Taken away as the attempt ran (its row being parked), the event makes its next attempt when the parking
            // lot's drainer runs it, not once this wait is over; after a stop, the consumer's next holder makes it.
            // The span and the log then announce no retry.
            boolean retries = completion.retriesAfterWait();
            if (retries && span.isRecording()) {
                span.setAttribute(RETRY_IN_MS, wait.toMillis());
            }
            span.end();
            boolean parked = completion.takenAway();
            LOG.log(System.Logger.Level.DEBUG, () -> "event " + event.id() + ", observer " + observer.name() + ", "
                    + action.describe() + ": attempt failed (" + failure.message() + "), " + (retries
                    ? "retrying in " + Durations.format(wait) : parked
                    ? "taken away: the parking lot makes the next attempt"
                    : "the pipeline stops: the consumer's next holder makes the next attempt"));
            if (!retries) {
                throw new InterruptedException((parked ? "the event was taken away" : "the pipeline stopped")
                        + " before attempt " + (attempt + 1) + " of " + action.describe());
            }
            completion.actionBackoff(observer.name(), index, attempt, wait, sleeper);
        }
    }

    private static ActionResult attempt(ActionExecutor executor, ActionRequest request, Span span) {
        if (executor == null) {
            return ActionResult.Failure.permanentFailure("no executor for action type '" + request.action().type()
                    + "'", null);
        }
        try {
            ActionResult result = executor.execute(request, span);
            return result == null
                    ? ActionResult.Failure.transientFailure(executor.type() + " executor returned no result", null)
                    : result;
        } catch (RuntimeException e) {
            // An executor bug must not stop the pipeline: it counts as a failed attempt and is retried.
            // The message is not used: it may carry a URL with credentials. The class name is enough to find the bug.
            return ActionResult.Failure.transientFailure(executor.type() + " executor failed with "
                    + e.getClass().getName(), e);
        }
    }

    private static SpanKind kindOf(ActionSpec action) {
        // Every action calls out to another service (HTTP or SMTP), so its span is a client span.
        return SpanKind.CLIENT;
    }
}
