package io.pgobserver.adapters.kafka;

import io.pgobserver.domain.config.Durations;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * What readiness knows of the cluster: how many records are wanted and when it last acknowledged one. A record is
 * wanted while its send waits for the acknowledgement, and after a failed attempt while it waits out the observer's
 * backoff: the outage goes on between attempts. A failed send is no acknowledgement, so it leaves the clock alone.
 * A record whose attempt failed stops being wanted when it is sent again, or after {@link #RETRY_WAIT} (the default
 * {@code retry.max_backoff}; the executor does not see the observer's policy, and a record not sent again by then
 * was most likely dead-lettered; the core's own check covers longer backoffs). A record given up for good (a
 * permanent failure) or taken away (a stop, or parking, interrupts its send) is not wanted any more.
 */
final class Acknowledgements {

    /** How long wanted records may go unacknowledged before readiness says so. */
    static final Duration SILENT_FOR = Duration.ofSeconds(5);
    static final Duration RETRY_WAIT = Duration.ofMinutes(1);

    private final LongSupplier nanoClock;
    private final AtomicInteger sending = new AtomicInteger();
    /** Delivery id of each record waiting for its next attempt, and when its last attempt failed. */
    private final Map<String, Long> retrying = new ConcurrentHashMap<>();
    /** The last acknowledgement, or when records began to be wanted after none were. */
    private volatile long sinceNanos;

    Acknowledgements(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.sinceNanos = nanoClock.getAsLong();
    }

    void sending(String deliveryId) {
        long now = nanoClock.getAsLong();
        // A record back for its next attempt was wanted all along: the silence goes on.
        if (wanted(now) == 0) {
            sinceNanos = now;
        }
        sending.incrementAndGet();
        retrying.remove(deliveryId);
    }

    void acknowledged() {
        sinceNanos = nanoClock.getAsLong();
        sending.decrementAndGet();
    }

    /** The attempt failed and may pass later: the record comes back after the observer's backoff. */
    void retrying(String deliveryId) {
        retrying.put(deliveryId, nanoClock.getAsLong());
        sending.decrementAndGet();
    }

    /** The record is not wanted any more: failed for good, or its send was interrupted. */
    void dropped() {
        sending.decrementAndGet();
    }

    /** Records are wanted, and none was acknowledged for {@code lasted}. */
    record Silence(Duration lasted, int sending, int retrying) {

        /** Long enough to call the cluster out of reach ({@link #SILENT_FOR}). */
        boolean outOfReach() {
            return lasted.compareTo(SILENT_FOR) >= 0;
        }

        /** {@code 3 sending, 17 waiting to be retried}: the records still wanted. */
        String wanted() {
            return sending + " sending, " + retrying + " waiting to be retried";
        }
    }

    /**
     * Whether a record was wanted after {@code nanos}: sent since then (by a send that began while none was
     * wanted), or acknowledged since then.
     */
    boolean wantedAfter(long nanos) {
        return sinceNanos - nanos > 0;
    }

    /** How long wanted records have gone unacknowledged; null while none is wanted. */
    Silence silence() {
        long now = nanoClock.getAsLong();
        return wanted(now) == 0 ? null
                : new Silence(Duration.ofNanos(now - sinceNanos), sending.get(), retrying.size());
    }

    /** The clock this counts time by (the log of an outage measures on it too). */
    long now() {
        return nanoClock.getAsLong();
    }

    /** Why the cluster seems out of reach, or null. */
    String problem(String servers) {
        Silence silence = silence();
        if (silence == null || !silence.outOfReach()) {
            return null;
        }
        // 7s, 2m 5s: as the other action types' readiness line says how long they have failed.
        return "Kafka at " + servers + " has acknowledged no record for " + Durations.rounded(silence.lasted())
                + " (" + silence.wanted() + "): check that the cluster is up and reachable from this "
                + "host (kafka.bootstrap_servers); " + eventsWait("once it answers");
    }

    /** What readiness says of the events while records go unacknowledged; {@code until} says when to replay. */
    static String eventsWait(String until) {
        return "their events wait and are retried up to each observer's retry.max_attempts, then go to the dead "
                + "letters ('pg-observer dlq replay --all' " + until + "): none are lost";
    }

    private int wanted(long now) {
        retrying.values().removeIf(failedAt -> now - failedAt >= RETRY_WAIT.toNanos());
        return sending.get() + retrying.size();
    }
}
