package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.spi.Lifecycle.NotInstalled;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The schema as a command that only reads finds it, told from the migrations' own record (read, never written):
 * not installed, older than this release (migrations of this release not applied), this release's, or newer.
 *
 * <p>Missing or older stops the command: this release's statements name the tables and columns its migrations
 * create, so on an older schema a read would fail halfway or miss what it counts, and a read-only command must not
 * migrate (a newer jar's {@code status} during a rolling deploy would change the schema under the older processes
 * still running). Newer is read, with a warning: {@code run} of this release goes on over a newer schema too
 * (migrations leave what an older release reads in place, as rolling deploys need), but it may not show what the
 * newer release added.
 */
final class InstalledSchema {

    private static final Logger LOG = LoggerFactory.getLogger(InstalledSchema.class);

    private InstalledSchema() {
    }

    /**
     * @param where the database's address without secrets
     * @throws NotInstalled when the schema is missing or older than this release
     */
    static void check(Flyway migrations, String where) throws NotInstalled {
        MigrationInfoService info = migrations.info();
        MigrationInfo current = info.current();
        if (current == null) {
            throw new NotInstalled("pg-observer is not installed in the database at " + where + ": it has no "
                    + Database.SCHEMA + " schema. 'pg-observer install --table SCHEMA.TABLE' or 'pg-observer run' "
                    + "creates it (with a role that has CREATE on the database); this command only reads, and "
                    + "creates nothing");
        }
        MigrationInfo[] pending = info.pending();
        if (pending.length > 0) {
            throw new NotInstalled("the " + Database.SCHEMA + " schema at " + where + " is at version "
                    + current.getVersion() + ", older than this pg-observer's " + pending[pending.length - 1]
                    .getVersion() + " (not applied: " + Arrays.stream(pending).map(m -> "V" + m.getVersion())
                    .collect(Collectors.joining(", ")) + "), and this command only reads: it does not migrate. "
                    + "'pg-observer run' or 'pg-observer install' of this release migrates it (the first start of "
                    + "a new release does); until then, read it with the release that installed it");
        }
        if (Arrays.stream(info.applied()).anyMatch(SchemaMigrations::newer)) {
            LOG.warn("the {} schema at {} is at version {}, newer than this pg-observer's {}: a newer release "
                    + "migrated it. This one reads what it knows of it; the newer release's status shows all of it",
                    Database.SCHEMA, where, current.getVersion(), SchemaMigrations.releaseVersion(info));
        }
    }
}
