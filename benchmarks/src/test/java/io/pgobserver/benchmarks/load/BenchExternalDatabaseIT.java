package io.pgobserver.benchmarks.load;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --jdbc-url}: on a database the bench did not start, it removes its own rows only. A server stands in for
 * "yours" with another application's captured change and another consumer's position and delivery; two small
 * drains later (the first installs the schema, the second resets over the first's rows), those are all still there.
 */
class BenchExternalDatabaseIT {

    @Test
    void keepsOtherApplicationsRowsAndRemovesOnlyItsOwn(@TempDir Path directory) throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setDataDirectory(directory.resolve("pg"))
                .setCleanDataDirectory(true).start()) {
            String url = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
            assertThat(bench(url)).containsPattern("drain/all\\s+off\\s+1\\s+300\\s+300/300 ");
            try (Connection connection = postgres.getPostgresDatabase().getConnection();
                 Statement statement = connection.createStatement()) {
                statement.execute("insert into pgobserver.change_log (entity_type, entity_id, kind, after) "
                        + "values ('public.shop_orders', '7', 'created', '{\"id\": 7}')");
                statement.execute("insert into pgobserver.checkpoints (consumer, batch, after_id) values ('shop', 1, 0)");
                statement.execute("insert into pgobserver.deliveries (delivery_id, consumer) values ('d-shop', 'shop')");

                assertThat(bench(url)).containsPattern("drain/all\\s+off\\s+1\\s+300\\s+300/300 ");

                assertThat(count(statement, "select count(*) from pgobserver.change_log "
                        + "where entity_type = 'public.shop_orders'")).isEqualTo(1);
                assertThat(count(statement, "select count(*) from pgobserver.checkpoints where consumer = 'shop'"))
                        .isEqualTo(1);
                assertThat(count(statement, "select count(*) from pgobserver.deliveries where consumer = 'shop'"))
                        .isEqualTo(1);
                // The first drain's rows went with the second's reset: only the second's remain.
                assertThat(count(statement, "select count(*) from pgobserver.change_log "
                        + "where entity_type = 'public.bench_orders'")).isEqualTo(300);
            }
        }
    }

    private static String bench(String url) {
        BenchInvocation bench = BenchInvocation.run("--jdbc-url", url, "--user", "postgres", "--mode", "drain",
                "--tracing", "off", "--events", "300", "--backlog", "all", "--warmup", "0", "--chart", "none");
        int exit = bench.exit();
        String output = bench.output();
        assertThat(exit).as(output).isZero();
        return output;
    }

    private static long count(Statement statement, String query) throws Exception {
        try (ResultSet rows = statement.executeQuery(query)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
