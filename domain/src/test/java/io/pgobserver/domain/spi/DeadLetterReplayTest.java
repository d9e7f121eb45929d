package io.pgobserver.domain.spi;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLetterReplayTest {

    @Test
    void aTallyNamesTheLettersNotRunHereOnlyWhenThereAreAny() {
        DeadLetterReplay.Tally tally = new DeadLetterReplay.Tally();
        tally.add(DeadLetterReplay.Outcome.DELIVERED);
        tally.add(DeadLetterReplay.Outcome.DELIVERED);
        tally.add(DeadLetterReplay.Outcome.STAYS);
        assertThat(tally.counts()).isEqualTo("2 delivered, 1 not delivered");

        tally.add(DeadLetterReplay.Outcome.REPLAYED_ELSEWHERE);
        tally.add(DeadLetterReplay.Outcome.GONE);
        tally.add(DeadLetterReplay.Outcome.GONE);
        assertThat(tally.counts()).isEqualTo("2 delivered, 1 not delivered, 1 being replayed by another session "
                + "(not run here), 2 already replayed or deleted elsewhere");
        assertThat(tally.count(DeadLetterReplay.Outcome.GONE)).isEqualTo(2);
    }
}
