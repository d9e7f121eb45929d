package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.port.DeadLetter;
import io.pgobserver.domain.testing.Events;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A failed store write is logged and recorded on the event's span with its exception message. That message must
 * say what PostgreSQL refused, and must not carry the bound arguments: the whole event, row contents included.
 */
class StoreErrorMessagesIT {

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    @Test
    void a_failed_dead_letter_write_names_the_error_but_not_the_rows_contents() {
        DB.execute("alter table pgobserver.dead_letters add constraint refuse_all check (false) not valid");
        try {
            DeadLetter letter = new DeadLetter(0, "it", Events.event(1, "7", ChangeKind.CREATED, Map.of(),
                    Map.of("id", "7", "card_number", "4111-ROW-CONTENT-1111")), "o", 0, "webhook-0", "webhook",
                    "HTTP 500 ERROR-TEXT", 3, Instant.parse("2026-01-01T00:00:00Z"));
            Throwable thrown = catchThrowable(() -> new JdbiDeadLetters(DB.database()).add(letter));
            assertThat(thrown).isNotNull().hasMessageContaining("refuse_all");
            assertThat(thrown.getMessage()).doesNotContain("4111-ROW-CONTENT-1111").doesNotContain("ERROR-TEXT");
        } finally {
            DB.execute("alter table pgobserver.dead_letters drop constraint refuse_all");
        }
    }
}
