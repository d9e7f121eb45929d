package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.port.DeadLetters;
import io.pgobserver.domain.spi.Lifecycle;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The replay claims of dead letters: a session-level advisory lock per letter, on a claim session of this process.
 * PostgreSQL drops the lock with its session however that ends ({@code kill -9}, a lost connection, an
 * administrator's terminate), so no claim outlives its replay, where a lease column would keep a killed replay's
 * letter from everyone until it expired.
 *
 * <p>A claim session holds one claim at a time: advisory locks are re-entrant within a session, so two replays of
 * one process (two console clicks) sharing one would both get the lock. Released, the session is kept free for the
 * next claim rather than closed: a replay of the whole queue claims its letters one after another on one session,
 * where a session per claim paid a connection (a TLS handshake, against a remote database) per letter. One free
 * session at most: a session released while another is free is closed, so claims that ran at once leave one idle
 * session behind, not one each. The free one is closed after {@link #IDLE} unused (a process serving the console
 * replays now and then, and its idle session would otherwise stay for its life) and when the adapter stops; a claim
 * held at the stop keeps its session until its replay releases it, which then closes it.
 *
 * <p>The lock has two int keys, which PostgreSQL keeps apart from the one bigint key of the consumer's leadership
 * lock ({@link AdvisoryLockLeadership}); its first key, the hash of {@link #KEY}, keeps it apart from the backfill
 * locks', which have two keys too. The second is the letter id's low 32 bits: letters 2^32 ids apart share a
 * claim, which at worst makes one replay wait for the other's end.
 */
@Singleton
final class ReplayClaims implements Lifecycle {

    /** How long the free claim session is kept unused: a replay of the whole queue claims far more often. */
    static final Duration IDLE = Duration.ofSeconds(60);
    static final String KEY = "pgobserver.dead_letter.replay";
    /** The claim sessions' application name before the process's {@code pid@host}. */
    private static final String SESSION = "replay ";
    private static final String NAME_PREFIX = "pg-observer " + SESSION;

    /**
     * The session holding letter {@code ?}'s claim, and when it ran its last statement: a claim session runs nothing
     * while it holds a claim, so that is the lock's. Advisory locks are per database, but pg_locks lists the whole
     * cluster's; a two-key lock shows as classid = first key, objid = second (unsigned), objsubid = 2.
     */
    private static final String HOLDER = """
            select a.pid, a.application_name, a.query_start
              from pg_locks l join pg_stat_activity a on a.pid = l.pid
             where l.locktype = 'advisory' and l.objsubid = 2 and l.granted
               and l.database = (select oid from pg_database where datname = current_database())
               and l.classid::bigint = (hashtext(?)::bigint & 4294967295)
               and l.objid::bigint = (? & 4294967295)
             limit 1
            """;

    private final Database database;
    private final Duration idle;
    /** The claim session holding no claim, if any. One found dead when next used is closed and a new one opened. */
    private final AtomicReference<Free> free = new AtomicReference<>();
    /** False from the stop to the next start: a session released meanwhile is closed, not kept. */
    private volatile boolean keeping = true;

    /** Whether a check for an idle free session is scheduled: one at a time, however often claims are released. */
    private final AtomicBoolean watching = new AtomicBoolean();

    /**
     * A session kept free, and when: compared by identity, so a check never closes the session freed again by a
     * later release, whose idle time starts then.
     */
    private record Free(Connection session, long freedAt) {
    }

    @Inject
    ReplayClaims(Database database) {
        this(database, IDLE);
    }

    ReplayClaims(Database database, Duration idle) {
        this.database = database;
        this.idle = idle;
    }

    @Override
    public String name() {
        return "postgres-replay-claims";
    }

    /** Stops before the database, as the other parts holding sessions of their own do. */
    @Override
    public int order() {
        return ORDER_STORAGE + 10;
    }

    /** Keeps released sessions again after a stop; nothing to open before the first claim. */
    @Override
    public void start() {
        keeping = true;
    }

    /** Closes the free session; a held claim keeps its own until its replay releases it. */
    @Override
    public void stop() {
        keeping = false;
        Free kept = free.getAndSet(null);
        if (kept != null) {
            Database.closeQuietly(kept.session(), "the free claim session");
        }
    }

    /**
     * Takes the lock on a free claim session, else on a new one. The lock is held only once the server said so on a
     * live session: a free session the server or the network ended meanwhile fails the statement (or times out as
     * any of our sessions does), and is dropped for the next. A new session that fails is the database's outage.
     */
    Optional<DeadLetters.Claim> claim(long id) {
        Free kept = free.getAndSet(null);
        if (kept != null) {
            try {
                return tryLock(kept.session(), id);
            } catch (SQLException e) {
                Database.closeQuietly(kept.session(), "a claim session found ended");
            }
        }
        Connection session = null;
        try {
            session = database.connect(SESSION + ProcessName.CURRENT);
            Optional<DeadLetters.Claim> claim = tryLock(session, id);
            session = null;
            return claim;
        } catch (SQLException e) {
            throw Outages.said(database, new IllegalStateException("cannot claim dead letter " + id + " for its "
                    + "replay: " + Database.rootMessage(e), e));
        } finally {
            Database.closeQuietly(session, "the claim session of dead letter " + id);
        }
    }

    /** The claim on the session, which it holds until closed; or empty, and the session free again. */
    private Optional<DeadLetters.Claim> tryLock(Connection session, long id) throws SQLException {
        if (!call(session, "select pg_try_advisory_lock(hashtext(?), ?)", id)) {
            keep(session);
            return Optional.empty();
        }
        AtomicBoolean open = new AtomicBoolean(true);
        DeadLetters.Claim claim = () -> {
            if (open.compareAndSet(true, false)) {
                release(session, id);
            }
        };
        return Optional.of(claim);
    }

    /**
     * Unlocks, and frees the session for the next claim. Closing alone would end the claim too, but the server ends
     * a session after the client has gone on: a replay that follows at once could still find the letter claimed. A
     * session whose unlock failed or found no lock (ended meanwhile, the claim with it) is closed, never reused: a
     * free session must hold no claim.
     */
    private void release(Connection session, long id) {
        try {
            if (call(session, "select pg_advisory_unlock(hashtext(?), ?)", id)) {
                keep(session);
                return;
            }
        } catch (SQLException e) {
            // Ended already, or ended by the close below.
        }
        Database.closeQuietly(session, "the claim session of dead letter " + id);
    }

    /**
     * Keeps the session free for the next claim, unless one is free already or the adapter stopped: then closes it.
     * Kept, it is closed once unused for {@link #IDLE}, on a thread of its own so that no claim waits for the close.
     */
    private void keep(Connection session) {
        Free kept = new Free(session, System.nanoTime());
        if (!keeping || !free.compareAndSet(null, kept)) {
            Database.closeQuietly(session, "a claim session not needed free");
            return;
        }
        // A stop between the check and the set found nothing to close: taken back here, as it would have.
        if (!keeping) {
            closeIfStillFree(kept);
            return;
        }
        if (watching.compareAndSet(false, true)) {
            checkIdleIn(idle.toNanos());
        }
    }

    /**
     * One check at a time, not one per release: a replay of the whole queue releases hundreds of claims a second,
     * and a check each would hold a minute's worth of them pending. The check closes the free session once it has
     * been unused for {@link #IDLE}, else looks again when it would have been.
     */
    private void checkIdleIn(long nanos) {
        CompletableFuture.delayedExecutor(nanos, TimeUnit.NANOSECONDS, Thread::startVirtualThread)
                .execute(this::checkIdle);
    }

    private void checkIdle() {
        Free kept = free.get();
        if (kept != null) {
            long left = kept.freedAt() + idle.toNanos() - System.nanoTime();
            if (left > 0) {
                checkIdleIn(left);
                return;
            }
            closeIfStillFree(kept);
        }
        watching.set(false);
        // A session freed between the read above and the reset would otherwise wait for the next release's check.
        if (free.get() != null && watching.compareAndSet(false, true)) {
            checkIdleIn(idle.toNanos());
        }
    }

    private void closeIfStillFree(Free kept) {
        if (free.compareAndSet(kept, null)) {
            Database.closeQuietly(kept.session(), "the free claim session");
        }
    }

    private static boolean call(Connection session, String sql, long id) throws SQLException {
        try (PreparedStatement statement = session.prepareStatement(sql)) {
            statement.setString(1, KEY);
            statement.setInt(2, (int) id);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * The holder of the letter's claim: its process from its session's name, and since when, from the session's last
     * statement (the lock's). A session not named as ours (an application taking the same key) shows as its backend
     * pid, with no time: what it ran last says nothing of when it took the lock.
     */
    Optional<DeadLetters.ClaimHolder> holder(long id) {
        return Outages.answering(database, () -> database.jdbi().withHandle(handle -> handle.select(HOLDER, KEY, id)
                .map((rs, ctx) -> {
                    String name = rs.getString("application_name");
                    if (name == null || !name.startsWith(NAME_PREFIX)) {
                        return new DeadLetters.ClaimHolder("PostgreSQL backend pid " + rs.getInt("pid"), null);
                    }
                    OffsetDateTime start = rs.getObject("query_start", OffsetDateTime.class);
                    return new DeadLetters.ClaimHolder("pg-observer process " + name.substring(NAME_PREFIX.length()),
                            start == null ? null : start.toInstant());
                })
                .findOne()));
    }
}
