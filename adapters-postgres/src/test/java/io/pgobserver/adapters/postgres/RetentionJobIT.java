package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.Position;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RetentionJobIT {

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    private List<ChangeEvent> events;

    @BeforeEach
    void tenEventsOfWhichTheFirstEightAreOld() throws Exception {
        DB.execute("truncate pgobserver.change_log", "truncate pgobserver.checkpoints",
                "truncate pgobserver.deliveries", """
                insert into pgobserver.change_log (entity_type, entity_id, kind, after)
                select 'public.orders', g::text, 'created', jsonb_build_object('id', g) from generate_series(1, 10) g
                """);
        PostgresChangeSource source = new PostgresChangeSource(DB.database(),
                TestPostgres.listener("it", Duration.ofMillis(200)));
        try {
            events = Streams.readAtLeast(source, Position.START, 10);
        } finally {
            source.stop();
        }
        DB.execute("update pgobserver.change_log set occurred_at = now() - interval '2 days' where entity_id::int <= 8");
    }

    @Test
    void deletesOldRowsBehindEveryCheckpointOnly() throws Exception {
        JdbiCheckpointStore checkpoints = new JdbiCheckpointStore(DB.database());
        checkpoints.save("fast", events.get(9).position());
        checkpoints.save("slow", events.get(4).position());
        RetentionJob job = job(Duration.ofDays(1));

        assertThat(job.runOnce()).isEqualTo(5);
        assertThat(remainingIds()).isEqualTo(List.of("6", "7", "8", "9", "10"));

        checkpoints.save("slow", events.get(9).position());
        assertThat(job.runOnce()).isEqualTo(3);
        assertThat(remainingIds()).as("rows younger than the retention stay").isEqualTo(List.of("9", "10"));
    }

    @Test
    void withoutAnyCheckpointNothingIsDeleted() throws Exception {
        assertThat(job(Duration.ofDays(1)).runOnce()).isZero();
        assertThat(remainingIds()).hasSize(10);
    }

    @Test
    void oldDeliveryRecordsArePruned() throws Exception {
        JdbiDeliveries deliveries = new JdbiDeliveries(DB.database());
        deliveries.markDelivered("old.obs.0");
        deliveries.markDelivered("new.obs.0");
        DB.execute("update pgobserver.deliveries set delivered_at = now() - interval '2 days' where delivery_id = 'old.obs.0'");
        job(Duration.ofDays(1)).runOnce();
        assertThat(deliveries.isDelivered("old.obs.0")).isFalse();
        assertThat(deliveries.isDelivered("new.obs.0")).isTrue();
    }

    @Test
    void offByDefault() throws Exception {
        new JdbiCheckpointStore(DB.database()).save("fast", events.get(9).position());
        RetentionJob job = new RetentionJob(DB.database(), ListenerSettings.defaults());
        job.start();
        job.stop();
        assertThat(job.runOnce()).isZero();
        assertThat(remainingIds()).hasSize(10);
        assertThat(RetentionJob.interval(Duration.ofDays(7))).isEqualTo(Duration.ofHours(1));
        assertThat(RetentionJob.interval(Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(10));
    }

    private static RetentionJob job(Duration retention) {
        return new RetentionJob(DB.database(), new ListenerSettings("it", 100, Duration.ofSeconds(1), 16,
                Duration.ofMillis(200), retention));
    }

    private static List<String> remainingIds() throws SQLException {
        try (Connection connection = TestPostgres.connect(DB.settings());
             ResultSet rs = connection.createStatement()
                     .executeQuery("select entity_id from pgobserver.change_log order by id")) {
            List<String> ids = new java.util.ArrayList<>();
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
            return ids;
        }
    }
}
