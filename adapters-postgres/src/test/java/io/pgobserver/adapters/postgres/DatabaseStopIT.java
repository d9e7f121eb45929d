package io.pgobserver.adapters.postgres;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stop of the real pool while its adder is opening a connection, the server reached through a
 * {@link ConnectionGate}: it says at INFO that it ends the pool's attempts only when they were failing. Before, a
 * stop said so whenever the adder ran, and every short command (status, dlq list, install) closes its pool while it
 * fills up, PostgreSQL answering: the line read like an outage after each of them.
 */
class DatabaseStopIT {

    private static final String ATTEMPTS_ENDED = "the database pool was still trying to connect to PostgreSQL: "
            + "the stop ends its attempts rather than wait for the next one";
    private static final String OPENING_ENDED = "the database pool was still opening a connection";

    private final Logger logger = (Logger) LoggerFactory.getLogger(Database.class);
    /** What Database logs, read while it logs. */
    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
    private final AppenderBase<ILoggingEvent> log = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            events.add(event);
        }
    };
    private ConnectionGate gate;
    private Database database;

    @BeforeEach
    void start() throws Exception {
        DatabaseSettings direct = TestPostgres.newDatabase();
        gate = ConnectionGate.to(TestPostgres.shared().getPort());
        database = TestPostgres.startedDatabase(new DatabaseSettings(
                gate.url(direct.url().substring(direct.url().lastIndexOf('/') + 1)), direct.user(), null));
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void stop() throws Exception {
        logger.detachAppender(log);
        gate.close();
    }

    /** PostgreSQL answering, slow to take the pool's new session: the stop ends the attempt and says so at DEBUG. */
    @Test
    void a_stop_while_the_pool_opens_a_connection_says_nothing_of_an_outage() throws Exception {
        gate.mode(ConnectionGate.Mode.HOLD);
        Thread borrower = borrowEveryConnection(database);
        await("the pool's adder opening a connection, held by the gate", () -> gate.held() > 0);
        // The interrupt ends the pool's wait for the attempt, not the driver's read on its own thread: once the stop
        // has spoken, the gate lets that read fail too, so that no thread outlives the test waiting for an answer.
        Thread.ofPlatform().daemon().start(() -> {
            try {
                await("the stop's line", () -> !events.isEmpty());
            } catch (InterruptedException e) {
                return;
            }
            gate.mode(ConnectionGate.Mode.HANG_UP);
        });

        database.stop();
        borrower.interrupt();
        borrower.join();

        assertThat(lines(Level.INFO)).as("what the stop said at INFO and above").isEmpty();
        assertThat(lines(Level.DEBUG)).as("what the stop said at DEBUG").anyMatch(l -> l.startsWith(OPENING_ENDED));
    }

    /** The server hanging up on every attempt: the stop ends them and says so at INFO, as in an outage. */
    @Test
    void a_stop_while_the_pools_attempts_fail_says_it_ends_them() throws Exception {
        gate.mode(ConnectionGate.Mode.HANG_UP);
        Thread borrower = borrowEveryConnection(database);
        // A second attempt comes only after the first failed.
        await("the pool's adder failing to connect", () -> gate.hungUp() >= 2);

        database.stop();
        borrower.interrupt();
        borrower.join();

        assertThat(lines(Level.INFO)).as("what the stop said at INFO and above").containsExactly(ATTEMPTS_ENDED);
    }

    /**
     * Takes connections from the pool and keeps them until the pool closes or it is interrupted: once none is idle,
     * it waits for one, and the pool's adder sets out to open it.
     */
    private static Thread borrowEveryConnection(Database database) {
        return Thread.ofPlatform().daemon().start(() -> {
            List<Handle> handles = new ArrayList<>();
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    handles.add(database.jdbi().open());
                }
            } catch (RuntimeException e) {
                // the pool closed, or the wait for a connection was interrupted
            } finally {
                handles.forEach(Handle::close);
            }
        });
    }

    private List<String> lines(Level atLeast) {
        return events.stream().filter(e -> e.getLevel().isGreaterOrEqual(atLeast))
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting a minute for " + what);
            }
            Thread.sleep(10);
        }
    }
}
