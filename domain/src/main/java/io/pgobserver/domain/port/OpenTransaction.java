package io.pgobserver.domain.port;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A transaction still open that has written rows to the change stream: they are in no batch until it commits, so
 * its events are late while the lag says 0 ({@link ChangeSource#oldestOpenWriter()}).
 *
 * @param pid         its server process
 * @param xid         its transaction id
 * @param state       {@code idle in transaction}, {@code active}, …; null when the database hides it from the
 *                    observer's role
 * @param application its application name ("" when it set none)
 * @param role        the role it runs as
 * @param query       its last statement, cut short; null when hidden
 * @param age         how long it has been open; null when hidden
 */
public record OpenTransaction(int pid, long xid, String state, String application, String role, String query,
                             Duration age) {

    /** The role whose members see other roles' sessions in full. */
    public static final String GRANT = "pg_read_all_stats";

    public OpenTransaction {
        Objects.requireNonNull(application, "application");
        Objects.requireNonNull(role, "role");
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
        return "commit it from its application, or end it with SELECT pg_terminate_backend(" + pid
                + ") (its changes are rolled back and never become events)";
    }

    /** "2h 3m", "4m 10s", "12s". */
    public static String readable(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds >= 3600) {
            return seconds / 3600 + "h " + seconds % 3600 / 60 + "m";
        }
        return seconds >= 60 ? seconds / 60 + "m " + seconds % 60 + "s" : seconds + "s";
    }
}
