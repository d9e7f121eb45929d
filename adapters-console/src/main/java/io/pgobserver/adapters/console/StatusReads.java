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
 * entities, and who holds the lock), read side by side on virtual threads so a page waits for the slowest read, not
 * their sum. One answer serves every page asking within {@value #FRESH_MILLIS} ms: a room of open consoles costs the
 * database what one does.
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

    /** The reads, at most {@value #FRESH_MILLIS} ms old. */
    synchronized Read read() throws ChangeSource.ChangeSourceException, InterruptedException {
        long now = System.currentTimeMillis();
        if (last != null && now - last.takenAtMillis() < FRESH_MILLIS) {
            return last;
        }
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
            last = new Read(saved, who, led, lag, letters.get(), entities.get(), now, System.nanoTime() - started);
            return last;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }
}
