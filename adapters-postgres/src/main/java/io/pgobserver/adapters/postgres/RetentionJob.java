package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.config.Durations;
import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.spi.Lifecycle;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Deletes {@code change_log} rows older than {@code listener.retention} that every consumer has passed, and
 * delivery records older than the retention whose event can no longer run again (its row is gone from the log and no
 * parked queue or dead letter holds it). Off when the retention is not set.
 *
 * <p>A row goes only when every consumer has passed it: its transaction is below the {@code xmin} of the snapshot
 * that ends each consumer's last wholly done batch (so it was committed, and read, before that batch ended). A
 * slow or stopped consumer keeps the rows it has not handled; delete a retired consumer's checkpoint row to let
 * retention proceed. With no checkpoint at all, nothing is deleted: no consumer has confirmed anything yet.
 * Deletes run in bounded chunks so they never hold long locks or one huge transaction. The batches a consumer no
 * longer needs are pruned by its own checkpoint saves.
 */
@Singleton
final class RetentionJob implements Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionJob.class);
    static final int CHUNK = 10_000;

    // xid8 has no min() before PostgreSQL 16: through numeric and back.
    // bool_and is null without checkpoints, and false when a consumer's done batch is missing: then nothing goes.
    // The same statement moves retention_horizon past what it deleted, so a replay knows where the log is whole.
    private static final String DELETE_EVENTS = """
            with gone as (
            delete from pgobserver.change_log
             where id in (
                   select cl.id from pgobserver.change_log cl
                    where cl.occurred_at < now() - make_interval(secs => :seconds)
                      and cl.txid < (select case when bool_and(b.consumer is not null)
                                                 then min(pg_snapshot_xmin(b.snapshot_to)::text::numeric) end
                                       from pgobserver.checkpoints c
                                       left join pgobserver.batches b
                                              on b.consumer = c.consumer and b.seq = c.batch - 1)::text::xid8
                    limit :chunk)
            returning id, occurred_at
            ), horizon as (
            update pgobserver.retention_horizon h
               set max_deleted_id = greatest(h.max_deleted_id, g.max_id),
                   max_deleted_at = greatest(h.max_deleted_at, g.max_at)
              from (select max(id) as max_id, max(occurred_at) as max_at from gone) g
             where g.max_id is not null
            )
            select count(*) from gone
            """;

    // A record goes only once its event can never run again: its change_log row is gone (retention deletes a row
    // only after every consumer passed it), no parked queue holds the event, and no dead letter does (a dlq replay
    // runs it long after its row is gone, skipping the parts of its delivery recorded as done, such as the recipients
    // an email reached). Records without a row id (earlier releases, unreadable rows) go by age.
    // Each check is a probe through an index per record (OFFSET 0 keeps a NOT EXISTS from becoming an anti join):
    // as a join, the planner takes every old record for held when the dead letters (or change_log rows) outnumber
    // them, and hashed the whole table for each chunk: 150,000 records over 1,000,000 letters took 12 s instead of 3.
    // A held record stays old, so a chunk looks at the old records after the last one the chunk before looked at,
    // held or not, in the order of the delivered_at index (the id orders the records of one transaction, which share
    // a time): a pass checks each old record once. Taking each chunk's first deletable records checked every held
    // record again for every chunk: 200,000 held records ahead of 200,000 deletable ones took 19 s a pass, not 3.
    // A pass starts at the oldest record, so one committed behind the walk goes the next time. The delete finds its
    // records through the key (= ANY of an array: as IN, the planner hashed the chunk against every record).
    static final String DELETE_DELIVERIES = """
            with looked as (
            select d.delivery_id, d.delivered_at, d.consumer, d.change_log_id from pgobserver.deliveries d
             where d.delivered_at < now() - make_interval(secs => :seconds)
               and (d.delivered_at, d.delivery_id) > (coalesce(cast(:afterAt as timestamptz), '-infinity'),
                                                      coalesce(cast(:afterId as text), ''))
             order by d.delivered_at, d.delivery_id
             limit :chunk
            ), gone as (
            delete from pgobserver.deliveries
             where delivery_id = any (array(
                   select k.delivery_id from looked k
                    where not exists (select 1 from pgobserver.change_log l where l.id = k.change_log_id offset 0)
                      and not exists (select 1 from pgobserver.parked_events p
                                       where p.consumer = k.consumer and p."offset" = k.change_log_id offset 0)
                      and not exists (select 1 from pgobserver.dead_letters l
                                       where l.consumer = k.consumer and l."offset" = k.change_log_id offset 0)))
            returning 1
            ), last as (
            select delivered_at, delivery_id from looked order by delivered_at desc, delivery_id desc limit 1
            )
            select (select count(*) from looked) as looked, (select count(*) from gone) as deleted,
                   last.delivered_at as last_at, last.delivery_id as last_id
              from (select) one left join last on true
            """;

    private final Database database;
    private final Duration retention;
    // Not synchronized, though it guards only the scheduler: no class that queries the database declares a
    // synchronized method (docs/architecture.md), so that none is held across a query on a virtual thread.
    private final ReentrantLock lifecycle = new ReentrantLock();
    private ScheduledExecutorService scheduler;

    @Inject
    RetentionJob(Database database, ListenerSettings settings) {
        this.database = database;
        this.retention = settings.retention();
    }

    @Override
    public String name() {
        return "postgres-retention";
    }

    @Override
    public int order() {
        return ORDER_STORAGE + 20;
    }

    @Override
    public void start() {
        lifecycle.lock();
        try {
            schedule();
        } finally {
            lifecycle.unlock();
        }
    }

    private void schedule() {
        // A command that only reads deletes nothing, not even after it has run for a retention interval.
        if (retention == null || scheduler != null || database.readOnly()) {
            return;
        }
        Duration every = interval(retention);
        scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "pg-observer-retention");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::runSafely, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("Retention on: change_log rows older than {} and behind every checkpoint are deleted every {}",
                Durations.format(retention), Durations.format(every));
    }

    @Override
    public void stop() {
        lifecycle.lock();
        try {
            if (scheduler != null) {
                scheduler.shutdownNow();
                scheduler = null;
            }
        } finally {
            lifecycle.unlock();
        }
    }

    /** Runs once; returns the number of change_log rows deleted. */
    long runOnce() {
        if (retention == null) {
            return 0;
        }
        double seconds = retention.toMillis() / 1000.0;
        long events = deleteInChunks(DELETE_EVENTS, seconds);
        long deliveries = deleteDeliveries(seconds);
        if (events > 0 || deliveries > 0) {
            LOG.info("Retention deleted {} change_log rows and {} delivery records", events, deliveries);
        }
        return events;
    }

    /** Often enough that the log stays near its retention, rarely enough to cost nothing. */
    static Duration interval(Duration retention) {
        Duration tenth = retention.dividedBy(10);
        Duration min = Duration.ofSeconds(10);
        Duration max = Duration.ofHours(1);
        return tenth.compareTo(min) < 0 ? min : tenth.compareTo(max) > 0 ? max : tenth;
    }

    private long deleteInChunks(String sql, double seconds) {
        long total = 0;
        int deleted;
        do {
            deleted = database.jdbi().withHandle(handle -> handle.createQuery(sql)
                    .bind("seconds", seconds)
                    .bind("chunk", CHUNK)
                    .mapTo(Integer.class)
                    .one());
            total += deleted;
        } while (deleted == CHUNK && !Thread.currentThread().isInterrupted());
        return total;
    }

    /** Walks the old delivery records once, each chunk after the last record the one before looked at. */
    private long deleteDeliveries(double seconds) {
        long total = 0;
        Chunk chunk = Chunk.NONE;
        do {
            Chunk after = chunk;
            chunk = database.jdbi().inTransaction(handle -> {
                // Planned for each chunk, with the tables as they are: after a few runs on one connection the
                // driver prepares the statement and PostgreSQL may keep one generic plan until an ANALYZE. Made
                // while parked_events (or dead_letters) was empty, that plan scans the table for every record,
                // and keeps doing it after a burst of parked events: 2,000 records over 100,000 parked events
                // read 200,000,000 of them (36 s) instead of 2,000 (0.06 s).
                handle.execute("set local plan_cache_mode = force_custom_plan");
                return handle.createQuery(DELETE_DELIVERIES)
                        .bind("seconds", seconds)
                        .bind("chunk", CHUNK)
                        .bind("afterAt", after.lastAt())
                        .bind("afterId", after.lastId())
                        .map((rs, ctx) -> new Chunk(rs.getInt("looked"), rs.getInt("deleted"),
                                rs.getObject("last_at", OffsetDateTime.class), rs.getString("last_id")))
                        .one();
            });
            total += chunk.deleted();
        } while (chunk.looked() == CHUNK && !Thread.currentThread().isInterrupted());
        return total;
    }

    /** A chunk of old delivery records: how many it looked at and deleted, and the last one it looked at. */
    private record Chunk(int looked, int deleted, OffsetDateTime lastAt, String lastId) {
        /** Before the first chunk, which starts at the oldest record. */
        static final Chunk NONE = new Chunk(0, 0, null, null);
    }

    private void runSafely() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            LOG.warn("Retention run failed, retrying at the next interval: {}", Database.rootMessage(e));
        }
    }
}
