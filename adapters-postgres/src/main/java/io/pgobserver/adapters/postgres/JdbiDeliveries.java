package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.Deliveries;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Settled actions in {@code pgobserver.deliveries}, by delivery id; the retention job prunes old ones. Each row
 * also names the consumer that wrote it (the id already hashes it in; the column is for people).
 *
 * <p>Writes are group-committed: every in-flight event records its deliveries at about the same time, and one
 * statement per row made the delivery log the pipeline's bottleneck (a round trip and a transaction per event
 * halved the throughput of the load run, docs/performance.md). A caller queues its id and takes the writer lock;
 * whoever holds it writes everything queued so far in one multi-row insert, so while one batch is written the
 * next one gathers. {@link #record} still returns only once its own ids are committed, and throws when that
 * write failed, exactly as a single insert would; interrupted while it waits for the writer, it leaves at once.
 * Writes under a fence hold it in the same transaction ({@link Fences}); callers under different fences (a term
 * ending as the next begins) are written apart.
 */
@Singleton
final class JdbiDeliveries implements Deliveries {

    /** The most ids in one statement: bounds the statement's size and one write's latency. */
    static final int MAX_BATCH = 1000;

    private final Database database;
    private final String consumer;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    // A ReentrantLock, not synchronized: virtual threads wait on it without pinning their carrier.
    private final ReentrantLock writer = new ReentrantLock();

    private record Pending(CheckpointStore.Fence fence, long offset, Collection<String> deliveryIds,
                           CompletableFuture<Void> written) {
    }

    @Inject
    JdbiDeliveries(Database database, ListenerSettings settings) {
        this.database = database;
        this.consumer = settings.consumer();
    }

    @Override
    public Set<String> settled(Collection<String> deliveryIds) {
        if (deliveryIds.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(database.jdbi().withHandle(handle -> handle.createQuery(
                        "select delivery_id from pgobserver.deliveries where delivery_id = any(:ids)")
                .bindArray("ids", String.class, List.copyOf(deliveryIds))
                .mapTo(String.class)
                .list()));
    }

    @Override
    public void record(CheckpointStore.Fence fence, long offset, Collection<String> deliveryIds)
            throws CheckpointStore.FencedException, InterruptedException {
        if (deliveryIds.isEmpty()) {
            return;
        }
        Pending mine = new Pending(fence, offset, List.copyOf(deliveryIds), new CompletableFuture<>());
        queue.add(mine);
        // Interruptibly: a stop or a lost lock interrupts the events waiting here while the holder's write waits for a
        // database that does not answer. They leave at once (their ids, still queued, may go with the next write, and
        // are then recorded all the same); before, they waited out the holder, and the stop gave up on them unnamed.
        writer.lockInterruptibly();
        try {
            // A writer before us may have taken our ids along; otherwise they are still queued, and we write them
            // together with whatever queued up behind them.
            while (!mine.written().isDone()) {
                writeBatch();
            }
        } finally {
            writer.unlock();
        }
        try {
            mine.written().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof CheckpointStore.FencedException fenced) {
                throw fenced;
            }
            if (Thread.interrupted()) { // cut by this caller's interrupt (its socket closed): a cut, not a failure
                InterruptedException cut = new InterruptedException("delivery records' write interrupted");
                cut.initCause(e.getCause());
                throw cut;
            }
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /** Writes up to {@link #MAX_BATCH} queued ids and completes their callers, one statement per fence. Lock held. */
    private void writeBatch() {
        Map<Optional<CheckpointStore.Fence>, List<Pending>> byFence = new LinkedHashMap<>();
        int ids = 0;
        Pending next;
        while (ids < MAX_BATCH && (next = queue.poll()) != null) {
            byFence.computeIfAbsent(Optional.ofNullable(next.fence()), f -> new ArrayList<>()).add(next);
            ids += next.deliveryIds().size();
        }
        byFence.forEach((fence, batch) -> write(fence.orElse(null), batch));
    }

    private void write(CheckpointStore.Fence fence, List<Pending> batch) {
        List<String> ids = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        for (Pending pending : batch) {
            for (String id : pending.deliveryIds()) {
                ids.add(id);
                offsets.add(pending.offset() > 0 ? pending.offset() : null);
            }
        }
        try {
            database.jdbi().inTransaction(handle -> {
                // Durable: a record lost in a crash would repeat its action beyond the ones in flight.
                Fences.durable(handle);
                Fences.hold(handle, fence);
                return handle.createUpdate("insert into pgobserver.deliveries (delivery_id, consumer, change_log_id) "
                                + "select d, :consumer, o from unnest(:ids, :offsets) as u(d, o) "
                                + "on conflict do nothing")
                        .bindArray("ids", String.class, ids)
                        .bindArray("offsets", Long.class, offsets)
                        .bind("consumer", consumer)
                        .execute();
            });
        } catch (CheckpointStore.FencedException | RuntimeException e) {
            batch.forEach(pending -> pending.written().completeExceptionally(e));
            return;
        }
        batch.forEach(pending -> pending.written().complete(null));
    }
}
