package io.pgobserver.domain.testing;

import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.Position;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.port.ChangeSource;
import io.pgobserver.domain.port.OpenTransaction;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

/**
 * The in-memory fake of {@link ChangeSource}, with transactions and snapshots as PostgreSQL has them: a
 * transaction takes an id when it begins, each row an id when written, and rows become visible when their
 * transaction commits. Snapshots are {@code xmin:xmax:xip} of these fake transaction ids.
 */
public final class InMemoryChangeSource implements ChangeSource {

    private record Row(long txid, ChangeEvent event, boolean readable) {
    }

    private final List<Row> rows = new ArrayList<>();
    private final TreeSet<Long> open = new TreeSet<>();
    private final List<Transaction> begun = new ArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition committed = lock.newCondition();
    private long nextTxid = 100;
    private long nextRowId = 1;
    private volatile boolean failing;

    /** An open transaction of the fake database. */
    public final class Transaction {
        private final long txid;
        private final List<Row> written = new ArrayList<>();
        private volatile Instant began = Instant.now();
        private volatile String gid;

        private Transaction(long txid) {
            this.txid = txid;
        }

        /** Makes it look open for {@code by} longer than it has been. */
        public Transaction backdate(Duration by) {
            began = began.minus(by);
            return this;
        }

        /**
         * PREPARE TRANSACTION {@code gid}: it stays open, held by no session, until {@link #commit()} (COMMIT
         * PREPARED) or {@link #rollback()}; its age counts from now (backdate it to age it).
         */
        public Transaction prepare(String gid) {
            this.gid = gid;
            began = Instant.now();
            return this;
        }

        /** Writes a row: the event gets this transaction's id and the next row id as its position. */
        public ChangeEvent write(ChangeEvent event) {
            return write(event, true);
        }

        /**
         * Writes a row that cannot become an event (as a row PostgreSQL accepts but the observer cannot decode):
         * reads pass over it.
         */
        public ChangeEvent writeUnreadable(ChangeEvent event) {
            return write(event, false);
        }

        private ChangeEvent write(ChangeEvent event, boolean readable) {
            lock.lock();
            try {
                ChangeEvent stored = new ChangeEvent(event.id(), new Position(txid, nextRowId++), event.entityType(),
                        event.entityId(), event.kind(), event.before(), event.after(), event.occurredAt(),
                        event.traceContext());
                written.add(new Row(txid, stored, readable));
                return stored;
            } finally {
                lock.unlock();
            }
        }

        public void commit() {
            lock.lock();
            try {
                rows.addAll(written);
                open.remove(txid);
                begun.remove(this);
                committed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        public void rollback() {
            lock.lock();
            try {
                open.remove(txid);
                begun.remove(this);
            } finally {
                lock.unlock();
            }
        }
    }

    public Transaction begin() {
        lock.lock();
        try {
            long txid = nextTxid++;
            open.add(txid);
            Transaction transaction = new Transaction(txid);
            begun.add(transaction);
            return transaction;
        } finally {
            lock.unlock();
        }
    }

    /** Writes each event in a transaction of its own, committed at once; returns them as stored. */
    public List<ChangeEvent> append(ChangeEvent... events) {
        List<ChangeEvent> stored = new ArrayList<>();
        for (ChangeEvent event : events) {
            Transaction tx = begin();
            stored.add(tx.write(event));
            tx.commit();
        }
        return stored;
    }

    /** While true, every call fails as an unreachable database would. */
    public void setFailing(boolean failing) {
        this.failing = failing;
    }

    @Override
    public Snapshot snapshot() throws ChangeSourceException {
        fail();
        lock.lock();
        try {
            long xmin = open.isEmpty() ? nextTxid : open.first();
            return new Snapshot(xmin + ":" + nextTxid + ":"
                    + open.stream().map(String::valueOf).collect(Collectors.joining(",")));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Page read(Batch batch, long afterId, int maxEvents) throws ChangeSourceException {
        if (maxEvents < 1) {
            throw new IllegalArgumentException("maxEvents must be at least 1, was " + maxEvents);
        }
        fail();
        lock.lock();
        try {
            List<Row> inBatch = rows.stream()
                    .filter(r -> visible(r.txid(), batch.to()) && !visible(r.txid(), batch.from()))
                    .filter(r -> r.event().position().offset() > afterId)
                    .sorted((a, b) -> Long.compare(a.event().position().offset(), b.event().position().offset()))
                    .toList();
            List<Row> page = inBatch.subList(0, Math.min(maxEvents, inBatch.size()));
            long lastId = page.isEmpty() ? afterId : page.getLast().event().position().offset();
            return new Page(page.stream().filter(Row::readable).map(Row::event).toList(), lastId,
                    page.size() == inBatch.size());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void awaitChanges(Duration maxWait) throws ChangeSourceException, InterruptedException {
        fail();
        lock.lock();
        try {
            committed.await(maxWait.toNanos(), TimeUnit.NANOSECONDS);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Lag lag(Snapshot done) throws ChangeSourceException {
        fail();
        lock.lock();
        try {
            List<ChangeEvent> unread = rows.stream().filter(r -> !visible(r.txid(), done)).map(Row::event).toList();
            return unread.isEmpty() ? Lag.NONE : new Lag(unread.size(), Duration.between(
                    unread.stream().map(ChangeEvent::occurredAt).min(Instant::compareTo).orElseThrow(), Instant.now()));
        } finally {
            lock.unlock();
        }
    }

    /**
     * The oldest open transaction that wrote a row, as a session of role 'test' idle in its transaction, or a prepared
     * one of owner 'test'.
     */
    @Override
    public Optional<OpenTransaction> oldestOpenWriter() throws ChangeSourceException {
        fail();
        lock.lock();
        try {
            return begun.stream().filter(t -> !t.written.isEmpty()).findFirst()
                    .map(t -> t.gid != null
                            ? OpenTransaction.prepared(t.txid, t.gid, "test", Duration.between(t.began, Instant.now()))
                            : new OpenTransaction((int) t.txid, t.txid, "idle in transaction", "test", "test",
                            "insert …", Duration.between(t.began, Instant.now())));
        } finally {
            lock.unlock();
        }
    }

    /** PostgreSQL's pg_visible_in_snapshot: below xmax and not in progress. */
    static boolean visible(long txid, Snapshot snapshot) {
        String[] parts = snapshot.value().split(":", -1);
        long xmax = Long.parseLong(parts[1]);
        Set<Long> inProgress = parts[2].isEmpty() ? Set.of()
                : Arrays.stream(parts[2].split(",")).map(Long::valueOf).collect(Collectors.toSet());
        return txid < xmax && !inProgress.contains(txid);
    }

    private void fail() throws ChangeSourceException {
        if (failing) {
            throw new ChangeSourceException("source unavailable (test)", null);
        }
    }
}
