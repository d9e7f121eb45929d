package io.pgobserver.domain.event;

/**
 * What a backfill's {@code read} event carries beyond the row: which backfill logged it (the event span's
 * {@code backfill} attribute) and, for a backfill started with {@code --observer}, the one observer it is for.
 *
 * @param backfillId the backfill's id in {@code pgobserver.backfills}
 * @param observer   the observer that gets the event, or null for every observer watching the table
 */
public record BackfillMark(long backfillId, String observer) {

    public BackfillMark {
        if (backfillId < 1) {
            throw new IllegalArgumentException("backfill id must be positive, was " + backfillId);
        }
        if (observer != null && observer.isBlank()) {
            observer = null;
        }
    }

    /** Whether the observer of this name gets the event. */
    public boolean isFor(String name) {
        return observer == null || observer.equals(name);
    }
}
