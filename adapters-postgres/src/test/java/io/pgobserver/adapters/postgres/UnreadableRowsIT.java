package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.port.DeliveryKey;
import io.pgobserver.domain.port.DeadLetter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rows PostgreSQL accepts must never stop the stream: what the observer can represent is read (1,500-digit
 * numbers, strings past Jackson's default limit), and what it cannot (jsonb nested deeper than its JSON limit)
 * is dead-lettered once with the reason while later events go on.
 */
class UnreadableRowsIT {

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    private PostgresChangeSource source;

    @BeforeEach
    void emptyTheStream() {
        DB.execute("truncate pgobserver.change_log", "truncate pgobserver.dead_letters", "truncate pgobserver.deliveries");
        source = new PostgresChangeSource(DB.database(), TestPostgres.listener("it", Duration.ofMillis(200)));
    }

    @AfterEach
    void stopSource() {
        source.stop();
    }

    private static void outbox(String entityId, String afterJson) {
        DB.execute("insert into pgobserver.change_log (entity_type, entity_id, kind, after) values "
                + "('public.docs', '" + entityId + "', 'created', '" + afterJson + "'::jsonb)");
    }

    @Test
    void a_row_nested_deeper_than_the_json_limit_is_dead_lettered_once_and_later_events_go_on() throws Exception {
        outbox("before", "{}");
        outbox("deep", "{\"d\": " + "[".repeat(1_500) + "]".repeat(1_500) + "}");
        outbox("after", "{}");

        Batch batch = new Batch(1, Snapshot.ORIGIN, source.snapshot());
        List<ChangeEvent> events = source.read(batch, 0, 100).events();
        assertThat(events).extracting(ChangeEvent::entityId).containsExactly("before", "after");
        // A second read of the same batch (a restart before the checkpoint passed it) files it no second time.
        assertThat(source.read(batch, 0, 100).events()).hasSize(2);

        assertThat(new JdbiDeadLetters(DB.database()).list("other", 100)).isEmpty();
        List<DeadLetter> letters = new JdbiDeadLetters(DB.database()).list("it", 100);
        assertThat(letters).hasSize(1);
        DeadLetter letter = letters.getFirst();
        assertThat(letter.event().entityId()).isEqualTo("deep");
        assertThat(letter.observer()).isEqualTo(UnreadableRows.OBSERVER);
        assertThat(letter.actionType()).isEqualTo(UnreadableRows.ACTION);
        assertThat(letter.actionKey()).isEqualTo(UnreadableRows.ACTION);
        String settled = DeliveryKey.of("it", letter.event(), letter.observer(),
                letter.actionKey()).id();
        assertThat(new JdbiDeliveries(DB.database(), TestPostgres.listener("it", Duration.ofSeconds(1)))
                .settled(List.of(settled))).containsExactly(settled);
        assertThat(letter.error()).contains("cannot be read as an event").contains("nesting depth")
                .contains("pgobserver.change_log (id " + letter.event().position().offset() + ")");
    }

    @Test
    void numbers_as_long_as_numeric_allows_and_long_strings_are_read() throws Exception {
        String digits = "9".repeat(1_500);
        outbox("long-number", "{\"n\": " + digits + "}");
        DB.execute("insert into pgobserver.change_log (entity_type, entity_id, kind, after) values "
                + "('public.docs', 'long-string', 'created', jsonb_build_object('s', repeat('x', 21000000)))");

        List<ChangeEvent> events = Streams.readAtLeast(source, 2);
        assertThat(events.get(0).after().get("n")).isEqualTo(new BigDecimal(digits));
        assertThat((String) events.get(1).after().get("s")).hasSize(21_000_000);
        assertThat(new JdbiDeadLetters(DB.database()).list("it", 100)).isEmpty();
    }
}
