package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.config.Durations;
import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.spi.Lifecycle;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
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
    private static final int CHUNK = 10_000;

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
    static final String DELETE_DELIVERIES = """
            with gone as (
            delete from pgobserver.deliveries
             where delivery_id in (
                   select d.delivery_id from pgobserver.deliveries d
                    where d.delivered_at < now() - make_interval(secs => :seconds)
                      and not exists (select 1 from pgobserver.change_log l where l.id = d.change_log_id offset 0)
                      and not exists (select 1 from pgobserver.parked_events p
                                       where p.consumer = d.consumer and p."offset" = d.change_log_id offset 0)
                      and not exists (select 1 from pgobserver.dead_letters l
                                       where l.consumer = d.consumer and l."offset" = d.change_log_id offset 0)
                    limit :chunk)
            returning 1
            )
            select count(*) from gone
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
        long deliveries = deleteInChunks(DELETE_DELIVERIES, seconds);
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

    private void runSafely() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            LOG.warn("Retention run failed, retrying at the next interval: {}", Database.rootMessage(e));
        }
    }
}
