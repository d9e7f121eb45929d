package io.pgobserver.application;

import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.Deliveries;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.Tracer;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import static io.pgobserver.application.SpanNames.CACHE_WRITE;
import static io.pgobserver.application.SpanNames.DELIVERIES_WRITTEN;
import static java.lang.System.Logger.Level.WARNING;

/**
 * What the pipeline remembers of settled actions, so that an event run again (after a restart, a failed attempt, or
 * parking) repeats none of its delivered actions. Reads wait out a failing store (guessing "not delivered" would
 * repeat actions, guessing "delivered" would lose them); writes are kept and retried until durable, before the event
 * counts as done, so the duplicate bound survives database faults. Both stop when the event may no longer run.
 */
final class DeliveryRecords {

    private static final System.Logger LOG = System.getLogger(DeliveryRecords.class.getName());

    private final Deliveries deliveries;
    private final Sleeper sleeper;
    // A stop with every place held cuts hundreds of events at once: a line each for the first few, then a count.
    private final FewLines notAwaited = new FewLines(LOG, WARNING, 10, "cut events' delivery records not awaited",
            System::nanoTime);

    /** @param deliveries the delivery log, or null to keep no records (every action runs again on redelivery) */
    DeliveryRecords(Deliveries deliveries, Sleeper sleeper) {
        this.deliveries = deliveries;
        this.sleeper = sleeper;
    }

    boolean enabled() {
        return deliveries != null;
    }

    /**
     * Of these ids, the ones settled; empty without a delivery log. Read before an observer's first attempts, it stops
     * when they would ({@link EventCompletion#firstAttemptsGo}), not once the event was taken away: an observer
     * started late at an event that may have run before then made no attempt, where one at a new event made its first.
     */
    Set<String> settled(List<String> ids, EventCompletion completion) throws InterruptedException {
        if (deliveries == null || ids.isEmpty()) {
            return Set.of();
        }
        Set<String> known = completion.settledWhenRead(ids);
        if (known != null) {
            return known;
        }
        return Retry.untilDone("cannot read delivery records", () -> deliveries.settled(ids),
                () -> !completion.firstAttemptsGo(), completion.backoffs(sleeper), null);
    }

    /**
     * What these ids (every id the events of one page could ask about) were settled as, in one round trip; null
     * without a delivery log, or when it does not answer: each event then asks for itself, with retries.
     */
    SettledBefore settledBefore(List<String> ids) {
        if (deliveries == null || ids.isEmpty()) {
            return null;
        }
        try {
            return new SettledBefore(ids, deliveries.settled(ids));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () ->
                    "delivery records of a re-read page not read at once (each event asks): " + e.getMessage());
            return null;
        }
    }

    /**
     * Writes the records of delivered actions, retrying until they are durable.
     *
     * @throws InterruptedException when the event may no longer run first (it is then not done, and runs again)
     * @throws CheckpointStore.FencedException when another process claimed the consumer
     */
    private void remember(long offset, Collection<String> ids, EventCompletion completion)
            throws InterruptedException, CheckpointStore.FencedException {
        if (deliveries == null || ids.isEmpty()) {
            return;
        }
        try {
            Retry.untilDone("cannot write delivery records", () -> {
                try {
                    deliveries.record(completion.fence(), offset, ids);
                    return null;
                } catch (CheckpointStore.FencedException e) {
                    throw new Fenced(e);
                } catch (InterruptedException e) {
                    throw new Cut(e);
                }
            }, completion::cancelled, completion.backoffs(sleeper), null);
        } catch (Fenced e) {
            throw e.cause;
        } catch (Cut e) {
            // Interrupted inside the write (a stop's time ran out, the lock was lost): not awaited, named, and the
            // interrupt kept, as for an event cut anywhere else.
            Thread.currentThread().interrupt();
            rememberOnce(offset, ids, completion);
            throw new InterruptedException("cut while writing delivery records");
        } catch (InterruptedException e) {
            // Taken away (parked, or the term over) before the records were durable: the delivered actions are facts,
            // and one more try saves sending them again when the event runs again.
            rememberOnce(offset, ids, completion);
            throw e;
        }
    }

    /**
     * Writes the records of an event's delivered actions before the event counts as done, traced as
     * {@code cache_write}, retrying while the store fails.
     *
     * @throws InterruptedException when the event may no longer run first, or another process claimed the consumer
     *                              (then the term is told, and the event is not done)
     */
    void rememberTraced(Tracer t, Span root, long offset, List<String> delivered, EventCompletion completion)
            throws InterruptedException {
        if (deliveries == null || delivered.isEmpty()) {
            return;
        }
        Span span = t.startSpan(CACHE_WRITE, root, SpanKind.INTERNAL, Tracer.Component.CACHE);
        try {
            remember(offset, delivered, completion);
            if (span.isRecording()) {
                span.setAttribute(DELIVERIES_WRITTEN, delivered.size());
            }
        } catch (CheckpointStore.FencedException e) {
            span.recordError("delivery records not written: " + e.getMessage(), e);
            completion.fenced(e.getMessage());
            throw new InterruptedException("delivery records not written: " + e.getMessage());
        } finally {
            span.end();
        }
    }

    /**
     * One attempt to write the records of an event cut short: the delivered actions are facts, and a record now saves
     * repeating them. A failure here only costs that repeat. The write runs on a thread of its own: this thread may
     * carry the interrupt that cut the event, and an interrupted virtual thread's socket calls fail at once. This
     * thread does not wait for it once interrupted, or once the event is cut ({@link EventCompletion#cut}: this
     * process may no longer dispatch, its lock lost most often with the database, or the stop's time ran out, its
     * interrupt perhaps spent on the request it cut; for a parked run, the lot's stop), and keeps its interrupt: a
     * stop must not wait out the pool's connection timeout on a database that is down (it took 8 to 11 s then). That
     * holds for an event being parked too: the cut wins, as over its attempt under way, and stops the drainers that
     * would read the records. An event only taken away (parked, or a parked run ended to wait for its next attempt)
     * waits, so that its drainer reads what it delivered; so does one whose retry a stop ended, until the stop's time
     * cuts it. A replay's events keep no records here (no delivery log): its stop, which cuts no attempt, never asks.
     */
    void rememberOnce(long offset, Collection<String> ids, EventCompletion completion) {
        if (deliveries == null || ids.isEmpty()) {
            return;
        }
        CountDownLatch written = new CountDownLatch(1);
        Thread.ofVirtual().name("pgobserver-records-", offset).start(() -> {
            try {
                deliveries.record(completion.fence(), offset, ids);
            } catch (CheckpointStore.FencedException | InterruptedException | RuntimeException e) {
                LOG.log(WARNING, "delivery records of the event at change_log id " + offset + ", cut short, not "
                        + "written (its delivered actions may run again): " + e.getMessage());
            } finally {
                written.countDown();
            }
        });
        if (Thread.currentThread().isInterrupted() || completion.cut()) {
            notAwaited(offset);
            return;
        }
        try {
            written.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the stop's: whoever runs this event must see it too
            notAwaited(offset);
        }
    }

    /** At a term's end: how many cut events' records were not awaited beyond those named, before the process ends. */
    void countNotAwaited() {
        notAwaited.countNow();
    }

    private void notAwaited(long offset) {
        notAwaited.log(() -> "delivery records of the event at change_log id " + offset + ", cut short, not awaited: "
                + "the stop does not wait for the database; if they are not written, the next holder runs its "
                + "delivered actions again");
    }

    private static final class Fenced extends Retry.GiveUp {
        private static final long serialVersionUID = 1L;
        private final transient CheckpointStore.FencedException cause;

        Fenced(CheckpointStore.FencedException cause) {
            super(cause.getMessage(), cause);
            this.cause = cause;
        }
    }

    /** The write was interrupted: a cut, which retrying must not outlast. */
    private static final class Cut extends Retry.GiveUp {
        private static final long serialVersionUID = 1L;

        Cut(InterruptedException cause) {
            super("cut while writing delivery records", cause);
        }
    }
}
