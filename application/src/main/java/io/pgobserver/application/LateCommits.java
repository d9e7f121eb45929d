package io.pgobserver.application;

import io.pgobserver.domain.port.ChangeSource;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.port.OpenTransaction;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.WARNING;

/**
 * Says which open transaction holds events back. Its rows are in no batch until it commits, so they arrive late
 * while the lag says 0; a session left {@code idle in transaction} keeps them back for hours. Looked at every
 * {@link #EVERY} while the term leads, not per batch: the gauge gets its age (0 when there is none), and the log a
 * warning once it has been open {@link #WARN_AFTER}, again each minute while it stays open, so that it is seen
 * without filling the log. When the database hides its age from the observer's role, the age is how long this
 * process has seen it open, a lower bound. A prepared transaction (two-phase commit) whose transaction manager died
 * is the likeliest to stay for good: the warning names its gid and the COMMIT or ROLLBACK PREPARED that ends it.
 */
final class LateCommits {

    /** How often to look: cheap, and an open transaction matters over minutes, not seconds. */
    static final Duration EVERY = Duration.ofSeconds(5);
    /** How long a transaction may stay open before the log says so: longer than any sound write transaction. */
    static final Duration WARN_AFTER = Duration.ofMinutes(5);
    private static final long WARN_EVERY_NANOS = Duration.ofMinutes(1).toNanos();

    private final ChangeSource source;
    private final Metrics metrics;
    private final String consumer;
    private final System.Logger log;
    private final LongSupplier nanoClock;
    private long seenXid = -1;
    private long seenSinceNanos;
    private boolean warned;
    private long warnedAtNanos;

    LateCommits(ChangeSource source, Metrics metrics, String consumer, System.Logger log, LongSupplier nanoClock) {
        this.source = source;
        this.metrics = metrics;
        this.consumer = consumer;
        this.log = log;
        this.nanoClock = nanoClock;
    }

    /**
     * Looks for the open transaction that holds events back every {@link #EVERY} while {@code leading} holds, on a
     * thread of its own so that neither a long batch nor a wait for room delays it. At the end the gauge reads 0: the
     * next holder reports it.
     */
    static void watch(ChangeSource source, Metrics metrics, String consumer, BooleanSupplier leading, Sleeper pause) {
        LateCommits late = new LateCommits(source, metrics, consumer, System.getLogger(LateCommits.class.getName()),
                System::nanoTime);
        Thread.ofVirtual().name("pgobserver-late-commits").start(() -> {
            try {
                while (leading.getAsBoolean()) {
                    late.look();
                    pause.sleep(EVERY);
                }
            } catch (InterruptedException e) {
                // The term is over.
            }
            metrics.openTransactionAge(0);
        });
    }

    /** One look: the gauge, and the warning when it is due. A failing database is the reader's to report. */
    void look() {
        Optional<OpenTransaction> oldest;
        try {
            oldest = source.oldestOpenWriter();
        } catch (ChangeSource.ChangeSourceException | RuntimeException e) {
            log.log(DEBUG, () -> "open transactions unavailable: " + e.getMessage());
            return;
        }
        long now = nanoClock.getAsLong();
        if (oldest.isEmpty()) {
            seenXid = -1;
            warned = false;
            metrics.openTransactionAge(0);
            return;
        }
        OpenTransaction open = oldest.get();
        if (open.xid() != seenXid) {
            seenXid = open.xid();
            seenSinceNanos = now;
            warned = false;
        }
        Duration seen = Duration.ofNanos(now - seenSinceNanos);
        Duration age = open.knownAge().orElse(seen);
        metrics.openTransactionAge(age.toMillis());
        if (age.compareTo(WARN_AFTER) >= 0 && (!warned || now - warnedAtNanos >= WARN_EVERY_NANOS)) {
            warned = true;
            warnedAtNanos = now;
            log.log(WARNING, "consumer '" + consumer + "': " + (open.isPrepared() ? "a prepared" : "an open")
                    + " transaction has written events, which wait for its commit (the lag does not count them): "
                    + open.describe(seen)
                    + (open.query() == null ? "" : ", last statement: " + open.query()) + ". " + open.howToEnd());
        }
    }
}
