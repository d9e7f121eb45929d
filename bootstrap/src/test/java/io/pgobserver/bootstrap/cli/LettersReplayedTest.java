package io.pgobserver.bootstrap.cli;

import io.pgobserver.application.ReplayDeadLetters;
import io.pgobserver.domain.spi.DeadLetterReplay.Outcome;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code dlq replay} says and exits with when letters were run elsewhere: counted apart from its own. */
class LettersReplayedTest {

    private static ReplayDeadLetters.Result result(long id, Outcome outcome) {
        return new ReplayDeadLetters.Result(id, outcome, outcome == Outcome.REPLAYED_ELSEWHERE
                ? "being replayed by another session (pg-observer process 4711@ops-1); not run again here" : "x");
    }

    @Test
    void aLetterGoneElsewhereIsCountedApartAndStaysNowhere() {
        LettersReplayed replayed = new LettersReplayed();
        replayed.add(result(1, Outcome.DELIVERED));
        replayed.add(result(2, Outcome.GONE));
        assertThat(replayed.summary()).isEqualTo("replayed 2: 1 delivered, 0 not delivered, 1 already replayed or "
                + "deleted elsewhere");
        assertThat(replayed.noneStays()).as("exit 0").isTrue();
        assertThat(replayed.errors()).isEmpty();
    }

    @Test
    void lettersReplayedElsewhereStayAndGetTheirOwnErrorLine() {
        LettersReplayed replayed = new LettersReplayed();
        replayed.add(result(1, Outcome.STAYS));
        replayed.add(result(2, Outcome.REPLAYED_ELSEWHERE));
        replayed.add(result(3, Outcome.REPLAYED_ELSEWHERE));
        replayed.add(result(4, Outcome.DELIVERED));
        assertThat(replayed.summary()).isEqualTo("replayed 4: 1 delivered, 1 not delivered, 2 being replayed by "
                + "another session (not run here)");
        assertThat(replayed.noneStays()).as("exit 3").isFalse();
        assertThat(replayed.errors()).containsExactly("letter 1 was not delivered: x", "2 letters were not run: "
                + "another session was replaying them (ids 2, 3); they stay in the queue until it ends, delivered or "
                + "not");

        LettersReplayed one = new LettersReplayed();
        one.add(result(7, Outcome.REPLAYED_ELSEWHERE));
        assertThat(one.noneStays()).isFalse();
        assertThat(one.errors()).containsExactly("letter 7 was not run: being replayed by another session "
                + "(pg-observer process 4711@ops-1); not run again here");
    }
}
