package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.spi.Lifecycle;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One embedded PostgreSQL for the whole test JVM (start-up costs seconds); each test class gets a database of
 * its own in it, so classes cannot see each other's rows or locks on rows.
 */
final class TestPostgres {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres shared;

    private TestPostgres() {
    }

    static synchronized EmbeddedPostgres shared() {
        if (shared == null) {
            try {
                shared = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shared;
    }

    /** A new, empty database in the shared server. */
    static DatabaseSettings newDatabase() {
        return newDatabase(shared());
    }

    static DatabaseSettings newDatabase(EmbeddedPostgres postgres) {
        String name = "it" + DATABASES.incrementAndGet();
        DatabaseSettings admin = settings(postgres, "postgres");
        try (Connection connection = DriverManager.getConnection(admin.url(), admin.user(), null);
             Statement statement = connection.createStatement()) {
            statement.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return settings(postgres, name);
    }

    static DatabaseSettings settings(EmbeddedPostgres postgres, String database) {
        return new DatabaseSettings("jdbc:postgresql://localhost:" + postgres.getPort() + "/" + database,
                "postgres", null);
    }

    static Database startedDatabase(DatabaseSettings settings) {
        Database database = new Database(settings);
        try {
            database.start();
        } catch (Lifecycle.Unavailable | Lifecycle.NotInstalled e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return database;
    }

    static ListenerSettings listener(String consumer, Duration pollInterval) {
        return new ListenerSettings(consumer, 100, pollInterval, 16, 1000, Duration.ofMillis(200), null);
    }

    static Connection connect(DatabaseSettings settings) throws SQLException {
        return DriverManager.getConnection(settings.url(), settings.user(), null);
    }

    static void execute(DatabaseSettings settings, String... sql) {
        try (Connection connection = connect(settings); Statement statement = connection.createStatement()) {
            for (String each : sql) {
                statement.execute(each);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
