package io.pgobserver.adapters.postgres;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real pool, its server refusing every connection: its adder tries again and again, sleeping between attempts
 * (up to 5 s), and {@link PoolThreads#endConnectionAttempts()} ends that at once, the pool still open. Without the
 * interrupt it never ends while the server refuses, and the pool's close waits for its sleep.
 */
class PoolThreadsTest {

    private static final String ADDER = "com.zaxxer.hikari.pool.HikariPool$PoolEntryCreator";

    @Test
    void aPoolRefusedByItsServerStopsTryingToConnectWhenTold() throws Exception {
        PoolThreads threads = new PoolThreads("test pool");
        try (HikariDataSource pool = new HikariDataSource(refused(threads))) {
            Thread adder = await(() -> Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("test pool ") && trying(t)).findFirst());
            assertThat(adder.isDaemon()).as("a pool thread keeps the process up").isTrue();

            assertThat(threads.endConnectionAttempts()).as("threads found trying to connect").isOne();

            await(() -> trying(adder) ? Optional.empty() : Optional.of(adder));
            assertThat(pool.isClosed()).as("the attempts ended by the interrupt alone").isFalse();
        }
    }

    /**
     * A start that failed closes its pool while a stop interrupts the starting thread: the pool's attempts end, the
     * close completes, and the interrupt is kept for the start to see. Before, the close saw the interrupt at its
     * first wait, left the rest of its work undone and logged "Interrupted during closing" at WARN.
     */
    @Test
    void aFailedStartClosesItsPoolWholeThoughAStopInterruptsIt() throws Exception {
        PoolThreads threads = new PoolThreads("failed start pool");
        ListAppender<ILoggingEvent> hikari = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger("com.zaxxer.hikari");
        hikari.start();
        logger.addAppender(hikari);
        HikariDataSource pool = new HikariDataSource(refused(threads));
        try {
            Thread adder = await(() -> Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("failed start pool ") && trying(t)).findFirst());

            Thread.currentThread().interrupt(); // the stop's, during the start
            threads.close(pool);

            assertThat(Thread.interrupted()).as("the stop's interrupt, kept for the start").isTrue();
            assertThat(pool.isClosed()).isTrue();
            await(() -> adder.isAlive() ? Optional.empty() : Optional.of(adder));
            assertThat(hikari.list).as("what the pool logged at WARN")
                    .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .extracting(ILoggingEvent::getFormattedMessage).isEmpty();
        } finally {
            logger.detachAppender(hikari);
            pool.close();
        }
    }

    /** A pool of {@code threads} whose server refuses every connection (nothing listens at its port). */
    private static HikariConfig refused(PoolThreads threads) throws IOException {
        int refusing;
        try (ServerSocket closed = new ServerSocket(0)) {
            refusing = closed.getLocalPort();
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + refusing + "/none");
        config.setInitializationFailTimeout(-1); // start without a connection, as a pool whose database went away
        config.setMinimumIdle(1);
        config.setThreadFactory(threads);
        return config;
    }

    private static boolean trying(Thread thread) {
        return Arrays.stream(thread.getStackTrace()).anyMatch(f -> f.getClassName().equals(ADDER));
    }

    /** What {@code found} finds, waiting for it up to a minute. */
    private static Thread await(java.util.function.Supplier<Optional<Thread>> found) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (System.nanoTime() < deadline) {
            Optional<Thread> thread = found.get();
            if (thread.isPresent()) {
                return thread.get();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("gave up waiting a minute");
    }
}
