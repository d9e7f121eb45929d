package io.pgobserver.domain.port;

import io.pgobserver.domain.testing.Events;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** What a dead letter keeps of its error: storable text, without the credentials an unvetted message may hold. */
class DeadLetterTest {

    private static DeadLetter letter(String error) {
        return new DeadLetter(0, "c", Events.updated(1, "o-1", "paid", "shipped"), "(pipeline)", -1, "pipeline",
                "pipeline", error, 5, Instant.EPOCH);
    }

    @Test
    void anErrorKeepsItsWordsButNotItsCredentials() {
        DeadLetter letter = letter("the event could not be processed: connect to postgres://app:secret@db:5432/app"
                + " failed; token=abc123");

        assertThat(letter.error()).isEqualTo("the event could not be processed: connect to postgres://db:5432/app"
                + " failed; token=****");
    }

    @Test
    void anErrorPostgresCannotStoreIsMadeStorableAndCut() {
        assertThat(letter("nul\u0000byte").error()).isEqualTo("nul\uFFFDbyte");
        assertThat(letter("x".repeat(DeadLetter.MAX_ERROR_LENGTH + 10)).error())
                .hasSize(DeadLetter.MAX_ERROR_LENGTH + 1).endsWith("…");
        assertThat(letter(null).error()).isEmpty();
    }
}
