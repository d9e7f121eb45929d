package io.pgobserver.application;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stop of {@code dlq replay} that comes while the replay waits for the database ends it at once only when the
 * database does not answer: one that lands in a statement of a database that answers lets the replay end as a stop
 * at its next letter does, with its counts and the letters left.
 */
class ReplayStopTest {

    private final List<String> endedAtOnce = new CopyOnWriteArrayList<>();

    /** Before, any stop that landed in a statement ended the replay "while the database did not answer". */
    @Test
    void aStopDuringAStatementTheDatabaseAnswersDoesNotEndTheReplayAtOnce() {
        ReplayStop stop = new ReplayStop(endedAtOnce::add, Duration.ofHours(1));

        long removed = stop.database("removing letter 46", () -> {
            stop.request(); // the signal, as the statement runs
            return 1L;
        });

        assertThat(removed).isOne();
        assertThat(stop.requested()).isTrue();
        assertThat(endedAtOnce).as("ended at once").isEmpty();
    }

    @Test
    void aStopDuringAStatementTheDatabaseDoesNotAnswerEndsTheReplayAtOnceNamingIt() throws Exception {
        CountDownLatch ended = new CountDownLatch(1);
        ReplayStop stop = new ReplayStop(what -> {
            endedAtOnce.add(what);
            ended.countDown();
        }, Duration.ofMillis(1));

        stop.database("claiming letter 7", () -> {
            stop.request();
            try {
                // A database that does not answer: held until the stop ends the replay (the process, in dlq replay).
                return ended.await(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });

        assertThat(endedAtOnce).containsExactly("claiming letter 7");
    }

    @Test
    void aStopBetweenStatementsEndsNothingAtOnce() {
        ReplayStop stop = new ReplayStop(endedAtOnce::add, Duration.ofMillis(1));
        stop.database("reading letter 7", () -> 1);

        stop.request();
        stop.database("removing letter 7", () -> 1);

        assertThat(stop.requested()).isTrue();
        assertThat(endedAtOnce).isEmpty();
    }
}
