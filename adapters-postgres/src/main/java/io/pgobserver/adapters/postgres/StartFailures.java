package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.spi.Lifecycle;
import org.flywaydb.core.api.exception.FlywayValidateException;

import java.io.IOException;
import java.sql.SQLException;
import java.util.function.Supplier;

/**
 * Why the database could not be used at start, told apart by what cures it. An outage (the server down, starting up,
 * shutting down or restarting after a crash, out of connections, a host name or route not there yet) ends by itself:
 * {@link Lifecycle.Unavailable}, which {@code run} waits out. Settings the server refuses (a password, a user, a
 * database name, a privilege) never get better by waiting: {@link IllegalArgumentException} naming the setting, a
 * configuration error. Anything else stays a plain failure.
 */
final class StartFailures {

    static final String CONNECT_ADVICE = "Check database.url, database.user and database.password, and that the "
            + "server is running.";

    private StartFailures() {
    }

    /**
     * The failure to open the pool at {@code where} (the URL without secrets), for {@link Database#start()} to throw.
     *
     * @throws Lifecycle.Unavailable when it is an outage
     */
    static RuntimeException connecting(String where, String user, Throwable error) throws Lifecycle.Unavailable {
        String why = Database.rootMessage(error);
        if (isOutage(error)) {
            throw new Lifecycle.Unavailable("PostgreSQL at " + where, why, CONNECT_ADVICE, error);
        }
        String fix = settingToFix(sqlState(error), user, databaseName(where));
        String message = "cannot connect to PostgreSQL at " + where + ": " + why + ". ";
        return fix == null ? new IllegalStateException(message + CONNECT_ADVICE, error)
                : new IllegalArgumentException(message + fix, error);
    }

    /**
     * The failure to migrate the schema at {@code where}, for {@link Database#start()} to throw.
     *
     * @throws Lifecycle.Unavailable when the server went away since the pool opened
     */
    static RuntimeException migrating(String where, String user, Throwable error) throws Lifecycle.Unavailable {
        if (error instanceof FlywayValidateException invalid) {
            return differentMigrations(where, invalid);
        }
        String role = user == null ? "<user>" : user;
        return schemaFailure("migrate", where, error, why -> why.contains("for database")
                ? " The database user needs CREATE on the database: GRANT CREATE ON DATABASE " + databaseName(where)
                        + " TO " + role + ", or set a database.user that has it."
                // The schema is there and another role owns it (denied on the schema, or "must be owner of table").
                : " The " + Database.SCHEMA + " schema belongs to the role that installed it: set database.user to "
                        + "that role, or make " + role + " a member of it (GRANT <owner> TO " + role + "; SELECT "
                        + "nspowner::regrole FROM pg_namespace WHERE nspname = '" + Database.SCHEMA + "' names it).");
    }

    /**
     * The migrations this release carries differ from those the schema's history records (one changed since it was
     * applied, or applied and absent here, below this release's last): no wait cures that, another jar does. Flyway's
     * own lines say which, without its advice to run its repair command, which pg-observer does not have and which
     * would hide a schema other than the one this release expects.
     */
    private static IllegalArgumentException differentMigrations(String where, FlywayValidateException error) {
        String mismatches = error.getMessage().lines().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("Validate failed") && !line.contains("repair")
                        && !line.startsWith("Need more flexibility"))
                .collect(java.util.stream.Collectors.joining(" ")).replaceAll("\\s+", " ");
        return new IllegalArgumentException("cannot migrate the " + Database.SCHEMA + " schema at " + where + ": "
                + mismatches + ". The migrations of this pg-observer differ from those applied to the schema (a jar "
                + "built from another branch, or the schema's history edited): start the release that migrated it, "
                + "or a later one", error);
    }

    /**
     * The failure to read the schema's version at {@code where} for a command that only reads, for
     * {@link Database#start()} to throw.
     *
     * @throws Lifecycle.Unavailable when the server went away since the pool opened
     */
    static RuntimeException reading(String where, String user, Throwable error) throws Lifecycle.Unavailable {
        String role = user == null ? "<user>" : user;
        String schema = Database.SCHEMA;
        return schemaFailure("read", where, error, why -> " A role that only reads needs GRANT USAGE ON SCHEMA "
                + schema + " TO " + role + "; GRANT SELECT ON ALL TABLES IN SCHEMA " + schema + " TO " + role
                + "; GRANT SELECT ON ALL SEQUENCES IN SCHEMA " + schema + " TO " + role
                + " (or set a database.user that has them); so that tables a later release adds are readable too,"
                + " the schema's owner can run ALTER DEFAULT PRIVILEGES IN SCHEMA " + schema
                + " GRANT SELECT ON TABLES TO " + role + " (and ON SEQUENCES).");
    }

    /**
     * An outage, a privilege missing (42501: a configuration error, with {@code privilegeFix} of the server's words
     * as the cure), or else the migration tool's or the server's own words.
     */
    private static RuntimeException schemaFailure(String doing, String where, Throwable error,
                                                  java.util.function.UnaryOperator<String> privilegeFix)
            throws Lifecycle.Unavailable {
        String why = Database.rootMessage(error);
        if (isOutage(error)) {
            throw new Lifecycle.Unavailable("PostgreSQL at " + where, why, CONNECT_ADVICE, error);
        }
        String message = "cannot " + doing + " the " + Database.SCHEMA + " schema at " + where + ": " + why + ".";
        return "42501".equals(sqlState(error)) ? new IllegalArgumentException(message
                + privilegeFix.apply(String.valueOf(why)), error) : new IllegalStateException(message, error);
    }

    /**
     * Throws {@link Lifecycle.Unavailable} when {@code error} is no outage in its own words but the server, asked again
     * on a session of its own, does not answer: a server stopping in the middle of the start cuts the session the pool
     * or the migration tool is using, and their next call on it fails in their own words, with no SQLSTATE ("Connection
     * is closed"). Otherwise returns, and the failure is told as it is.
     *
     * @param askAgain opens and closes a new session: its failure, or null when the server answers
     */
    static void outageBehind(String where, Throwable error, Supplier<SQLException> askAgain)
            throws Lifecycle.Unavailable {
        if (isOutage(error)) {
            return; // said in its own words by connecting() or migrating()
        }
        if (Thread.currentThread().isInterrupted()) {
            return; // a stop ended the start: asking again would only wait, on a server that may not answer
        }
        SQLException again = askAgain.get();
        if (again != null && isOutage(again)) {
            again.addSuppressed(error); // --verbose shows both
            throw new Lifecycle.Unavailable("PostgreSQL at " + where, Database.rootMessage(again), CONNECT_ADVICE,
                    again);
        }
    }

    /** The database name at the end of {@code where} (a URL without its query), or a placeholder. */
    static String databaseName(String where) {
        String name = where.substring(where.lastIndexOf('/') + 1);
        return name.isEmpty() ? "<name>" : name;
    }

    /**
     * Whether waiting may cure it: no answer at the network level (refused, unknown host, timed out, cut), or the
     * server answering that it cannot take the session now. 57P03 is "the database system is starting up / shutting
     * down / in recovery / not yet accepting connections"; 57P01 and 57P02 end a session as the server shuts down or
     * restarts after a crash; class 53 is too many connections, out of memory or disk; 08006 is the server closing
     * the connection while it is set up. Without a primary (targetServerType=primary during a failover) the driver
     * finds no server of the kind asked for, which ends once one is promoted. A server that accepts the connection and
     * never answers (frozen, or cut off without a reset) runs the attempt out of its time (its login timeout).
     */
    static boolean isOutage(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            // A failed TLS handshake is a certificate or setting to fix, not a network that is not there yet.
            if (cause instanceof IOException && !(cause instanceof javax.net.ssl.SSLException)) {
                return true;
            }
            if (cause == cause.getCause()) {
                break;
            }
        }
        String state = sqlState(error);
        if (state == null) {
            return false;
        }
        String why = String.valueOf(Database.rootMessage(error));
        return state.equals("57P01") || state.equals("57P02") || state.equals("57P03") || state.startsWith("53")
                || state.equals("08006") || state.equals("08001") && (why.startsWith("Could not find a server with "
                + "specified targetServerType") || why.startsWith("Connection attempt timed out"));
    }

    /** What to fix when the server refuses the settings (by SQLSTATE), or null when it is something else. */
    private static String settingToFix(String state, String user, String database) {
        String who = user == null ? "the database user" : "user " + user;
        if (state == null) {
            return null;
        }
        return switch (state) {
            case "28P01" -> "The server refused the password of " + who + ": check database.password (or the "
                    + "password in DATABASE_URL, or in the libpq password file).";
            // The driver's own refusals: a password asked for and none given, SSL or GSS the server does not offer.
            case "08004" -> "Give the password of " + who + " (database.password, the password in DATABASE_URL, or a "
                    + "libpq password file), and check the ssl and gss settings in database.url.";
            case "28000" -> "Check database.user, and that the server's pg_hba.conf lets " + who + " connect to this "
                    + "database from this host.";
            case "3D000" -> "Check the database name in database.url (jdbc:postgresql://HOST:PORT/DATABASE), or "
                    + "create the database.";
            case "42501" -> "Grant " + who + " CONNECT on the database (GRANT CONNECT ON DATABASE " + database + " TO "
                    + (user == null ? "<user>" : user) + "), or set another database.user.";
            default -> null;
        };
    }

    /** The first SQLSTATE along the causes (the pool and Flyway wrap the driver's exception). */
    static String sqlState(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
            if (cause == cause.getCause()) {
                break;
            }
        }
        return null;
    }
}
