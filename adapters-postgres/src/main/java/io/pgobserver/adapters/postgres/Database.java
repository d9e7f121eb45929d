package io.pgobserver.adapters.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.pgobserver.domain.port.SchemaChange;
import io.pgobserver.domain.spi.Lifecycle;
import io.pgobserver.domain.spi.Lifecycle.NotInstalled;
import io.pgobserver.domain.spi.Lifecycle.Unavailable;
import io.pgobserver.domain.spi.StorageAccess;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementExceptions;
import org.postgresql.PGProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * The database: a connection pool for the stores, dedicated connections for the listener and the leadership
 * lock (they hold session state: LISTEN, an advisory lock), and the schema migrations, run at start, or for a
 * command that only reads, the check that the schema is there at this release's version ({@link InstalledSchema}).
 */
@Singleton
final class Database implements Lifecycle {

    static final String SCHEMA = "pgobserver";
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    private static final int POOL_SIZE = 10;
    /**
     * How long a call on the pool may hear nothing from the server before it fails: a frozen server, or one cut off by
     * the network without a reset, otherwise keeps it waiting until the operating system gives up (hours), and with it
     * the pipeline, which retries a failed call but cannot retry one that never ends. It bounds each read, not the
     * statement: a page of large rows streams and never trips it. The stores' statements answer in far less; the
     * dedicated sessions (listener, lock) have the same bound; the migrations at start have none
     * ({@link MigrationDataSource}). A {@code socketTimeout} in the URL wins.
     */
    static final int SILENCE_MILLIS = 60_000;
    static final String SILENCE_SECONDS = String.valueOf(SILENCE_MILLIS / 1000);
    /** How long the pool waits for a connection, and one attempt to open it may take. */
    static final int ATTEMPT_SECONDS = 10;

    private final DatabaseSettings settings;
    // Not synchronized: start() migrates and stop() closes the pool while holding it, which on Java 21 would pin the
    // carrier of a caller on a virtual thread.
    private final ReentrantLock lifecycle = new ReentrantLock();
    private final StorageAccess access;
    private final PoolThreads poolThreads = new PoolThreads("pg-observer pool");
    private volatile ConnectionAttempts attempts;
    private volatile HikariDataSource pool;
    private volatile Jdbi jdbi;
    private volatile SchemaChange schemaChange;

    @Inject
    Database(DatabaseSettings settings, StorageAccess access) {
        this.settings = settings;
        this.access = access;
    }

    /** A database whose start migrates the schema. */
    Database(DatabaseSettings settings) {
        this(settings, StorageAccess.MIGRATE);
    }

    /** What the start did to the schema; null before it, and for a command that only reads. */
    SchemaChange schemaChange() {
        return schemaChange;
    }

    /** Whether this command only reads: it changes nothing in the database, not even on a schedule. */
    boolean readOnly() {
        return access == StorageAccess.READ_ONLY;
    }

    @Override
    public String name() {
        return "postgres";
    }

    @Override
    public int order() {
        return ORDER_STORAGE;
    }

    /**
     * Opens the pool and migrates the schema, or, for a command that only reads, checks it.
     *
     * @throws Unavailable while the server does not answer or cannot take sessions yet ({@link StartFailures})
     * @throws NotInstalled when the command only reads and the schema is missing or older than this release
     * @throws IllegalArgumentException when it refuses the settings: the password, the user, the database
     */
    @Override
    public void start() throws Unavailable, NotInstalled {
        lifecycle.lock();
        try {
            open();
        } finally {
            lifecycle.unlock();
        }
    }

    private void open() throws Unavailable, NotInstalled {
        if (pool != null) {
            return;
        }
        HikariDataSource dataSource;
        try {
            attempts = new ConnectionAttempts(settings);
            dataSource = new HikariDataSource(poolConfig(attempts));
        } catch (RuntimeException e) {
            StartFailures.outageBehind(describe(), e, this::askAgain);
            throw StartFailures.connecting(describe(), settings.user(), e);
        }
        if (readOnly()) {
            try {
                InstalledSchema.check(SchemaMigrations.of(dataSource), describe());
            } catch (NotInstalled e) {
                poolThreads.close(dataSource);
                throw e;
            } catch (RuntimeException e) {
                poolThreads.close(dataSource);
                throw StartFailures.reading(describe(), settings.user(), e);
            }
        } else {
            try {
                schemaChange = SchemaMigrations.migrate(new MigrationDataSource(dataSource), describe());
            } catch (Unavailable e) {
                poolThreads.close(dataSource); // a stop may have come during the lock wait, which no interrupt ends
                throw e;
            } catch (RuntimeException e) {
                poolThreads.close(dataSource);
                StartFailures.outageBehind(describe(), e, this::askAgain);
                throw StartFailures.migrating(describe(), settings.user(), e);
            }
        }
        Jdbi created = Jdbi.create(dataSource);
        // Jdbi's default error message appends the statement and every bound argument: a failed dead-letter or
        // checkpoint write would put the whole event (row contents, megabytes of them, possibly personal data)
        // into the log line and into the span's error. The PostgreSQL error alone says what went wrong.
        created.getConfig(StatementExceptions.class).setMessageRendering(StatementExceptions.MessageRendering.NONE);
        jdbi = created;
        pool = dataSource;
    }

    @Override
    public void stop() {
        lifecycle.lock();
        try {
            HikariDataSource dataSource = pool;
            pool = null;
            jdbi = null;
            if (dataSource != null) {
                endConnectionAttempts();
                dataSource.close();
            }
        } finally {
            lifecycle.unlock();
        }
    }

    /**
     * Ends the pool's attempts to connect under way ({@link PoolThreads}), saying so at INFO only when they were
     * failing: a pool still filling up to its minimum, its server answering, is no news to an operator.
     */
    private void endConnectionAttempts() {
        boolean failing = attempts.failing(); // read first: the interrupt itself fails an attempt under way
        if (poolThreads.endConnectionAttempts() == 0) {
            return;
        }
        if (failing) {
            LOG.info("the database pool was still trying to connect to PostgreSQL: the stop ends its attempts "
                    + "rather than wait for the next one");
        } else {
            LOG.debug("the database pool was still opening a connection: the stop ends that rather than wait for it");
        }
    }

    /** The store's handle on the pool. */
    Jdbi jdbi() {
        Jdbi current = jdbi;
        if (current == null) {
            throw new IllegalStateException("the postgres adapter is not started: start its Lifecycle first");
        }
        return current;
    }

    /**
     * Lifts {@link #SILENCE_MILLIS} for the rest of this handle's time on its connection, for statements that may
     * rightly keep the server silent longer: a backfill chunk (it waits for writers' row locks and may scan far for
     * its condition), the application's own writes. The pool puts the bound back when the connection returns.
     */
    static void waitAsLongAsItTakes(Handle handle) {
        try {
            handle.getConnection().setNetworkTimeout(Runnable::run, 0);
        } catch (SQLException e) {
            throw new ConnectionException(e); // a closed connection: the call fails as its first statement would
        }
    }

    /**
     * A connection of its own, outside the pool, for session state that must not leak into pooled connections
     * or be lost when the pool recycles one. Keep-alive and timeouts make a dead peer show up as an error
     * rather than a hang, on both ends: the server-side keep-alives make PostgreSQL end the session of a
     * vanished host (power loss, network partition) within about half a minute instead of the operating
     * system's two hours, which frees the leadership lock for the standby. Settings in the URL win.
     */
    Connection connect(String purpose) throws SQLException {
        Properties props = new Properties();
        if (settings.user() != null) {
            props.setProperty(PGProperty.USER.getName(), settings.user());
        }
        if (settings.password() != null) {
            props.setProperty(PGProperty.PASSWORD.getName(), settings.password().reveal());
        }
        props.setProperty(PGProperty.APPLICATION_NAME.getName(), "pg-observer " + purpose);
        props.setProperty(PGProperty.TCP_KEEP_ALIVE.getName(), "true");
        props.setProperty(PGProperty.LOG_SERVER_ERROR_DETAIL.getName(), "false");
        props.setProperty(PGProperty.CONNECT_TIMEOUT.getName(), "10");
        // A frozen server fails the attempt after as long as the pool gives one, and an interrupt ends the wait.
        props.setProperty(PGProperty.LOGIN_TIMEOUT.getName(), ConnectionAttempts.loginTimeout(settings.url()));
        props.setProperty(PGProperty.SOCKET_TIMEOUT.getName(), SILENCE_SECONDS);
        props.setProperty(PGProperty.OPTIONS.getName(),
                "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3");
        Connection connection = DriverManager.getConnection(settings.url(), props);
        connection.setAutoCommit(true);
        return connection;
    }

    /** Opens and closes a session of its own, after a failed start: its failure, or null when the server answers. */
    private SQLException askAgain() {
        try (Connection ignored = connect("start")) {
            return null;
        } catch (SQLException e) {
            return e;
        }
    }

    /** The database's address for messages: the URL without its query string, which may carry a password. */
    String describe() {
        String url = settings.url();
        int query = url.indexOf('?');
        String base = query < 0 ? url : url.substring(0, query);
        int at = base.lastIndexOf('@');
        return at < 0 ? base : "jdbc:postgresql://" + base.substring(at + 1);
    }

    /** Closes a connection of its own ({@code what}, for the debug line) that may be broken or null. */
    static void closeQuietly(Connection connection, String what) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.debug("Closing {} failed", what, e);
        }
    }

    static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        if (root instanceof java.net.UnknownHostException) {
            // Its message is the bare host name, which reads like no reason at all.
            return "unknown host " + message;
        }
        if (message == null) {
            return root.getClass().getSimpleName();
        }
        // Callers go on with ". Check ...": a driver message's own full stop would double it.
        return message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
    }

    private HikariConfig poolConfig(DataSource connections) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("pg-observer");
        config.setThreadFactory(poolThreads);
        config.setDataSource(connections);
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(ATTEMPT_SECONDS * 1000L);
        return config;
    }
}
