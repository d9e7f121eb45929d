package io.pgobserver.adapters.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;

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
        int refusing;
        try (ServerSocket closed = new ServerSocket(0)) {
            refusing = closed.getLocalPort();
        }
        PoolThreads threads = new PoolThreads("test pool");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + refusing + "/none");
        config.setInitializationFailTimeout(-1); // start without a connection, as a pool whose database went away
        config.setMinimumIdle(1);
        config.setThreadFactory(threads);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            Thread adder = await(() -> Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("test pool ") && trying(t)).findFirst());
            assertThat(adder.isDaemon()).as("a pool thread keeps the process up").isTrue();

            assertThat(threads.endConnectionAttempts()).as("threads found trying to connect").isOne();

            await(() -> trying(adder) ? Optional.empty() : Optional.of(adder));
            assertThat(pool.isClosed()).as("the attempts ended by the interrupt alone").isFalse();
        }
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
