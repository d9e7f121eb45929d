package io.pgobserver.application;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Whether each action type still gets through: an action type none of whose attempts has succeeded for a while (its
 * Kafka cluster is down, the webhook receivers behind one proxy all answer 503) is a reason the pipeline is not
 * ready, given with the last error. One success of that type clears it; a single stuck entity among others that
 * succeed does not raise it.
 */
final class ActionHealth {

    /** How long every attempt of one type must have failed before readiness says so. */
    static final Duration FAILING_FOR = Duration.ofSeconds(10);

    private record Failing(long sinceNanos, String lastError) {
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

    void failed(String actionType, String error) {
        long now = nanoClock.getAsLong();
        failing.compute(actionType, (type, was) -> new Failing(was == null ? now : was.sinceNanos(), error));
    }

    /** Why actions do not get through, or null when every type that was tried lately got through. */
    String problem() {
        long now = nanoClock.getAsLong();
        for (Map.Entry<String, Failing> entry : failing.entrySet()) {
            long forNanos = now - entry.getValue().sinceNanos();
            if (forNanos >= threshold.toNanos()) {
                return "every " + entry.getKey() + " action has failed for " + Duration.ofNanos(forNanos).toSeconds()
                        + " s (last error: " + entry.getValue().lastError() + "); its events wait and are retried";
            }
        }
        return null;
    }
}
