package io.pgobserver.application;

import java.time.Duration;

/**
 * The oldest unfinished event ({@link Progress#head()}): what the checkpoint waits on, {@code age} by itself
 * ({@link StreamEntry#heldFor}); {@code onRetries}: it is being retried, or waits for a place while events behind it
 * are ({@link WaitOnRetries}); {@code retriesThrough}: how many of the term's events were delivered after retries
 * that got through, every action retried at each answering at last;
 * {@code full}: reading waits, {@code maxPending} events are held or the unfinished ones hold {@code maxBytes}.
 */
record OldestUnfinished(String entity, long changeLogId, Duration age, boolean retrying, boolean onRetries,
                        long retriesThrough, boolean full) {
}
