package io.pgobserver.adapters.postgres;

import com.zaxxer.hikari.HikariDataSource;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The connection pool's threads, made here so that a stop can end the pool's attempts to connect. While PostgreSQL
 * does not answer, the pool's connection adder tries again and again, sleeping between attempts (10 ms, doubling up
 * to 5 s), and the pool's close waits for that sleep to end (up to its login timeout, 10 s), though the attempt
 * after it could only be given up: a stop during an outage waited 0.7 s there in a rolling deploy, and up to 5 s
 * once the outage had lasted. An interrupt ends the adder's attempts at once (the pool reads it as "stop adding").
 */
final class PoolThreads implements ThreadFactory {

    /** The pool's task that opens connections until the pool has enough. */
    private static final String CONNECTION_ADDER = "com.zaxxer.hikari.pool.HikariPool$PoolEntryCreator";

    /** Numbered, so a thread dump tells them apart; daemon, as the pool's own: an open pool never holds the exit. */
    private final Thread.Builder builder;
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    /** The builder's count is not thread-safe. Not a monitor: this class closes a pool, which waits on PostgreSQL. */
    private final ReentrantLock making = new ReentrantLock();

    PoolThreads(String name) {
        this.builder = Thread.ofPlatform().daemon().name(name + " ", 1);
    }

    @Override
    public Thread newThread(Runnable task) {
        making.lock();
        try {
            threads.removeIf(t -> !t.isAlive());
            Thread thread = builder.unstarted(task);
            threads.add(thread);
            return thread;
        } finally {
            making.unlock();
        }
    }

    /**
     * Closes a pool of these threads whose start failed (its migration or schema check), ending its attempts to
     * connect first, as a stop does but saying nothing: the start's failure is the news. Without it the close waited
     * for an attempt under way (up to the login timeout). The caller's interrupt (a stop during the start) is held
     * back meanwhile and kept: seen by the close, it cut the close short after its first wait, leaving the pool's
     * connections open, and the pool logged it at WARN with a stack trace.
     */
    void close(HikariDataSource pool) {
        boolean interrupted = Thread.interrupted();
        try {
            endConnectionAttempts();
            pool.close();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Ends the attempts to connect under way, for a pool about to close: nothing is lost, as the close would discard
     * a connection they opened.
     *
     * @return how many threads were trying to connect
     */
    int endConnectionAttempts() {
        int ended = 0;
        for (Thread thread : threads) {
            for (StackTraceElement frame : thread.getStackTrace()) {
                if (frame.getClassName().equals(CONNECTION_ADDER)) {
                    thread.interrupt();
                    ended++;
                    break;
                }
            }
        }
        return ended;
    }
}
