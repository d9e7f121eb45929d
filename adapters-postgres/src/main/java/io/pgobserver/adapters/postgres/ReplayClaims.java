package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.port.DeadLetters;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * The replay claims of dead letters: a session-level advisory lock per letter, on a session opened for the claim and
 * closed with it. PostgreSQL drops the lock with its session however that ends ({@code kill -9}, a lost connection,
 * an administrator's terminate), so no claim outlives its replay, where a lease column would keep a killed replay's
 * letter from everyone until it expired. A session of its own per claim, not a pooled one: advisory locks are
 * re-entrant within a session, so two replays of one process sharing one would both get the lock.
 *
 * <p>The lock has two int keys, which PostgreSQL keeps apart from the one bigint key of the consumer's leadership
 * lock ({@link AdvisoryLockLeadership}); its first key, the hash of {@link #KEY}, keeps it apart from the backfill
 * locks', which have two keys too. The second is the letter id's low 32 bits: letters 2^32 ids apart share a
 * claim, which at worst makes one replay wait for the other's end.
 */
final class ReplayClaims {

    static final String KEY = "pgobserver.dead_letter.replay";
    /** The claim sessions' application name before the process's {@code pid@host}. */
    private static final String SESSION = "replay ";
    private static final String NAME_PREFIX = "pg-observer " + SESSION;

    /**
     * The session holding letter {@code ?}'s claim. Advisory locks are per database, but pg_locks lists the whole
     * cluster's; a two-key lock shows as classid = first key, objid = second (unsigned), objsubid = 2.
     */
    private static final String HOLDER = """
            select a.pid, a.application_name, a.backend_start
              from pg_locks l join pg_stat_activity a on a.pid = l.pid
             where l.locktype = 'advisory' and l.objsubid = 2 and l.granted
               and l.database = (select oid from pg_database where datname = current_database())
               and l.classid::bigint = (hashtext(?)::bigint & 4294967295)
               and l.objid::bigint = (? & 4294967295)
             limit 1
            """;

    private final Database database;

    ReplayClaims(Database database) {
        this.database = database;
    }

    Optional<DeadLetters.Claim> claim(long id) {
        Connection session = null;
        try {
            session = database.connect(SESSION + ProcessName.CURRENT);
            try (PreparedStatement lock = session.prepareStatement("select pg_try_advisory_lock(hashtext(?), ?)")) {
                lock.setString(1, KEY);
                lock.setInt(2, (int) id);
                try (ResultSet rs = lock.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        Connection held = session;
                        session = null;
                        DeadLetters.Claim claim = () -> release(held, id);
                        return Optional.of(claim);
                    }
                    return Optional.empty();
                }
            }
        } catch (SQLException e) {
            throw Outages.said(database, new IllegalStateException("cannot claim dead letter " + id + " for its "
                    + "replay: " + Database.rootMessage(e), e));
        } finally {
            // The claim's session ends the claim: closed here unless it was handed over as the claim.
            Database.closeQuietly(session, "the claim session of dead letter " + id);
        }
    }

    /**
     * Unlocks, then closes the session. Closing alone ends the claim too, but the server ends a session after the
     * client has gone on: a replay that follows at once could still find the letter claimed. A failed unlock (the
     * session is gone, and the claim with it) leaves the close to end it.
     */
    private static void release(Connection session, long id) {
        try (PreparedStatement unlock = session.prepareStatement("select pg_advisory_unlock(hashtext(?), ?)")) {
            unlock.setString(1, KEY);
            unlock.setInt(2, (int) id);
            unlock.execute();
        } catch (SQLException e) {
            // Ended by the close below, or ended already.
        } finally {
            Database.closeQuietly(session, "the claim session of dead letter " + id);
        }
    }

    /**
     * The holder of the letter's claim: its process from its session's name, and since when, from the session's
     * start (a claim has its session to itself, opened for it). A session not named as ours (an application taking
     * the same key) shows as its backend pid.
     */
    Optional<DeadLetters.ClaimHolder> holder(long id) {
        return Outages.answering(database, () -> database.jdbi().withHandle(handle -> handle.select(HOLDER, KEY, id)
                .map((rs, ctx) -> {
                    String name = rs.getString("application_name");
                    OffsetDateTime start = rs.getObject("backend_start", OffsetDateTime.class);
                    String process = name != null && name.startsWith(NAME_PREFIX)
                            ? "pg-observer process " + name.substring(NAME_PREFIX.length())
                            : "PostgreSQL backend pid " + rs.getInt("pid");
                    return new DeadLetters.ClaimHolder(process, start == null ? null : start.toInstant());
                })
                .findOne()));
    }
}
