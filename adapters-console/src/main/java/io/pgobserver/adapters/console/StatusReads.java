package io.pgobserver.adapters.console;

import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.port.CaptureInstaller;
import io.pgobserver.domain.port.ChangeSource;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.DeadLetters;
import io.pgobserver.domain.port.Leadership;
import io.pgobserver.domain.port.OpenTransaction;
import io.pgobserver.domain.port.ParkedEvents;
import io.pgobserver.domain.spi.CaptureStatus;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * What {@code status} reads, through the same ports (the checkpoint, the lag, the oldest open or prepared
 * transaction that has written events, dead letters per observer, parked entities, who holds the lock, and how the
 * observed tables are captured: {@link CaptureInstaller#check}, status's own check), read
 * side by side on virtual threads. The capture is {@code run}'s latest check ({@link CaptureStatus}), made every
 * {@code listener.capture_check_interval}, not a catalog query on each renewal; where no such
 * check has been made, the console checks for itself. A page is answered from the last reads, and reads older than
 * {@value #FRESH_MILLIS} ms are renewed in the background: a page never waits for a database busy with the pipeline
 * (only the first one does), its figures are at most about a second old, and a room of open consoles costs the
 * database what one does. When a set of reads takes the database long (the parked totals aggregate every parked
 * row: about 0.3 s with 223,000 of them), the next waits {@value #COST_SHARE} times as long, so that an open console
 * never keeps the database busy more than a tenth of the time.
 *
 * <p>It is also the console's word on whether the database answers. When a read fails (a renewal, or a page's own
 * read through {@link #failed}), the last figures stay with the failure beside them, the pages stop asking the
 * database themselves (a page would otherwise wait out the pool's connection timeout on every load), and renewals
 * go on in the background until one succeeds. The log gets one warning per outage, without a stack trace.
 */
@Singleton
final class StatusReads {

    static final long FRESH_MILLIS = 1000;
    /** Renewals wait at least this many times what the last set of reads took the database. */
    static final int COST_SHARE = 10;
    /** Parked entities listed by name, those parked longest: the page shows these, the totals count them all. */
    static final int PARKED_LISTED = 50;
    private static final Logger LOG = LoggerFactory.getLogger(StatusReads.class);

    private final String consumer;
    private final CheckpointStore checkpoints;
    private final ChangeSource source;
    private final DeadLetters deadLetters;
    private final ParkedEvents parked;
    private final Leadership leadership;
    private final CaptureInstaller capture;
    private final CaptureStatus captureStatus;
    private final List<String> observed;
    private Read last;
    private boolean renewing;
    private volatile String failure;

    /** One set of reads, and how long the database took for them. */
    record Read(Optional<CheckpointStore.Saved> saved, List<Leadership.Member> members, boolean led,
                ChangeSource.Lag lag, Optional<OpenTransaction> openTransaction, Map<String, Long> lettersByObserver,
                ParkedEvents.Summary parked, CaptureInstaller.Check capture, long takenAtMillis,
                long databaseNanos) {

        /** The consumer's dead letters, all observers together. */
        long deadLetters() {
            return lettersByObserver.values().stream().mapToLong(Long::longValue).sum();
        }

        /** How long these stay fresh: a second, or {@value #COST_SHARE} times what reading them took. */
        long freshForMillis() {
            return Math.max(FRESH_MILLIS, databaseNanos / 1_000_000 * COST_SHARE);
        }

        /** When these were read, as the console writes times. */
        String takenAt() {
            return Format.time(Instant.ofEpochMilli(takenAtMillis));
        }
    }

    /**
     * Thrown by what cannot be shown at all without the database (one dead letter): the console answers 503 with
     * the reason, in its own page. No stack trace: it is an outage, not a fault of the console.
     */
    static final class Unanswered extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unanswered(String reason) {
            super(reason, null, false, false);
        }
    }

    @Inject
    StatusReads(ListenerSettings listener, CheckpointStore checkpoints, ChangeSource source, DeadLetters deadLetters,
                ParkedEvents parked, Leadership leadership, CaptureInstaller capture, CaptureStatus captureStatus,
                List<Observer> observers) {
        this.consumer = listener.consumer();
        this.checkpoints = checkpoints;
        this.source = source;
        this.deadLetters = deadLetters;
        this.parked = parked;
        this.leadership = leadership;
        this.capture = capture;
        this.captureStatus = captureStatus;
        this.observed = observers.stream().map(Observer::entity).toList();
    }

    /**
     * The last reads, renewed in the background when older than {@link Read#freshForMillis()}, or empty when none
     * worked yet ({@link #failure()} says why). The first call reads and waits for the answer; once a read has
     * failed, no call waits for the database.
     */
    Optional<Read> read() {
        Read current;
        boolean renew;
        synchronized (this) {
            current = last;
            renew = !renewing && (current == null ? failure != null
                    : System.currentTimeMillis() - current.takenAtMillis() >= current.freshForMillis());
            renewing |= renew;
        }
        if (current == null && !renew && failure == null) {
            try {
                return Optional.of(readNow());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            } catch (RuntimeException | ChangeSource.ChangeSourceException e) {
                failed("the status figures", e);
                return Optional.empty();
            }
        }
        if (renew) {
            Thread.ofVirtual().name("console-status-reads").start(() -> {
                try {
                    readNow();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException | ChangeSource.ChangeSourceException e) {
                    failed("the status figures", e);
                } finally {
                    synchronized (this) {
                        renewing = false;
                    }
                }
            });
        }
        return Optional.ofNullable(current);
    }

    /**
     * What {@code read} gets from the database, for a page that reads beyond these figures (the dead letters).
     * While the database is known not to answer, it does not ask (the renewals find out when it is back) and throws
     * at once; a read that fails is recorded as {@link #failed} records it.
     *
     * @throws Unanswered with the reason, when the database did not answer or is known not to
     */
    <T> T ask(String what, Supplier<T> read) {
        read();
        String known = failure;
        if (known != null) {
            throw new Unanswered(known);
        }
        try {
            return read.get();
        } catch (RuntimeException e) {
            throw new Unanswered(failed(what, e));
        }
    }

    /** Why the database did not answer the console's last read, or null when it did. */
    String failure() {
        return failure;
    }

    /**
     * Records that the database did not answer a read of {@code what} and returns the reason as the pages show it:
     * the innermost cause ({@code Connection refused}), not the pool's or the driver's wrapping of it. Warns once
     * per outage; the renewals that go on failing log at DEBUG.
     */
    String failed(String what, Exception error) {
        String reason = reason(error) + ", while reading " + what;
        boolean first;
        synchronized (this) {
            first = failure == null;
            failure = reason;
        }
        if (first) {
            LOG.warn("Console: the database did not answer: {}; the pages show the last figures until it does",
                    reason);
        } else {
            LOG.debug("Console: the database still does not answer: {}", reason);
        }
        return reason;
    }

    private static String reason(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        // The innermost cause says what failed ("Connection refused", or the pool's "Connection is not available,
        // request timed out after 10000ms"); the console knows no JDBC type to say it otherwise (database access
        // belongs to the postgres adapter alone).
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }

    /** One set of reads, as a renewal makes it (package-private: the tests renew without waiting a second). */
    Read readNow() throws ChangeSource.ChangeSourceException, InterruptedException {
        long started = System.nanoTime();
        try (ExecutorService reads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<List<Leadership.Member>> members = reads.submit(leadership::members);
            Future<Map<String, Long>> letters = reads.submit(() -> Map.copyOf(deadLetters.countByObserver(consumer)));
            Future<ParkedEvents.Summary> entities = reads.submit(() -> parked.summary(consumer, PARKED_LISTED));
            Future<Optional<OpenTransaction>> open = reads.submit(source::oldestOpenWriter);
            Future<CaptureInstaller.Check> captured = reads.submit(() -> captureStatus.latest()
                    .orElseGet(() -> capture.check(observed)));
            Optional<CheckpointStore.Saved> saved = checkpoints.load(consumer);
            ChangeSource.Lag lag = source.lag(saved.map(CheckpointStore.Saved::done).orElse(Snapshot.ORIGIN));
            List<Leadership.Member> who = members.get();
            boolean led = who.stream().anyMatch(Leadership.Member::holder) || leadership.isHeldByAnyone();
            Read read = new Read(saved, who, led, lag, open.get(), letters.get(), entities.get(), captured.get(),
                    System.currentTimeMillis(), System.nanoTime() - started);
            String was;
            synchronized (this) {
                last = read;
                was = failure;
                failure = null;
            }
            if (was != null) {
                LOG.info("Console: the database answers again");
            }
            return read;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }
}
