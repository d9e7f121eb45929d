package io.pgobserver.application;

import io.pgobserver.domain.port.EventOutcomes;

/**
 * How the replayed events ended, as processing tells its outcome listener: the same outcome the event's
 * {@code process_event} span carries, so the summary and the traces agree. Events run one at a time on the
 * replay's thread, and each is told once, when done. Counts for {@link ReplayHistory}'s summary.
 */
final class ReplayEndings implements EventOutcomes {
    private long delivered;
    private long notMatching;
    private long failed;

    @Override
    public void finished(EventOutcome outcome) {
        switch (outcome.outcome()) {
            case "matched" -> delivered++;
            case "unmatched" -> notMatching++;
            // "failed"; and anything not known delivered counts as not delivered, so it is never hidden.
            default -> failed++;
        }
    }

    /** The summary of a replay that read {@code read} events and stepped over {@code unreadable} rows. */
    ReplayHistory.Summary summary(long read, long unreadable) {
        return new ReplayHistory.Summary(read, delivered, notMatching, failed, unreadable);
    }
}
