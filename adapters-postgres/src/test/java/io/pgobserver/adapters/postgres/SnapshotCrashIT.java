package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.port.ChangeSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A snapshot taken just before PostgreSQL crashes still holds after the crash, on a server with
 * {@code synchronous_commit = off} (the embedded server's default: the harsh case). The crash must not hand out again
 * a transaction id the snapshot knows of (its taker's, or one it saw finish): a transaction that got one after the
 * crash would be counted as read by the batch the snapshot ends, and its rows never delivered. The process that took
 * the snapshot may well record it after the server is back, under the same epoch.
 */
class SnapshotCrashIT {

    private static final int ROUNDS = 5;

    @TempDir
    Path dataDirectory;

    @Test
    void aSnapshotTakenJustBeforeACrashHoldsAfterIt() throws Exception {
        RestartablePostgres postgres = RestartablePostgres.start(dataDirectory);
        DatabaseSettings settings = TestPostgres.newDatabase(postgres.server());
        Database database = TestPostgres.startedDatabase(settings);
        PostgresChangeSource source = new PostgresChangeSource(database,
                TestPostgres.listener("snapshot-crash", Duration.ofMillis(200)));
        try {
            TestPostgres.execute(settings, "create table public.orders (id bigint primary key)");
            new PostgresCaptureInstaller(database).install("public.orders", null);
            Snapshot from = snapshot(source);
            long seq = 1;
            Set<String> read = new HashSet<>();
            for (int round = 1; round <= ROUNDS; round++) {
                TestPostgres.execute(settings, "insert into public.orders values (" + (round * 10 + 1) + ")");
                Snapshot to = snapshot(source);
                postgres.crashAndStart();

                long nextXid = queryLong(settings, "select pg_snapshot_xmax(pg_current_snapshot())::text::bigint");
                assertThat(nextXid).as("round %d: the next transaction id after the crash, against the taker of the "
                        + "snapshot taken just before it (%s)", round, to).isGreaterThan(to.bounds().takerXid());

                TestPostgres.execute(settings, "insert into public.orders values (" + (round * 10 + 2) + ")");
                Snapshot after = snapshot(source);
                read.addAll(readAll(source, new Batch(seq++, from, to)));
                read.addAll(readAll(source, new Batch(seq++, to, after)));
                assertThat(read).as("round %d: the batches read so far hold every row of the log", round)
                        .isEqualTo(eventIds(settings));
                from = after;
            }
        } finally {
            source.stop();
            database.stop();
            postgres.close();
        }
    }

    /** A snapshot, once the listener has reconnected after the crash. */
    private static Snapshot snapshot(PostgresChangeSource source) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (true) {
            try {
                return source.snapshot();
            } catch (ChangeSource.ChangeSourceException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the listener did not reconnect within a minute", e);
                }
                Thread.sleep(50);
            }
        }
    }

    private static Set<String> readAll(PostgresChangeSource source, Batch batch) throws Exception {
        Set<String> ids = new HashSet<>();
        long after = 0;
        while (true) {
            ChangeSource.Page page = source.read(batch, after, 100);
            page.events().stream().map(ChangeEvent::id).forEach(ids::add);
            if (page.end()) {
                return ids;
            }
            after = page.lastId();
        }
    }

    /** The event ids of the log: every row was written before the last snapshot. */
    private static Set<String> eventIds(DatabaseSettings settings) throws Exception {
        try (Connection connection = TestPostgres.connect(settings); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("select event_id::text from pgobserver.change_log")) {
            Set<String> ids = new HashSet<>();
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
            return ids;
        }
    }

    private static long queryLong(DatabaseSettings settings, String query) throws Exception {
        try (Connection connection = TestPostgres.connect(settings); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
