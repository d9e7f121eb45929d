package io.pgobserver.bootstrap.wiring;

import io.pgobserver.domain.config.Durations;
import io.pgobserver.domain.observer.RetryPolicy;
import io.pgobserver.domain.spi.Lifecycle;
import io.pgobserver.domain.spi.PipelineStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How {@code run} starts: it waits for a database that does not answer yet instead of exiting, since a service and
 * its database often start together (a host reboot, a compose stack, pods in any order) and the database is then
 * the slower one. Each part that needs it is started again after 1 s, doubling to 30 s; settings the server refuses
 * still end the start at once. The wait ends early on {@link #cancel()} (a stop), and meanwhile the readiness
 * endpoint answers 503 with what is awaited.
 */
public final class WaitingStart implements Services.Patience {

    private static final Logger LOG = LoggerFactory.getLogger(WaitingStart.class);
    /** The waits between attempts: the same formula as every other retry, 1 s doubling to 30 s. */
    static final RetryPolicy WAITS = new RetryPolicy(Integer.MAX_VALUE, Duration.ofSeconds(1), Duration.ofSeconds(30));

    private final RetryPolicy waits;
    private final CountDownLatch cancelled = new CountDownLatch(1);
    private final long startedAt = System.nanoTime();
    private volatile String problem = "starting";
    private volatile boolean started;
    /** The thread starting the services, while it does: the one a stop interrupts. */
    private Thread starter;
    private String lastReason;
    private Lifecycle.Unavailable awaited;
    private int attempts;

    public WaitingStart() {
        this(WAITS);
    }

    /** With waits of its own: tests wait for nothing. */
    WaitingStart(RetryPolicy waits) {
        this.waits = waits;
    }

    /**
     * Starts the services, waiting for what they need.
     *
     * @return false when a stop came while waiting: nothing is left started
     */
    public boolean start(Services services) throws Exception {
        boolean up;
        synchronized (this) {
            starter = Thread.currentThread();
        }
        try {
            up = services.start(this);
        } catch (Exception e) {
            if (cancelled.getCount() == 0) {
                up = false; // what the stop's interrupt cut short: the stop is the news, not the part's failure
            } else {
                problem = "could not start: " + e.getMessage();
                throw e;
            }
        } finally {
            synchronized (this) {
                starter = null;
                Thread.interrupted(); // the stop's, if it came: it has done its work, and the close must not see it
            }
        }
        if (!up) {
            problem = "stopped while starting";
            return false;
        }
        if (awaited != null) {
            LOG.info("{} answers after {} ({} failed attempt{}); starting", awaited.service(),
                    Durations.rounded(Duration.ofNanos(System.nanoTime() - startedAt)), attempts,
                    attempts == 1 ? "" : "s");
        }
        started = true;
        return true;
    }

    /**
     * Logs like the running pipeline does when a store fails: the first failure, every tenth, and a failure whose
     * reason changed (refused, then starting up) at WARN; the others at DEBUG. An outage of hours writes a few lines.
     */
    @Override
    public boolean waitAfter(Lifecycle.Unavailable failure, int attempt) throws InterruptedException {
        if (cancelled.getCount() == 0) {
            return false; // the attempt ended by the stop: no outage to tell
        }
        Duration wait = waits.backoffCeiling(attempt);
        awaited = failure;
        attempts = attempt;
        problem = "waiting for " + failure.service() + ": " + failure.reason() + " (attempt " + attempt + ")";
        // Written as the other lines and the settings write durations (1s, 1m 30s): a wait under a second, or one
        // of a policy not in whole seconds, is not rounded to a wrong "0 s".
        String line = "waiting for {}: {}; next attempt in {} (attempt {})";
        if (attempt == 1 || attempt % 10 == 0 || !failure.reason().equals(lastReason)) {
            LOG.warn(line, failure.service(), failure.reason(), Durations.format(wait), attempt);
        } else {
            LOG.debug(line, failure.service(), failure.reason(), Durations.format(wait), attempt);
        }
        lastReason = failure.reason();
        return !cancelled.await(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Ends a wait at once, and every later one before it begins: the process is stopping. An attempt under way is
     * interrupted too: against a server that accepts connections and never answers (frozen, or cut off without a
     * reset) it would otherwise run to its timeout (10 s) before the stop could end the start.
     */
    public void cancel() {
        cancelled.countDown();
        synchronized (this) {
            if (starter != null) {
                starter.interrupt();
            }
        }
    }

    /**
     * The pipeline's status as the readiness endpoint tells it: until the services have started, not ready, role
     * {@code starting}, with what the start waits for; then the pipeline's own.
     */
    public PipelineStatus status(PipelineStatus pipeline) {
        return new PipelineStatus() {
            @Override
            public String problem() {
                return started ? pipeline.problem() : problem;
            }

            @Override
            public boolean isActive() {
                return started && pipeline.isActive();
            }

            @Override
            public String role() {
                return started ? pipeline.role() : "starting";
            }

            @Override
            public long processedCount() {
                return pipeline.processedCount();
            }
        };
    }
}
