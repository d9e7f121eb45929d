package io.pgobserver.application;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.event.Position;
import io.pgobserver.domain.testing.InMemoryCheckpointStore;
import io.pgobserver.domain.trace.TraceContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a check costs while {@code listener.max_parked} is reached: nothing can be parked then, and a receiver down
 * for every row keeps it reached for as long as it is down, so the checks must not come every 10 ms, nor scan the
 * pending events for a WARN that is logged once a minute. The pipeline's tests (EventPipelineTest) cover what is
 * parked and when.
 */
class StuckHeadTest {

    private static final long HOUR_NANOS = Duration.ofHours(1).toNanos();

    // The events' clock, set by the test; its reads count the checks' looks at the pending events: one for the head,
    // one for each scan of those being retried behind it.
    private final AtomicLong now = new AtomicLong();
    private final AtomicLong clockReads = new AtomicLong();
    private final CountDownLatch release = new CountDownLatch(1);
    private long offset;

    @AfterEach
    void releaseTheEvents() {
        release.countDown();
    }

    /** Lanes whose events fail their attempt, then hold their place until the test ends. */
    private Lanes failingLanes(int maxInFlight, CountDownLatch running) {
        Lanes lanes = new Lanes(maxInFlight, (event, ticket) -> {
            ticket.attemptFailed();
            running.countDown();
            release.await();
        }, "stuck-head-test-");
        lanes.parkInto((entity, events) -> { });
        return lanes;
    }

    private Progress progress(int maxPending) {
        return new Progress(new InMemoryCheckpointStore(), new InMemoryCheckpointStore().claim("c"),
                Duration.ofMinutes(1), maxPending, Long.MAX_VALUE, () -> {
                    clockReads.incrementAndGet();
                    return now.get();
                }, () -> { });
    }

    private ChangeEvent event(String entity) {
        return new ChangeEvent(entity + "-1", new Position(0, ++offset), "public.orders", entity, ChangeKind.UPDATED,
                Map.of(), Map.of(), Instant.now(), TraceContext.NONE);
    }

    @Test
    void onceTheStreamHasWaitedOnRetriesChecksComeEvery10MsOnlyWhileAnEntityCanBeParked() throws Exception {
        CountDownLatch running = new CountDownLatch(2);
        Lanes lanes = failingLanes(2, running);
        Progress progress = progress(10);
        for (String entity : new String[] {"a", "b"}) {
            ChangeEvent event = event(entity);
            lanes.submit(entity, event, progress.register(1, event, entity, () -> false, null));
        }
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
        StuckHead stuck = new StuckHead("c", Duration.ZERO, lanes, 1);

        stuck.parkIfStuck(progress); // a is parked, and with it max_parked (1) is reached: b is not
        assertThat(lanes.parked()).isEqualTo(1);
        assertThat(stuck.checkEvery()).as("a check while max_parked is reached").isEqualTo(Duration.ofMillis(100));

        release.countDown(); // a's event gets through as it is parked: nothing of it stays parked, room frees
        assertThat(lanes.awaitIdle(Duration.ofSeconds(30))).isTrue();
        assertThat(lanes.parked()).isZero();
        assertThat(stuck.checkEvery()).as("a check once room frees").isEqualTo(Duration.ofMillis(10));
    }

    /**
     * One place, held by s, whose event failed its attempt and is retried past park_after (1 h); x, the oldest event,
     * waits for the place, and reading waits (max_pending 2). Not parked yet.
     */
    private Progress sHoldsThePlaceTheOldestWaitsFor(Lanes lanes, CountDownLatch sRunning) throws Exception {
        Progress progress = progress(2);
        ChangeEvent x = event("x");
        ChangeEvent s = event("s");
        Ticket xTicket = progress.register(1, x, "x", () -> false, null);
        lanes.submit("s", s, progress.register(1, s, "s", () -> false, null));
        assertThat(sRunning.await(30, TimeUnit.SECONDS)).isTrue();
        lanes.submit("x", x, xTicket);
        now.addAndGet(2 * HOUR_NANOS);
        return progress;
    }

    @Test
    void whileMaxParkedIsReachedAChecksScansThePendingEventsOnlyForTheWarnItLogs() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        Lanes lanes = failingLanes(1, running);
        Progress progress = sHoldsThePlaceTheOldestWaitsFor(lanes, running);
        StuckHead stuck = new StuckHead("c", Duration.ofHours(1), lanes, 1);
        stuck.parkIfStuck(progress); // s is parked, reaching max_parked (1)
        assertThat(lanes.parked()).isEqualTo(1);
        stuck.parkIfStuck(progress); // the minute's WARN, naming s

        long before = clockReads.get();
        for (int check = 0; check < 10; check++) {
            stuck.parkIfStuck(progress);
        }
        assertThat(clockReads.get() - before).as("looks at the pending events in 10 checks past the WARN: the head's")
                .isEqualTo(10);
    }

    /**
     * The minute's WARN names the entities that hold the places, also when the minute turns between the check's look
     * at whether its line is logged and the line (the minute's end is counted on a thread of its own): that check
     * skipped the scan, and its line named no entity ("entities , being retried, hold places").
     */
    @Test
    void aWarnSaidAsTheMinuteTurnsNamesTheEntitiesHoldingThePlaces() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        Lanes lanes = failingLanes(1, running);
        Progress progress = sHoldsThePlaceTheOldestWaitsFor(lanes, running);
        // Each look at the WARN lines' clock finds 40 s gone: a minute turns between any two.
        AtomicLong logClock = new AtomicLong();
        CapturedLines log = new CapturedLines(System.Logger.Level.WARNING);
        StuckHead stuck = new StuckHead("c", Duration.ofHours(1), lanes, 1, log,
                () -> logClock.addAndGet(Duration.ofSeconds(40).toNanos()));

        stuck.parkIfStuck(progress); // s is parked, reaching max_parked (1)
        assertThat(lanes.parked()).isEqualTo(1);
        stuck.parkIfStuck(progress); // the minute's WARN, naming s
        stuck.parkIfStuck(progress); // counted, or said as the minute turns
        stuck.parkIfStuck(progress); // the next minute's WARN

        assertThat(log.lines).filteredOn(line -> line.contains("(listener.max_parked)")).as("the WARNs of two minutes")
                .hasSize(2).allMatch(line -> line.startsWith("consumer 'c': entity s, being retried, holds a place"));
    }
}
