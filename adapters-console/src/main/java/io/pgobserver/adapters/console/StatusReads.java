package io.pgobserver.adapters.console;

import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.port.ChangeSource;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.DeadLetters;
import io.pgobserver.domain.port.Leadership;
import io.pgobserver.domain.port.ParkedEvents;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What {@code status} reads, through the same ports (the checkpoint, the lag, dead letters per observer, parked
 * entities, and who holds the lock), read side by side on virtual threads. A page is answered from the last reads,
 * and reads older than {@value #FRESH_MILLIS} ms are renewed in the background: a page never waits for a database
 * busy with the pipeline (only the first one does), its figures are at most about a second old, and a room of open
 * consoles costs the database what one does. When a renewal fails, the last figures stay with the failure beside
 * them.
 */
@Singleton
final class StatusReads {

    static final long FRESH_MILLIS = 1000;

    private final String consumer;
    private final CheckpointStore checkpoints;
    private final ChangeSource source;
    private final DeadLetters deadLetters;
    private final ParkedEvents parked;
    private final Leadership leadership;
    private Read last;
    private boolean renewing;
    private volatile String failure;

    /** One set of reads, and how long the database took for them. */
    record Read(Optional<CheckpointStore.Saved> saved, List<Leadership.Member> members, boolean led,
                ChangeSource.Lag lag, long deadLetters, Map<String, Long> parked, long takenAtMillis,
                long databaseNanos) {
    }

    @Inject
    StatusReads(ListenerSettings listener, CheckpointStore checkpoints, ChangeSource source, DeadLetters deadLetters,
                ParkedEvents parked, Leadership leadership) {
        this.consumer = listener.consumer();
        this.checkpoints = checkpoints;
        this.source = source;
        this.deadLetters = deadLetters;
        this.parked = parked;
        this.leadership = leadership;
    }

    /**
     * The last reads, renewed in the background when older than {@value #FRESH_MILLIS} ms; the first call reads.
     *
     * @throws ChangeSource.ChangeSourceException when the first read fails
     */
    Read read() throws ChangeSource.ChangeSourceException, InterruptedException {
        Read current;
        boolean renew;
        synchronized (this) {
            current = last;
            renew = current != null && !renewing
                    && System.currentTimeMillis() - current.takenAtMillis() >= FRESH_MILLIS;
            renewing |= renew;
        }
        if (current == null) {
            return readNow();
        }
        if (renew) {
            Thread.ofVirtual().name("console-status-reads").start(() -> {
                try {
                    readNow();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException | ChangeSource.ChangeSourceException e) {
                    failure = e.getMessage();
                } finally {
                    synchronized (this) {
                        renewing = false;
                    }
                }
            });
        }
        return current;
    }

    /** Why the last renewal failed, or null when it worked. */
    String failure() {
        return failure;
    }

    private Read readNow() throws ChangeSource.ChangeSourceException, InterruptedException {
        long started = System.nanoTime();
        try (ExecutorService reads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<List<Leadership.Member>> members = reads.submit(leadership::members);
            Future<Long> letters = reads.submit(() -> deadLetters.countByObserver(consumer).values().stream()
                    .mapToLong(Long::longValue).sum());
            Future<Map<String, Long>> entities = reads.submit(() -> parked.entities(consumer));
            Optional<CheckpointStore.Saved> saved = checkpoints.load(consumer);
            ChangeSource.Lag lag = source.lag(saved.map(CheckpointStore.Saved::done).orElse(Snapshot.ORIGIN));
            List<Leadership.Member> who = members.get();
            boolean led = who.stream().anyMatch(Leadership.Member::holder) || leadership.isHeldByAnyone();
            Read read = new Read(saved, who, led, lag, letters.get(), entities.get(), System.currentTimeMillis(),
                    System.nanoTime() - started);
            synchronized (this) {
                last = read;
            }
            failure = null;
            return read;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }
}
