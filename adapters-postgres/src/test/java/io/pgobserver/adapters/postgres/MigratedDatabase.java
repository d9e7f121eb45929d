package io.pgobserver.adapters.postgres;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh database in the shared embedded server, migrated and opened once per test class:
 * {@code @RegisterExtension static final MigratedDatabase DB = new MigratedDatabase();}.
 */
final class MigratedDatabase implements BeforeAllCallback, AfterAllCallback {

    private DatabaseSettings settings;
    private Database database;

    @Override
    public void beforeAll(ExtensionContext context) {
        settings = TestPostgres.newDatabase();
        database = TestPostgres.startedDatabase(settings);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        database.stop();
    }

    DatabaseSettings settings() {
        return settings;
    }

    Database database() {
        return database;
    }

    void execute(String... sql) {
        TestPostgres.execute(settings, sql);
    }
}
