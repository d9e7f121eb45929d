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

    private final CountDownLatch ended = new CountDownLatch(1);
    /** A stop that ends the replay at once 1 ms after a call that has not answered. */
    private final ReplayStop endingAtOnce = new ReplayStop(what -> {
        endedAtOnce.add(what);
        ended.countDown();
    }, Duration.ofMillis(1));

    /**
     * A database that does not answer {@code what}, signalled first when {@code signal}: held until the stop ends the
     * replay (the process, in dlq replay), or for a minute here, after which a stop that never ended it shows as
     * nothing ended. True when the stop ended it.
     */
    private boolean heldIn(String what, Runnable signal) {
        return endingAtOnce.database(what, () -> {
            signal.run();
            try {
                return ended.await(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void aStopDuringAStatementTheDatabaseDoesNotAnswerEndsTheReplayAtOnceNamingIt() {
        assertThat(heldIn("claiming letter 7", endingAtOnce::request)).isTrue();

        assertThat(endedAtOnce).containsExactly("claiming letter 7");
    }

    @Test
    void aStopBetweenStatementsTheDatabaseAnswersEndsNothingAtOnce() {
        ReplayStop stop = new ReplayStop(endedAtOnce::add, Duration.ofHours(1));
        stop.database("reading letter 7", () -> 1);

        stop.request();
        stop.database("removing letter 7", () -> 1);

        assertThat(stop.requested()).isTrue();
        assertThat(endedAtOnce).isEmpty();
    }

    /**
     * A statement begun just after the stop (the recipients an email's attempt, begun just before it, reads before it
     * sends; recording what the letter delivered) was not watched: it held the stopped replay until a second signal.
     */
    @Test
    void aStatementBegunAfterTheStopThatTheDatabaseDoesNotAnswerEndsTheReplayAtOnce() {
        endingAtOnce.request();

        assertThat(heldIn("recording the recipients an email reached", () -> { })).isTrue();
        assertThat(endedAtOnce).containsExactly("recording the recipients an email reached");
    }
}
