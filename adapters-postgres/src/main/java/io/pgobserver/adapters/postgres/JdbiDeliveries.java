package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.port.Deliveries;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
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
 * next one gathers. {@link #record} still returns only once its own id is committed, and throws when that
 * write failed, exactly as a single insert would.
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

    private record Pending(String deliveryId, CompletableFuture<Void> written) {
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
    public void record(String deliveryId) {
        Pending mine = new Pending(deliveryId, new CompletableFuture<>());
        queue.add(mine);
        writer.lock();
        try {
            // A writer before us may have taken our id along; otherwise it is still queued, and we write it
            // together with whatever queued up behind it.
            while (!mine.written().isDone()) {
                writeBatch();
            }
        } finally {
            writer.unlock();
        }
        try {
            mine.written().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /** Writes up to {@link #MAX_BATCH} queued ids in one statement and completes their callers. Lock held. */
    private void writeBatch() {
        List<Pending> batch = new ArrayList<>(Math.min(MAX_BATCH, 64));
        Pending next;
        while (batch.size() < MAX_BATCH && (next = queue.poll()) != null) {
            batch.add(next);
        }
        if (batch.isEmpty()) {
            return;
        }
        List<String> ids = new ArrayList<>(batch.size());
        for (Pending pending : batch) {
            ids.add(pending.deliveryId());
        }
        try {
            database.jdbi().useHandle(handle -> handle.createUpdate(
                            "insert into pgobserver.deliveries (delivery_id, consumer) "
                                    + "select unnest(:ids), :consumer on conflict do nothing")
                    .bindArray("ids", String.class, ids)
                    .bind("consumer", consumer)
                    .execute());
        } catch (RuntimeException e) {
            batch.forEach(pending -> pending.written().completeExceptionally(e));
            return;
        }
        batch.forEach(pending -> pending.written().complete(null));
    }
}
