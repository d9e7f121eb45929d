package io.pgobserver.adapters.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.port.ChangeSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backlog of one-row transactions, written while nobody reads, with a one-row transaction and a large one open
 * across it, read page by page through the real change source: a page's cost must not grow with its place in the
 * batch. Flatness is asserted on the buffers the first and the last page's query touch (EXPLAIN ANALYZE), not on
 * time; times and rates are logged, against the same number of rows written as one transaction.
 *
 * <p>CI writes 50,000 transactions. The full run: {@code mvn -B -pl adapters-postgres -am verify -Dtest=NONE
 * -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=BacklogReadIT -Dpgobserver.backlog=1000000}.
 */
class BacklogReadIT {

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    private static final Logger LOG = LoggerFactory.getLogger(BacklogReadIT.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TRANSACTIONS = Integer.getInteger("pgobserver.backlog", 50_000);
    private static final int PAGE = 500;

    private PostgresChangeSource source;

    @BeforeEach
    void newSource() {
        source = new PostgresChangeSource(DB.database(), TestPostgres.listener("backlog", Duration.ofMillis(200)));
    }

    @AfterEach
    void stopSource() {
        source.stop();
    }

    @Test
    void aBacklogOfOneRowTransactionsIsReadAtAFlatCostPerPage() throws Exception {
        int large = Math.max(1, TRANSACTIONS / 10);
        Snapshot from = source.snapshot();
        try (Connection oldOpen = TestPostgres.connect(DB.settings());
             Connection largeOpen = TestPostgres.connect(DB.settings())) {
            oldOpen.setAutoCommit(false);
            largeOpen.setAutoCommit(false);
            insertRows(oldOpen, 1);
            long writeStart = System.nanoTime();
            writeOneRowTransactions(TRANSACTIONS / 2);
            insertRows(largeOpen, large);
            writeOneRowTransactions(TRANSACTIONS - TRANSACTIONS / 2);
            long writeNanos = System.nanoTime() - writeStart;
            Batch batch = new Batch(1, from, source.snapshot());

            Reading backlog = readAll(batch);
            assertThat(backlog.events).as("the committed one-row transactions, not the open ones' rows")
                    .isEqualTo(TRANSACTIONS);
            long first = buffers(batch, 0);
            long last = buffers(batch, backlog.lastPageAfter);
            long unboundedLast = buffers(unbounded(batch), backlog.lastPageAfter);
            LOG.info("{} one-row transactions (written at {}/s) with a 1-row and a {}-row transaction open across "
                            + "them: read in {} pages of {} at {} events/s; page times {}; buffers touched by the "
                            + "first page's query {}, the last's {}; server time first {} ms, last {} ms (without "
                            + "bounds the last page touches {} buffers in {} ms)", TRANSACTIONS,
                    rate(TRANSACTIONS, writeNanos), large, backlog.pageMillis.size(), PAGE,
                    rate(backlog.events, backlog.nanos), spread(backlog.pageMillis), first, last,
                    serverMillis(batch, 0), serverMillis(batch, backlog.lastPageAfter), unboundedLast,
                    serverMillis(unbounded(batch), backlog.lastPageAfter));
            assertThat(last).as("buffers of the last page against the first").isLessThanOrEqualTo(2 * first + 10);
            assertThat(unboundedLast).as("the check tells a read that walks the batch on every page")
                    .isGreaterThan(10 * last);

            oldOpen.commit();
            largeOpen.commit();
            Batch next = batch.then(source.snapshot());
            Reading late = readAll(next);
            assertThat(late.events).as("the open transactions' rows, in the batch of their commit").isEqualTo(1 + large);
            assertThat(buffers(next, late.lastPageAfter)).isLessThanOrEqualTo(2 * buffers(next, 0) + 10);
            LOG.info("The batch of the two late commits: {} rows in {} pages at {} events/s; per page {}",
                    late.events, late.pageMillis.size(), rate(late.events, late.nanos), spread(late.pageMillis));
        }

        Snapshot before = source.snapshot();
        insertRowsCommitted(TRANSACTIONS);
        Reading oneTransaction = readAll(new Batch(3, before, source.snapshot()));
        assertThat(oneTransaction.events).isEqualTo(TRANSACTIONS);
        LOG.info("The same {} rows written as one transaction: read at {} events/s; per page {}", TRANSACTIONS,
                rate(oneTransaction.events, oneTransaction.nanos), spread(oneTransaction.pageMillis));
    }

    private record Reading(long events, long nanos, List<Double> pageMillis, long lastPageAfter) {
    }

    private Reading readAll(Batch batch) throws Exception {
        List<Double> pageMillis = new ArrayList<>();
        long events = 0;
        long after = 0;
        long lastPageAfter = 0;
        long start = System.nanoTime();
        ChangeSource.Page page;
        do {
            long pageStart = System.nanoTime();
            page = source.read(batch, after, PAGE);
            pageMillis.add((System.nanoTime() - pageStart) / 1e6);
            events += page.events().size();
            if (!page.events().isEmpty()) {
                lastPageAfter = after;
            }
            after = page.lastId();
        } while (!page.end());
        return new Reading(events, System.nanoTime() - start, pageMillis, lastPageAfter);
    }

    private static Batch unbounded(Batch batch) {
        return new Batch(batch.seq(), new Snapshot(batch.from().value()), new Snapshot(batch.to().value()));
    }

    /** Shared buffers (hit or read) the page's query touched, from EXPLAIN (ANALYZE, BUFFERS). */
    private static long buffers(Batch batch, long after) throws SQLException {
        JsonNode plan = explain(batch, after).path("Plan");
        return plan.path("Shared Hit Blocks").asLong() + plan.path("Shared Read Blocks").asLong();
    }

    private static String serverMillis(Batch batch, long after) throws SQLException {
        return String.format(Locale.ROOT, "%.2f", explain(batch, after).path("Execution Time").asDouble());
    }

    private static JsonNode explain(Batch batch, long after) throws SQLException {
        try (Connection connection = TestPostgres.connect(DB.settings());
             PreparedStatement explain = BatchQuery.prepare(connection,
                     "explain (analyze, buffers, format json) ", batch, after, PAGE);
             ResultSet rs = explain.executeQuery()) {
            rs.next();
            return JSON.readTree(rs.getString(1)).get(0);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One transaction per row, committed on the server (a procedure-style loop), as fast as PostgreSQL goes. */
    private static void writeOneRowTransactions(int count) throws SQLException {
        try (Connection writer = TestPostgres.connect(DB.settings()); Statement statement = writer.createStatement()) {
            statement.execute("set synchronous_commit = off");
            statement.execute("""
                    do $$
                    begin
                        for i in 1..%d loop
                            insert into pgobserver.change_log (entity_type, entity_id, kind, after)
                            values ('public.orders', i::text, 'created', '{"status": "new"}');
                            commit;
                        end loop;
                    end
                    $$
                    """.formatted(count));
        }
    }

    private static void insertRows(Connection connection, int count) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("""
                    insert into pgobserver.change_log (entity_type, entity_id, kind, after)
                    select 'public.orders', 'open-' || g, 'created', '{"status": "new"}'
                      from generate_series(1, %d) g
                    """.formatted(count));
        }
    }

    private static void insertRowsCommitted(int count) throws SQLException {
        try (Connection writer = TestPostgres.connect(DB.settings())) {
            insertRows(writer, count);
        }
    }

    /** Page times from the first page to the last, at every tenth of the way, and the slowest. */
    private static String spread(List<Double> millis) {
        StringBuilder text = new StringBuilder();
        for (int tenth = 0; tenth <= 10; tenth++) {
            int index = Math.min(millis.size() - 1, tenth * (millis.size() - 1) / 10);
            text.append(tenth == 0 ? "" : " / ").append(String.format(Locale.ROOT, "%.1f", millis.get(index)));
        }
        return text.append(String.format(Locale.ROOT, " ms (slowest %.1f ms)",
                millis.stream().mapToDouble(Double::doubleValue).max().orElse(0))).toString();
    }

    private static long rate(long events, long nanos) {
        return events * 1_000_000_000L / Math.max(1, nanos);
    }
}
