package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.port.SchemaChange;
import io.pgobserver.domain.spi.Lifecycle.Unavailable;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.sql.DataSource;

/** This release's migrations of schema {@value Database#SCHEMA}: applied at a start that migrates, read otherwise. */
final class SchemaMigrations {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrations.class);
    /**
     * How long a migration waits for a lock. One that alters change_log waits for every open transaction that wrote
     * to it, and the application's writes queue behind the waiting migration: unbounded, one long transaction would
     * stop every captured table's writes for as long as it runs. Giving up costs a retry instead, as for install.
     */
    static final Duration LOCK_WAIT = PostgresCaptureInstaller.LOCK_WAIT;
    private static final String LOCK_NOT_AVAILABLE = "55P03";
    private static final String HOLDERS = LockHolders.sessionsHolding(
            "in (select oid from pg_class where relnamespace = '" + Database.SCHEMA + "'::regnamespace)");

    private SchemaMigrations() {
    }

    static Flyway of(DataSource dataSource) {
        return configuration(dataSource).load();
    }

    private static FluentConfiguration configuration(DataSource dataSource) {
        return Flyway.configure(Database.class.getClassLoader())
                .dataSource(dataSource)
                .schemas(Database.SCHEMA)
                .defaultSchema(Database.SCHEMA)
                .createSchemas(true)
                .locations("classpath:db/pgobserver")
                .placeholderReplacement(false);
    }

    /**
     * Applies the migrations not applied yet, and says what that changed.
     *
     * @param where the database's address without secrets
     * @throws Unavailable when a migration gave up waiting for a lock: nothing of it was applied, and a later
     *                     attempt may find the lock free
     */
    static SchemaChange migrate(DataSource dataSource, String where) throws Unavailable {
        Flyway migrations = configuration(dataSource).callbacks(new BoundedLockWait()).load();
        MigrateResult result;
        try {
            result = migrations.migrate();
        } catch (FlywayException e) {
            if (LOCK_NOT_AVAILABLE.equals(StartFailures.sqlState(e))) {
                throw lockedOut(dataSource, where, e);
            }
            throw e;
        }
        if (result.migrationsExecuted > 0) {
            LOG.info("Migrated schema {} to version {} ({} migrations)", Database.SCHEMA, result.targetSchemaVersion,
                    result.migrationsExecuted);
            return new SchemaChange(result.initialSchemaVersion, result.targetSchemaVersion);
        }
        String release = releaseVersion(migrations.info());
        if (result.initialSchemaVersion != null && !result.initialSchemaVersion.equals(release)) {
            // Flyway ignores the versions it does not know ("*:future"), as a rolling deploy needs: the older
            // release's processes keep running, and restart, on the schema the newer one migrated.
            LOG.warn("the {} schema at {} is at version {}, newer than this pg-observer's {}: a newer release "
                    + "migrated it. This one runs on it (a migration keeps what the releases before it use), and "
                    + "undoes nothing; run the newer release again when you can", Database.SCHEMA, where,
                    result.initialSchemaVersion, release);
        } else {
            LOG.debug("Schema {} is up to date", Database.SCHEMA);
        }
        return new SchemaChange(result.initialSchemaVersion, result.initialSchemaVersion, release);
    }

    /** The version of this release's last migration, whatever the schema's: the migrations it carries. */
    static String releaseVersion(MigrationInfoService info) {
        return Arrays.stream(info.all()).filter(m -> !newer(m)).reduce((first, second) -> second)
                .map(m -> m.getVersion().getVersion()).orElseThrow();
    }

    /** Whether a newer release applied this migration: this one does not carry it. */
    static boolean newer(MigrationInfo migration) {
        return migration.getState() == MigrationState.FUTURE_SUCCESS
                || migration.getState() == MigrationState.FUTURE_FAILED;
    }

    private static Unavailable lockedOut(DataSource dataSource, String where, FlywayException error) {
        String holders = LockHolders.described(holders(dataSource));
        return Unavailable.busy("the migration of the " + Database.SCHEMA + " schema at " + where,
                "a lock it needs is held by " + holders + " (waited " + LOCK_WAIT.toSeconds() + " s)",
                "cannot migrate the " + Database.SCHEMA + " schema at " + where + ": it waited " + LOCK_WAIT
                        .toSeconds() + " s for a lock on its tables, held by " + holders + ", while the "
                        + "application's writes to captured tables queued behind it, and gave up without a change. "
                        + "'pg-observer run' tries again by itself (1 s doubling to 30 s); any other command "
                        + "(install, backfill, replay, dlq replay): run it again once those transactions have ended",
                error);
    }

    private static List<String> holders(DataSource dataSource) {
        List<String> sessions = new ArrayList<>();
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(HOLDERS)) {
            while (rows.next()) {
                sessions.add(rows.getString(1));
            }
        } catch (SQLException e) {
            LOG.debug("could not name the sessions holding locks on schema {}", Database.SCHEMA, e);
        }
        return sessions;
    }

    /** Bounds each migration's lock waits, in its own transaction only: the pool's sessions keep their setting. */
    private static final class BoundedLockWait implements Callback {

        @Override
        public boolean supports(Event event, Context context) {
            return event == Event.BEFORE_EACH_MIGRATE;
        }

        @Override
        public boolean canHandleInTransaction(Event event, Context context) {
            return true;
        }

        @Override
        public void handle(Event event, Context context) {
            try (Statement statement = context.getConnection().createStatement()) {
                statement.execute("set local lock_timeout = '" + LOCK_WAIT.toMillis() + "ms'");
            } catch (SQLException e) {
                throw new IllegalStateException("cannot bound the migration's lock waits: " + e.getMessage(), e);
            }
        }

        @Override
        public String getCallbackName() {
            return "bounded lock wait";
        }
    }
}
