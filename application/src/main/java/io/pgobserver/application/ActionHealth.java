package io.pgobserver.application;

import io.pgobserver.domain.observer.ActionSpec;
import io.pgobserver.domain.port.OpenTransaction;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Whether each action type still gets through: an action type none of whose attempts has succeeded for a while (its
 * Kafka cluster is down, the webhook receivers behind one proxy all answer 503) is a reason the pipeline is not
 * ready, given with the last error. One success of that type clears it; a single stuck entity among others that
 * succeed does not raise it. So does quiet: once no attempt of the type is due any more (its failing events were
 * dead-lettered and nothing new came), the failures say nothing about now, and a process that would deliver the
 * next event must not stay unready until one arrives.
 */
final class ActionHealth {

    /** How long every attempt of one type must have failed before readiness says so. */
    static final Duration FAILING_FOR = Duration.ofSeconds(10);

    /**
     * Failing since {@code sinceNanos}; evidence of it until {@code staleAtNanos} unless another attempt fails. The
     * last failed attempt's action ({@link ActionSpec#describe()}: where it went) and error.
     */
    private record Failing(long sinceNanos, long staleAtNanos, String lastAction, String lastError) {

        /** The last error with where the attempt went, named once (HTTP executors' errors start with it). */
        String where() {
            return lastError.startsWith(lastAction) ? lastError : lastAction + ": " + lastError;
        }
    }

    private final Map<String, Failing> failing = new ConcurrentHashMap<>();
    private volatile Duration threshold;
    private final LongSupplier nanoClock;

    ActionHealth(Duration threshold, LongSupplier nanoClock) {
        this.threshold = threshold;
        this.nanoClock = nanoClock;
    }

    /** How long every attempt of one type must have failed before it is reported (tests shorten it). */
    void threshold(Duration failingFor) {
        this.threshold = failingFor;
    }

    void succeeded(String actionType) {
        if (!failing.isEmpty()) {
            failing.remove(actionType);
        }
    }

    /**
     * An attempt of {@code action} failed; the next attempt of that event is due in {@code nextAttemptIn}
     * ({@link Duration#ZERO} when there is none: it gave up). The failure stays evidence until one threshold after
     * that attempt is due (other events' attempts of the type may keep it longer).
     */
    void failed(ActionSpec action, String error, Duration nextAttemptIn) {
        long now = nanoClock.getAsLong();
        long staleAt = now + nextAttemptIn.toNanos() + threshold.toNanos();
        String to = action.describe();
        failing.compute(action.type(), (type, was) -> was == null || now - was.staleAtNanos() > 0
                ? new Failing(now, staleAt, to, error)
                : new Failing(was.sinceNanos(), Math.max(was.staleAtNanos(), staleAt), to, error));
    }

    /** Why actions do not get through, or null when every type that was tried lately got through. */
    String problem() {
        long now = nanoClock.getAsLong();
        for (Map.Entry<String, Failing> entry : failing.entrySet()) {
            Failing failure = entry.getValue();
            if (now - failure.staleAtNanos() > 0) {
                failing.remove(entry.getKey(), failure);
                continue;
            }
            long forNanos = now - failure.sinceNanos();
            if (forNanos >= threshold.toNanos()) {
                // What an operator paged at night needs: where it fails, what to check, and that nothing is lost.
                return "every " + entry.getKey() + " action has failed for "
                        + OpenTransaction.readable(Duration.ofNanos(forNanos))
                        + " (last error: " + failure.where() + "): check that "
                        + "receiver; its events wait and are retried up to each observer's retry.max_attempts, then "
                        + "go to the dead letters ('pg-observer dlq replay --all' once it answers): none are lost";
            }
        }
        return null;
    }
}
