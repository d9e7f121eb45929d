package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.port.SchemaChange;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;

/** This release's migrations of schema {@value Database#SCHEMA}: applied at a start that migrates, read otherwise. */
final class SchemaMigrations {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrations.class);

    private SchemaMigrations() {
    }

    static Flyway of(DataSource dataSource) {
        return Flyway.configure(Database.class.getClassLoader())
                .dataSource(dataSource)
                .schemas(Database.SCHEMA)
                .defaultSchema(Database.SCHEMA)
                .createSchemas(true)
                .locations("classpath:db/pgobserver")
                .placeholderReplacement(false)
                .load();
    }

    /** Applies the migrations not applied yet, and says what that changed. */
    static SchemaChange migrate(DataSource dataSource) {
        MigrateResult result = of(dataSource).migrate();
        if (result.migrationsExecuted > 0) {
            LOG.info("Migrated schema {} to version {} ({} migrations)", Database.SCHEMA, result.targetSchemaVersion,
                    result.migrationsExecuted);
            return new SchemaChange(result.initialSchemaVersion, result.targetSchemaVersion);
        }
        LOG.debug("Schema {} is up to date", Database.SCHEMA);
        return new SchemaChange(result.initialSchemaVersion, result.initialSchemaVersion);
    }
}
