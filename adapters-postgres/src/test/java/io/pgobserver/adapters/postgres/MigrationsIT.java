package io.pgobserver.adapters.postgres;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MigrationsIT {

    @Test
    void aSecondStartIsANoOpAndHistoryLivesInTheSchema() throws Exception {
        DatabaseSettings settings = TestPostgres.newDatabase();
        Database first = TestPostgres.startedDatabase(settings);
        first.stop();
        Database second = TestPostgres.startedDatabase(settings);
        try (Connection connection = TestPostgres.connect(settings); Statement statement = connection.createStatement()) {
            assertThat(strings(statement, "select version from pgobserver.flyway_schema_history "
                    + "where success and version is not null order by installed_rank")).containsExactly("1");
            assertThat(strings(statement, "select table_name from information_schema.tables "
                    + "where table_schema = 'pgobserver' order by 1"))
                    .containsExactly("change_log", "checkpoints", "dead_letters", "deliveries", "flyway_schema_history");
            assertThat(strings(statement, "select proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
                    + "where nspname = 'pgobserver' order by 1")).containsExactly("capture", "notify_listeners");
            assertThat(strings(statement, "select count(*) from pg_tables where schemaname = 'public'"))
                    .containsExactly("0");
        } finally {
            second.stop();
        }
    }

    private static List<String> strings(Statement statement, String sql) throws Exception {
        List<String> values = new ArrayList<>();
        try (ResultSet rs = statement.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
