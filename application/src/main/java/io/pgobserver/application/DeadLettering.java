package io.pgobserver.application;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.observer.Urls;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.DeadLetter;
import io.pgobserver.domain.port.DeadLetters;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.Tracer;

import java.time.Clock;

import static io.pgobserver.application.SpanNames.DEAD_LETTERED;
import static io.pgobserver.application.SpanNames.OBSERVER;

/**
 * Gives up on one action (or one condition, or a whole event) for good: stores the dead letter, which settles its
 * delivery key in the same transaction, traced as {@code dead_letter}. The write is retried alone until it is
 * stored, so the event's delivered actions never run again for it; it stops only when the event is cut (a stop whose
 * time ran out, a lost lock: the event is then not done), and it is fenced by the event's claim. An event being parked
 * still writes the letter its last attempt calls for (once: it waits for no retry), so that the parking lot's run
 * does not start that action's attempts anew. A replay's is tried once ({@link #once()}).
 */
final class DeadLettering {

    private static final System.Logger LOG = System.getLogger(DeadLettering.class.getName());

    /** What a dead letter is about. */
    record Subject(String observer, int actionIndex, String actionKey, String actionType) {
    }

    private final String consumer;
    private final DeadLetters deadLetters;
    private final Metrics metrics;
    private final Clock clock;
    private final Sleeper sleeper;
    private final boolean retried;

    DeadLettering(String consumer, DeadLetters deadLetters, Metrics metrics, Clock clock, Sleeper sleeper) {
        this(consumer, deadLetters, metrics, clock, sleeper, true);
    }

    private DeadLettering(String consumer, DeadLetters deadLetters, Metrics metrics, Clock clock, Sleeper sleeper,
                          boolean retried) {
        this.consumer = consumer;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.clock = clock;
        this.sleeper = sleeper;
        this.retried = retried;
    }

    /**
     * The same, storing each letter in one attempt, which throws {@link NotStored} when it fails: for a replay, which
     * stops rather than wait out an outage with no end (nobody else runs its events: retrying for ever, it hung until
     * the database came back), so that its event is not done and runs again with the resume the replay prints. The
     * pool has already waited its connection timeout for a session by then, as for the replay's reads.
     */
    DeadLettering once() {
        return new DeadLettering(consumer, deadLetters, metrics, clock, sleeper, false);
    }

    /** A letter that {@link #once()}'s write could not store; its cause is the store's failure. */
    static final class NotStored extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotStored(String message, RuntimeException cause) {
            super(message, cause);
        }
    }

    /**
     * Stores the letter.
     *
     * @throws NotStored            when written {@link #once()} and the store failed (the event is then not done)
     * @throws InterruptedException when the event may no longer run before the letter was stored, or another process
     *                              claimed the consumer (the event is then not done)
     */
    void write(Tracer t, Span parent, ChangeEvent event, Subject subject, String error, int attempts,
               EventCompletion completion) throws InterruptedException {
        DeadLetter letter = new DeadLetter(0, consumer, event, subject.observer(), subject.actionIndex(),
                subject.actionKey(), subject.actionType(), error, attempts, clock.instant());
        Span span = t.startSpan(SpanNames.DEAD_LETTER, parent, SpanKind.INTERNAL, Tracer.Component.DLQ);
        long id;
        Retry.Call<Long> add = () -> {
            try {
                return deadLetters.add(completion.fence(), letter);
            } catch (CheckpointStore.FencedException e) {
                throw new Retry.GiveUp(e.getMessage(), e);
            } catch (RuntimeException e) {
                span.recordError("dead-letter store unavailable: " + e.getMessage(), e);
                throw e;
            }
        };
        try {
            id = retried ? Retry.untilDone("event " + event.id() + ", observer " + subject.observer()
                    + ": cannot store the dead letter (retrying the write alone)", add, completion::cut,
                    completion.backoffs(sleeper), null) : addOnce(add, subject, error);
            if (span.isRecording()) {
                span.setAttribute(OBSERVER, subject.observer())
                        .setAttribute(SpanNames.ACTION_TYPE, subject.actionType())
                        .setAttribute(SpanNames.ATTEMPT, attempts)
                        .setAttribute(SpanNames.DEAD_LETTER_ID, id);
            }
        } catch (Retry.GiveUp e) {
            completion.fenced(e.getMessage());
            throw new InterruptedException("dead letter not stored: " + e.getMessage());
        } finally {
            span.end();
        }
        metrics.deadLettered(subject.observer(), subject.actionType());
        if (parent.isRecording()) {
            parent.setAttribute(DEAD_LETTERED, true);
        }
        LOG.log(System.Logger.Level.WARNING, "event " + event.id() + " (" + event.entityType() + " "
                + event.entityId() + "), observer " + subject.observer() + ": " + subject.actionType()
                + " dead-lettered after " + attempts + " attempt(s): " + Urls.redactIn(error));
    }

    private static long addOnce(Retry.Call<Long> add, Subject subject, String error) {
        try {
            return add.call();
        } catch (Retry.GiveUp e) {
            throw e;
        } catch (RuntimeException e) {
            throw new NotStored("its " + subject.actionType() + " failed for observer " + subject.observer() + " ("
                    + Urls.redactIn(error) + ") and its dead letter could not be stored", e);
        }
    }
}
