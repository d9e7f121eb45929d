package io.pgobserver.domain.port;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A transaction still open that has written rows to the change stream: they are in no batch until it commits, so
 * its events are late while the lag says 0 ({@link ChangeSource#oldestOpenWriter()}). Either a session's, or a
 * prepared one (two-phase commit: PREPARE TRANSACTION done, COMMIT PREPARED not yet), which no session holds: its
 * transaction manager should finish it, and when that manager is gone it stays until someone does.
 *
 * @param pid         its server process; 0 for a prepared one
 * @param xid         its transaction id
 * @param state       {@code idle in transaction}, {@code active}, …; null when the database hides it from the
 *                    observer's role; {@code prepared} for a prepared one
 * @param application its application name ("" when it set none, and for a prepared one)
 * @param role        the role it runs as (a prepared one's owner)
 * @param query       its last statement, cut short; null when hidden, and for a prepared one
 * @param age         how long it has been open (a prepared one: since PREPARE TRANSACTION); null when hidden
 * @param gid         a prepared one's global transaction id (the name given to PREPARE TRANSACTION); null for a
 *                    session's
 */
public record OpenTransaction(int pid, long xid, String state, String application, String role, String query,
                             Duration age, String gid) {

    /** The role whose members see other roles' sessions in full. */
    public static final String GRANT = "pg_read_all_stats";
    /**
     * How long a transaction must have been open for {@code status} and the console to name it: a shorter one is a
     * busy database's traffic, there at nearly every look, and would teach operators to skip the line.
     */
    public static final Duration SAID_AFTER = Duration.ofSeconds(10);

    /** A session's transaction. */
    public OpenTransaction(int pid, long xid, String state, String application, String role, String query,
                           Duration age) {
        this(pid, xid, state, application, role, query, age, null);
    }

    /** A prepared transaction: no session, its owner, prepared {@code age} ago. */
    public static OpenTransaction prepared(long xid, String gid, String owner, Duration age) {
        return new OpenTransaction(0, xid, "prepared", "", owner, null, Objects.requireNonNull(age, "age"),
                Objects.requireNonNull(gid, "gid"));
    }

    public OpenTransaction {
        Objects.requireNonNull(application, "application");
        Objects.requireNonNull(role, "role");
    }

    /** Whether it is a prepared transaction, which no session holds. */
    public boolean isPrepared() {
        return gid != null;
    }

    /** "open transaction", or "prepared transaction". */
    public String kind() {
        return isPrepared() ? "prepared transaction" : "open transaction";
    }

    /**
     * Whether {@code status} and the console name it: open {@link #SAID_AFTER}, or its age hidden (it is named with
     * the grant that shows it).
     */
    public boolean worthSaying() {
        return knownAge().map(known -> known.compareTo(SAID_AFTER) >= 0).orElse(true);
    }

    /** Its age, when the database shows it. */
    public Optional<Duration> knownAge() {
        return Optional.ofNullable(age);
    }

    /**
     * Who it is and how long it has been open, as the log and {@code status} say it: "pid 1234, idle in transaction
     * for 2h 3m (app 'billing', role 'app')".
     *
     * @param seenFor when its age is hidden, how long the caller has seen it open, or null when it has not watched
     */
    public String describe(Duration seenFor) {
        if (isPrepared()) {
            return "gid '" + gid + "' (role '" + role + "'), prepared " + readable(age)
                    + " ago and neither committed nor rolled back; no session holds it";
        }
        String who = "app '" + application + "', role '" + role + "'";
        if (age != null) {
            return "pid " + pid + ", " + state + " for " + readable(age) + " (" + who + ")";
        }
        return "pid " + pid + " (" + who + "), open " + (seenFor == null ? "for a time the database does not show"
                : "for at least " + readable(seenFor) + " (seen that long; its start is not shown)")
                + ": grant " + GRANT + " to the observer's role to see its age, state and query";
    }

    /** How to end it, so that its events arrive (a commit) or never will (a rollback). */
    public String howToEnd() {
        if (isPrepared()) {
            String name = "'" + gid.replace("'", "''") + "'";
            return "its transaction manager should normally finish it; if that is gone for good, run COMMIT PREPARED "
                    + name + " (its events arrive) or ROLLBACK PREPARED " + name + " (its changes are rolled back "
                    + "and never become events) in this database, as role '" + role + "' or a superuser";
        }
        return "commit it from its application, or end it with SELECT pg_terminate_backend(" + pid
                + ") (its changes are rolled back and never become events)";
    }

    /** "1d 12h", "2h 3m", "4m 10s", "12s". */
    public static String readable(Duration duration) {
        return io.pgobserver.domain.config.Durations.rounded(duration);
    }
}
