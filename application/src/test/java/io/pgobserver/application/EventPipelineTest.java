package io.pgobserver.application;

import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.config.TracingSettings;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.event.Checkpoint;
import io.pgobserver.domain.event.Position;
import io.pgobserver.domain.observer.Condition;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.observer.Ordering;
import io.pgobserver.domain.observer.RetryPolicy;
import io.pgobserver.domain.port.ActionExecutor;
import io.pgobserver.domain.port.ActionRequest;
import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.port.ChangeSource;
import io.pgobserver.domain.port.Deliveries;
import io.pgobserver.domain.port.Leadership;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.testing.InMemoryChangeSource;
import io.pgobserver.domain.testing.InMemoryCheckpointStore;
import io.pgobserver.domain.testing.InMemoryDeadLetters;
import io.pgobserver.domain.testing.InMemoryDeliveries;
import io.pgobserver.domain.testing.InMemoryLeadership;
import io.pgobserver.domain.testing.InMemoryParkedEvents;
import io.pgobserver.domain.testing.RecordingTracer;
import io.pgobserver.domain.testing.RecordingTracer.RecordedSpan;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.TraceContext;
import io.pgobserver.domain.testing.TestAction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pipeline on the in-memory fakes, which keep the ports' contracts (the same contracts the PostgreSQL
 * adapter passes): commit order, open transactions, checkpoints, fencing, failover and de-duplication.
 */
class EventPipelineTest {

    private static final Duration LEASE = Duration.ofMillis(300);

    private final InMemoryChangeSource source = new InMemoryChangeSource();
    private final InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();
    private final InMemoryDeliveries deliveries = new InMemoryDeliveries(checkpoints);
    private final InMemoryParkedEvents parked = new InMemoryParkedEvents(checkpoints);
    private final InMemoryDeadLetters deadLetters = new InMemoryDeadLetters(deliveries);
    private final InMemoryLeadership.Lock lock = new InMemoryLeadership.Lock();
    private final List<Thread> loops = new ArrayList<>();
    private Duration lease = LEASE;
    private final List<EventPipeline> pipelines = new ArrayList<>();
    private final Map<String, AtomicInteger> openPerEntity = new ConcurrentHashMap<>();
    private final AtomicInteger overlaps = new AtomicInteger();
    private volatile ProcessEvent lastProcess;
    /** How the pipelines started next wait before running a failed event again. */
    private Sleeper pipelineSleeper = Sleeper.SYSTEM;
    /**
     * The observer's retries in the pipelines started next. Retried for good: no test here wants a give-up. With 1,000
     * attempts 20 ms apart a stuck entity gave up after some 20 s, a clock a loaded machine could run out while a test
     * still needed it stuck.
     */
    private RetryPolicy retry = new RetryPolicy(1_000_000, Duration.ofMillis(20), Duration.ofMillis(20));

    @AfterEach
    void stopAll() throws InterruptedException {
        for (EventPipeline pipeline : pipelines) {
            pipeline.stop(Duration.ofSeconds(5));
        }
        for (Thread loop : loops) {
            loop.join(10_000);
        }
    }

    /**
     * Records what reaches the action, per entity and in order, and how many run at once; shared by every
     * pipeline of a test so that two processes running one entity at once show as an overlap.
     */
    final class RecordingExecutor implements ActionExecutor {
        final Map<String, List<Long>> seenByEntity = new ConcurrentHashMap<>();
        final List<Object> afterValues = new CopyOnWriteArrayList<>();
        final Map<Object, String> entityOf = new ConcurrentHashMap<>();
        final List<String> deliveryIds = new CopyOnWriteArrayList<>();
        final Map<String, List<Integer>> attemptsByEntity = new ConcurrentHashMap<>(); // failed ones too, in order
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();
        final AtomicInteger executions = new AtomicInteger();
        volatile String blockEntity;
        volatile boolean blockEveryone;
        volatile String failEntity;
        volatile Set<String> failEntities = Set.of();
        volatile Object failN;
        volatile boolean failing;
        volatile long slowMillis; // a receiver that answers every request, this slowly
        final Set<Object> failFirstAttempt = ConcurrentHashMap.newKeySet(); // after values "n" answered 503 once
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch blocked = new CountDownLatch(1);
        final CountDownLatch interrupted = new CountDownLatch(1);

        @Override
        public String type() {
            return "webhook";
        }

        @Override
        public ActionResult execute(ActionRequest request, Span span) {
            ChangeEvent event = request.event();
            attemptsByEntity.computeIfAbsent(event.entityId(), k -> new CopyOnWriteArrayList<>()).add(request.attempt());
            AtomicInteger open = openPerEntity.computeIfAbsent(event.entityId(), k -> new AtomicInteger());
            if (open.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            int now = running.incrementAndGet();
            maxRunning.accumulateAndGet(now, Math::max);
            try {
                if (blockEveryone || event.entityId().equals(blockEntity)) {
                    blocked.countDown();
                    release.await();
                }
                if (failing || event.entityId().equals(failEntity) || failEntities.contains(event.entityId())
                        || (failN != null && failN.equals(event.after().get("n")))
                        || failFirstAttempt.remove(event.after().get("n"))) {
                    Thread.sleep(5);
                    return ActionResult.Failure.transientFailure("HTTP 503", null);
                }
                // A little uneven work so events of different entities overtake each other.
                Thread.sleep(slowMillis + new Random(event.position().offset()).nextInt(3));
                // Tests wait on seenByEntity or executions, then read the rest: those two are recorded last, so a
                // wait that sees an event also sees its after value (it could read one short before).
                entityOf.put(event.after().get("n"), event.entityId());
                afterValues.add(event.after().get("n"));
                deliveryIds.add(request.deliveryId());
                seenByEntity.computeIfAbsent(event.entityId(), k -> new CopyOnWriteArrayList<>())
                        .add(event.position().offset());
                executions.incrementAndGet();
                return ActionResult.success("ok");
            } catch (InterruptedException e) {
                interrupted.countDown();
                Thread.currentThread().interrupt();
                return ActionResult.Failure.transientFailure("interrupted", e);
            } finally {
                running.decrementAndGet();
                open.decrementAndGet();
            }
        }
    }

    /** The traces of the last pipeline started. */
    private final RecordingTracer traces = new RecordingTracer();
    /** What the last pipeline started reports as its parked entities' gauge. */
    private volatile java.util.function.LongSupplier parkedGauge = () -> -1;
    /** What the last pipeline started reported as its lag, in events; -1 before its first report. */
    private volatile long lagGauge = -1;
    private final Metrics gauges = new Metrics() {
        @Override
        public void parkedEntities(java.util.function.LongSupplier count) {
            parkedGauge = count;
        }

        @Override
        public void listenerLag(long events, long ageMillis) {
            lagGauge = events;
        }
    };

    private EventPipeline start(RecordingExecutor executor, int maxInFlight, int maxPending,
                                Leadership leadership) {
        return start(executor, maxInFlight, maxPending, leadership, Duration.ofSeconds(30), Condition.ALWAYS);
    }

    private EventPipeline start(RecordingExecutor executor, int maxInFlight, int maxPending,
                                Leadership leadership, Duration parkAfter, Condition condition) {
        return start(executor, maxInFlight, maxPending, leadership, parkAfter, condition, Ordering.ENTITY);
    }

    private EventPipeline start(RecordingExecutor executor, int maxInFlight, int maxPending,
                                Leadership leadership, Duration parkAfter, Condition condition,
                                Ordering ordering) {
        return start(executor, maxInFlight, maxPending, leadership, parkAfter, condition, ordering, 0);
    }

    private EventPipeline start(RecordingExecutor executor, int maxInFlight, int maxPending,
                                Leadership leadership, Duration parkAfter, Condition condition,
                                Ordering ordering, int maxParked) {
        return start(executor, maxInFlight, maxPending, leadership, parkAfter, condition, ordering, maxParked, 0,
                source);
    }

    private EventPipeline start(RecordingExecutor executor, int maxInFlight, int maxPending,
                                Leadership leadership, Duration parkAfter, Condition condition,
                                Ordering ordering, int maxParked, long maxPendingBytes, ChangeSource changes) {
        return start(List.of(observer("all", condition, ordering, "webhook")), List.of(executor), maxInFlight,
                maxPending, leadership, parkAfter, maxParked, maxPendingBytes, changes);
    }

    /** An observer of every row of public.orders, one action of each type given, each retried as {@link #retry}. */
    private Observer observer(String name, Condition condition, Ordering ordering, String... actionTypes) {
        return new Observer(name, "public.orders", null, "", condition,
                java.util.Arrays.stream(actionTypes).map(type -> (io.pgobserver.domain.observer.ActionSpec)
                        new TestAction(type, "http://localhost:1/" + type)).toList(),
                java.util.Arrays.stream(actionTypes).map(type -> type + "-0").toList(),
                retry, ordering);
    }

    private EventPipeline start(List<Observer> observers, List<ActionExecutor> executors, int maxInFlight,
                                int maxPending, Leadership leadership, Duration parkAfter, int maxParked,
                                long maxPendingBytes, ChangeSource changes) {
        ProcessEvent process = lastProcess = new ProcessEvent("test", traces, new RecordingTracer(),
                TracingSettings.defaults(), observers, new ActionExecutors(executors),
                deadLetters, deliveries, Metrics.NOOP, Sleeper.SYSTEM, null, Clock.systemUTC());
        ListenerSettings settings = new ListenerSettings("test", 50, Duration.ofMillis(20), maxInFlight, maxPending,
                Duration.ofMillis(10), null, parkAfter, maxParked, maxPendingBytes);
        EventPipeline pipeline = new EventPipeline(changes, checkpoints, parked, leadership, process, gauges,
                settings, pipelineSleeper, lease);
        Thread loop = Thread.ofPlatform().name("pipeline-test").start(() -> {
            try {
                pipeline.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        loops.add(loop);
        pipelines.add(pipeline);
        return pipeline;
    }

    private EventPipeline start(RecordingExecutor executor, int maxInFlight) {
        return start(executor, maxInFlight, 10_000, new InMemoryLeadership(lock));
    }

    private static ChangeEvent event(String entity, Object n) {
        return new ChangeEvent("e-" + entity + "-" + n, new Position(0, 0), "public.orders", entity,
                ChangeKind.UPDATED, Map.of(), Map.of("n", n), Instant.now(), TraceContext.NONE);
    }

    private void append(String entity, long n) {
        source.append(event(entity, n));
    }

    /** Waits up to 30 s for {@code condition}; the other tests of the core's concurrency use it too. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void eventsOfOneEntityKeepTheirOrderWhileEntitiesRunInParallel() throws Exception {
        RecordingExecutor executor = new RecordingExecutor();
        Random random = new Random(42);
        int total = 800;
        for (int i = 1; i <= total; i++) {
            append("order-" + random.nextInt(20), i);
        }
        start(executor, 64);
        await("every event ran", () -> executor.executions.get() == total);

        executor.seenByEntity.forEach((entity, offsets) -> assertThat(offsets).as("order of %s", entity).isSorted());
        assertThat(executor.maxRunning.get()).as("different entities ran at the same time").isGreaterThan(1);
        assertThat(executor.maxRunning.get()).as("bounded by max_in_flight").isLessThanOrEqualTo(64);
        assertThat(overlaps.get()).isZero();
        await("the checkpoint passed every batch", () -> checkpoints.load("test").orElseThrow().checkpoint()
                .afterId() == 0 && executor.executions.get() == total && pipelines.getFirst().savedCheckpoint() != null
                && checkpoints.load("test").orElseThrow().dispatched().batch()
                < checkpoints.load("test").orElseThrow().checkpoint().batch());
    }

    @Test
    void aRowsChangesArriveInCommitOrderNotTransactionIdOrder() throws Exception {
        RecordingExecutor executor = new RecordingExecutor();
        // T_A begins first (the older transaction id) and writes another row; T_B then changes order 500 and
        // commits; T_A changes order 500 after it (it waited on the row lock) and commits last.
        InMemoryChangeSource.Transaction a = source.begin();
        a.write(event("order-7", "other"));
        InMemoryChangeSource.Transaction b = source.begin();
        b.write(event("order-500", "paid"));
        b.commit();
        a.write(event("order-500", "shipped"));
        a.commit();
        start(executor, 16);
        await("all three ran", () -> executor.executions.get() == 3);
        assertThat(executor.afterValues).containsSubsequence("paid", "shipped");
    }

    @Test
    void anOpenTransactionDelaysOnlyItsOwnRows() throws Exception {
        RecordingExecutor executor = new RecordingExecutor();
        InMemoryChangeSource.Transaction open = source.begin();
        open.write(event("order-1", "held"));
        start(executor, 16);
        for (int i = 1; i <= 50; i++) {
            append("order-" + (i % 5 + 2), i);
        }
        await("the others' events ran while it stays open", () -> executor.executions.get() == 50);
        assertThat(executor.afterValues).doesNotContain("held");
        open.commit();
        await("its own ran after its commit", () -> executor.executions.get() == 51);
        assertThat(executor.afterValues.getLast()).isEqualTo("held");
    }

    @Test
    void theCheckpointNeverPassesAnUnfinishedEvent() throws Exception {
        RecordingExecutor executor = new RecordingExecutor();
        executor.blockEntity = "slow";
        append("order-1", 1);
        append("slow", 2);
        for (int i = 3; i <= 200; i++) {
            append("order-" + i, i);
        }
        start(executor, 256);
        assertThat(executor.blocked.await(30, TimeUnit.SECONDS)).isTrue();
        await("every other event ran", () -> executor.executions.get() == 199);
        // All 200 rows committed before the first snapshot: one batch, whose checkpoint stops before the slow row.
        // Awaited, not assumed: an event ran is not yet an event done (its delivery records, then the save).
        await("the checkpoint reached the slow row", () -> checkpoints.load("test").orElseThrow().checkpoint()
                .equals(new Checkpoint(1, 1)));
        Thread.sleep(100); // several checkpoint intervals pass while the slow event is still running
        assertThat(checkpoints.load("test").orElseThrow().checkpoint()).as("the checkpoint never passes the slow row")
                .isEqualTo(new Checkpoint(1, 1));

        executor.release.countDown();
        await("the checkpoint passed everything", () -> executor.executions.get() == 200
                && checkpoints.load("test").orElseThrow().checkpoint().equals(new Checkpoint(2, 0)));
    }

    @Test
    void theLagGaugeCountsTheBacklogWhileTheListenerWaitsForRoom() throws Exception {
        // A receiver that does not answer fills max_pending: the listener waits for room and never falls idle, which
        // was the only moment the lag was measured, so the gauge said nothing of the rows waiting behind.
        RecordingExecutor executor = new RecordingExecutor();
        executor.blockEntity = "slow";
        for (int i = 1; i <= 100; i++) {
            append("slow", i);
        }
        start(executor, 4, 10, new InMemoryLeadership(lock));
        assertThat(executor.blocked.await(30, TimeUnit.SECONDS)).isTrue();

        await("the gauge counts the 100 rows the listener has not read past", () -> lagGauge == 100);

        executor.release.countDown();
        await("the gauge is back at 0 once they ran", () -> executor.executions.get() == 100 && lagGauge == 0);
    }

    @Test
    void aStuckEntityIsParkedAndHoldsBackOnlyItself() throws Exception {
        // Bounds set low so that the stuck entity alone has more queued events than max_in_flight (4) and the
        // stream more than max_pending (40) behind it.
        RecordingExecutor executor = new RecordingExecutor();
        executor.failEntity = "stuck";
        for (int i = 1; i <= 30; i++) {
            append("stuck", i);
        }
        for (int i = 31; i <= 530; i++) {
            append("order-" + (i % 50), i);
        }
        start(executor, 4, 40, new InMemoryLeadership(lock));
        await("every other entity's events ran", () -> executor.executions.get() == 500);
        await("the checkpoint passed the whole batch", () ->
                checkpoints.load("test").orElseThrow().checkpoint().equals(new Checkpoint(2, 0)));
        assertThat(parked.entities("test")).containsEntry("public.orders\u0000stuck", 30L);
        assertThat(parked.head("test", "public.orders\u0000stuck", 100))
                .extracting(e -> e.after().get("n")).containsExactlyElementsOf(range(1, 30));
        assertThat(parkedGauge.getAsLong()).as("the parked entities' gauge").isEqualTo(1);
        // Taken away by the parking, the running event's trace ends saying so, not as a failed event.
        await("the parked event's trace ended", () -> traces.roots().stream().anyMatch(RecordedSpan::isEnded));
        assertThat(traces.roots()).filteredOn(RecordedSpan::isEnded)
                .anyMatch(root -> "parked".equals(root.attribute("outcome")))
                .noneMatch(root -> root.error() != null);

        // New events of the parked entity queue behind its parked ones; other entities still flow.
        append("stuck", 531);
        append("order-1", 532);
        await("the new event of another entity ran", () -> executor.afterValues.contains(532L));
        await("the parked entity's new event was parked after the others", () ->
                parked.head("test", "public.orders\u0000stuck", 100).size() == 31);

        executor.failEntity = null;
        await("the parked entity drained in order", () -> parked.entities("test").isEmpty()
                && executor.seenByEntity.getOrDefault("stuck", List.of()).size() == 31);
        List<Long> expected = range(1, 30);
        expected.add(531L);
        assertThat(afterValuesOf(executor, "stuck")).containsExactlyElementsOf(expected);
        await("the gauge says nothing is parked", () -> parkedGauge.getAsLong() == 0);
        // Back in the stream: its next event runs in a lane again.
        append("stuck", 533);
        await("the entity's next event ran after its parked ones", () -> executor.afterValues.contains(533L));
        assertThat(overlaps.get()).isZero();
    }

    @Test
    void aSlowReceiverThatAnswersEveryRequestParksNothing() throws Exception {
        // Every action takes 50 ms and succeeds; 2 in flight and 40 pending, so an event read waits some 1,000 ms
        // for a place, over twice park_after (400 ms), while its own run stays eight times below it, so that a busy
        // machine's pauses cannot make a run look stuck. Waiting in line is the stream's pace, not the entity being
        // stuck: parking it only adds writes. Parked by the time read, every head was parked in turn.
        RecordingExecutor executor = new RecordingExecutor();
        executor.slowMillis = 50;
        for (int i = 1; i <= 80; i++) {
            append("order-" + i, i);
        }
        start(executor, 2, 40, new InMemoryLeadership(lock), Duration.ofMillis(400), Condition.ALWAYS);
        await("every event ran", () -> executor.executions.get() == 80);
        await("the checkpoint passed them", () ->
                checkpoints.load("test").orElseThrow().checkpoint().equals(new Checkpoint(2, 0)));
        assertThat(parked.parkCalls()).as("entities parked although each answer came in 50 ms").isZero();
        assertThat(afterValuesOf(executor, "order-7")).containsExactly(7L);
    }

    @Test
    void aSlowReceiverThatFailsAnEventOnceParksNothing() throws Exception {
        // As above, and every fourth event's first attempt is answered 503: its retry, 20 ms later, succeeds. Each
        // event's own time (attempt, wait, attempt: some 90 ms) stays well below park_after (2 s); the wait in line
        // of the last third (up to 4.6 s: 150 events read at once, two places) does not. A retried event counted from
        // when it was read was parked at its first failure. max_pending is above the backlog: at max_pending a head
        // being retried is parked at once by design, and a busy machine's checks then catch one in its retry.
        RecordingExecutor executor = rowsWhoseFirstAttemptFails(150, 4, 60);
        runsEveryEventEachRetryGettingThroughAndParksNothing(executor, 150, 2, 1_000, Duration.ofSeconds(2));
    }

    @Test
    void aReceiverThatFailsTheFirstAttemptOfEveryRowParksNothing() throws Exception {
        // Every row's first attempt is answered 503 and its retry, 20 ms later, succeeds: no row runs without a retry,
        // yet each retry gets through, so the stream is not stuck. 200 rows on 4 places take some 2.5 s, past
        // park_after (1 s): counted until a row that ran without a retry passed the checkpoint, the stream's wait on
        // retries never ended, and every row being retried was parked once it reached park_after.
        RecordingExecutor executor = rowsWhoseFirstAttemptFails(200, 1, 20);
        runsEveryEventEachRetryGettingThroughAndParksNothing(executor, 200, 4, 1_000, Duration.ofSeconds(1));
    }

    /** {@code rows} rows of one event each, every {@code every}th first attempt answered 503, each answer slowMillis. */
    private RecordingExecutor rowsWhoseFirstAttemptFails(int rows, int every, long slowMillis) {
        RecordingExecutor executor = new RecordingExecutor();
        executor.slowMillis = slowMillis;
        for (int i = 1; i <= rows; i++) {
            append("order-" + i, i);
            if (i % every == 0) {
                executor.failFirstAttempt.add((long) i);
            }
        }
        return executor;
    }

    @Test
    void aHeadWaitingForAPlaceThatRowsRetriedOnceHoldParksNothing() throws Exception {
        // As aHeadWaitingForAPlaceThatRetriedEventsHoldIsNotParkedTheyAre, but s1's and s2's first attempts alone are
        // answered 503: each retry, 20 ms later, gets through. x's second event waits for a place meanwhile, and
        // reading waits (max_pending 4), for some 25 ms. That is a receiver that answers: park_after (5 s) is far
        // away. Parked at once whenever reading and the head waited so, s1 and s2 went to the lot for one 503 each.
        RecordingExecutor executor = new RecordingExecutor();
        executor.slowMillis = 50;
        append("x", 1);
        append("x", 2);
        append("s1", 3);
        append("s2", 4);
        executor.failFirstAttempt.addAll(List.of(3L, 4L));
        runsEveryEventEachRetryGettingThroughAndParksNothing(executor, 4, 2, 4, Duration.ofSeconds(5));
    }

    private void runsEveryEventEachRetryGettingThroughAndParksNothing(RecordingExecutor executor, int events,
                                                                     int maxInFlight, int maxPending,
                                                                     Duration parkAfter) throws Exception {
        start(executor, maxInFlight, maxPending, new InMemoryLeadership(lock), parkAfter, Condition.ALWAYS);
        await("every event ran", () -> executor.executions.get() == events);
        await("the checkpoint passed them", () ->
                checkpoints.load("test").orElseThrow().checkpoint().equals(new Checkpoint(2, 0)));
        assertThat(executor.failFirstAttempt).as("events whose first attempt was to fail").isEmpty();
        assertThat(parked.parkCalls()).as("rows parked although each retry got through").isZero();
    }

    @Test
    void aReceiverDownForTheRowsOfOneObserverParksThemAllWhileTheOthersRowsPassBetweenThem() throws Exception {
        // 400 rows, every other one's receiver down for good (one observer's rows), the others' up and each run
        // without a retry, below max_pending (1,000). Ended by every up row that passed the checkpoint, the wait on
        // retries began anew with each head, so the down rows went max_in_flight (4) per park_after (1 s): 50 s,
        // past this test's wait, and the up rows waited behind them for places.
        RecordingExecutor executor = new RecordingExecutor();
        Set<String> down = new java.util.HashSet<>();
        for (int i = 1; i <= 400; i++) {
            String entity = (i % 2 == 0 ? "down-" : "up-") + i;
            if (i % 2 == 0) {
                down.add(entity);
            }
            append(entity, i);
        }
        executor.failEntities = down;
        start(executor, 4, 1_000, new InMemoryLeadership(lock), Duration.ofSeconds(1), Condition.ALWAYS);
        await("the checkpoint passed the whole batch", () -> checkpoints.load("test")
                .map(saved -> saved.checkpoint().equals(new Checkpoint(2, 0))).orElse(false));
        assertThat(executor.executions.get()).as("up rows delivered").isEqualTo(200);
        assertThat(parked.entities("test")).as("down rows parked").hasSize(200);
    }

    @Test
    void aHeadWaitingForAPlaceThatRetriedEventsHoldIsNotParkedTheyAre() throws Exception {
        // x's second event is the oldest unfinished, but waits for a place: x's first ran, and its next turn queued
        // behind s1's and s2's, which retry for good on both places (max_in_flight 2). Waiting in line is not x's
        // doing: once reading waits (max_pending 4) and the stream has waited park_after (1 s) on retries, s1 and s2
        // are parked, and x runs in the stream, never parked. Not at once: aHeadWaitingForAPlaceThatRowsRetriedOnce-
        // HoldParksNothing. park_after is 1 s: x's first run (a cold JVM's first, some 150 ms) must stay below it.
        RecordingExecutor executor = new RecordingExecutor();
        executor.failEntities = Set.of("s1", "s2");
        append("x", 1);
        append("x", 2);
        append("s1", 3);
        append("s2", 4);
        start(executor, 2, 4, new InMemoryLeadership(lock), Duration.ofSeconds(1), Condition.ALWAYS);
        await("x's second event ran", () -> executor.afterValues.contains(2L));
        await("s1 and s2 parked", () -> parked.entities("test").keySet()
                .equals(Set.of("public.orders\u0000s1", "public.orders\u0000s2")));
        assertThat(parked.parkCalls()).as("entities parked: s1 and s2, not x").isEqualTo(2);
        assertThat(afterValuesOf(executor, "x")).containsExactly(1L, 2L);
    }

    @Test
    void moreStuckEntitiesThanMaxInFlightStillHoldBackOnlyThemselves() throws Exception {
        // Six entities retrying for good, max_in_flight 4: once parked, their drainers must not take the places the
        // stream runs on, or the other entities stop for good (the wait below runs out). park_after is 1 s, not
        // 100 ms: on a machine busy enough to hold a healthy event's run past 100 ms, the healthy entities were
        // parked too, and their drainers then queued for the places the six stuck drainers hold.
        RecordingExecutor executor = new RecordingExecutor();
        Set<String> stuck = Set.of("stuck-1", "stuck-2", "stuck-3", "stuck-4", "stuck-5", "stuck-6");
        executor.failEntities = stuck;
        for (String entity : stuck) {
            append(entity, 0);
        }
        start(executor, 4, 40, new InMemoryLeadership(lock), Duration.ofSeconds(1), Condition.ALWAYS);
        await("every stuck entity was parked", () -> parked.entities("test").size() == stuck.size());
        for (int i = 1; i <= 300; i++) {
            append("order-" + (i % 30), i);
        }
        await("every other entity's events ran while six entities stay stuck", () ->
                executor.executions.get() == 300);
        assertThat(deadLetters.all()).as("no stuck entity gave up meanwhile").isEmpty();
        assertThat(parked.entities("test")).hasSize(stuck.size());

        executor.failEntities = Set.of();
        await("the stuck entities drained", () -> parked.entities("test").isEmpty()
                && stuck.stream().allMatch(e -> executor.seenByEntity.containsKey(e)));
        assertThat(overlaps.get()).isZero();
    }

    @Test
    void aParkedEntityWhoseReceiverRecoveredDrainsWhileMoreStuckEntitiesThanMaxInFlightWaitToRetry() throws Exception {
        // Four parked entities retry for good, up to a second apart, on max_in_flight 2; r is parked behind them, and
        // then its receiver recovers. A drainer held its place through every wait between its attempts: two stuck
        // drainers held both places for good, and r waited behind them for good (the wait below ran out). A wait
        // gives the place up, and the stuck entities' retries go on as their policy has them, attempt after attempt.
        retry = new RetryPolicy(1_000_000, Duration.ofSeconds(1), Duration.ofSeconds(1));
        RecordingExecutor executor = new RecordingExecutor();
        Set<String> stuck = Set.of("s1", "s2", "s3", "s4");
        executor.failEntities = stuck;
        for (String entity : stuck) {
            append(entity, 0);
        }
        start(executor, 2, 40, new InMemoryLeadership(lock), Duration.ofSeconds(1), Condition.ALWAYS);
        await("the stuck entities parked", () -> parked.entities("test").size() == stuck.size());
        executor.failEntities = Set.of("s1", "s2", "s3", "s4", "r");
        append("r", 1);
        append("r", 2);
        await("r parked behind them", () -> parked.entities("test").containsKey("public.orders\u0000r"));
        executor.failEntities = stuck;

        await("r's events delivered and r back in the stream", () -> afterValuesOf(executor, "r").size() == 2
                && !parked.entities("test").containsKey("public.orders\u0000r"));
        assertThat(afterValuesOf(executor, "r")).containsExactly(1L, 2L);
        assertThat(parked.entities("test")).as("the stuck entities still parked").hasSize(stuck.size());
        // Each stuck entity's attempts count on from turn to turn (1, 2, 3 ...), restarting only once, when parked.
        await("every stuck entity retried twice more in its drain", () -> stuck.stream().allMatch(entity -> {
            List<Integer> attempts = executor.attemptsByEntity.get(entity);
            return attempts.stream().filter(a -> a == 1).count() >= 2 // the stream's first, the drain's first
                    && attempts.lastIndexOf(1) < attempts.size() - 2 && attempts.get(attempts.size() - 1) >= 3;
        }));
        for (String entity : stuck) {
            List<Integer> attempts = List.copyOf(executor.attemptsByEntity.get(entity));
            for (int i = 1; i < attempts.size(); i++) {
                assertThat(attempts.get(i)).as(entity + "'s attempts " + attempts)
                        .isIn(attempts.get(i - 1) + 1, 1);
            }
            assertThat(attempts.stream().filter(a -> a == 1).count()).as(entity + "'s attempts " + attempts)
                    .isLessThanOrEqualTo(2);
        }
        assertThat(deadLetters.all()).isEmpty();
        assertThat(overlaps.get()).isZero();
    }

    @Test
    void pastMaxParkedAStuckEntityIsNotParkedAndHoldsTheStreamBackInstead() throws Exception {
        // Each parked entity is held in memory: a receiver down for every row for hours would park every row written
        // meanwhile. Past listener.max_parked (3 here), the stream waits, as before parking: slower, not out of memory.
        RecordingExecutor executor = new RecordingExecutor();
        Set<String> stuck = Set.of("stuck-1", "stuck-2", "stuck-3", "stuck-4", "stuck-5", "stuck-6");
        executor.failEntities = stuck;
        for (String entity : stuck.stream().sorted().toList()) {
            append(entity, 0);
        }
        for (int i = 1; i <= 100; i++) {
            append("order-" + (i % 10), i);
        }
        start(executor, 2, 20, new InMemoryLeadership(lock), Duration.ofMillis(100), Condition.ALWAYS,
                Ordering.ENTITY, 3);
        await("three stuck entities parked", () -> parked.entities("test").size() == 3);
        Thread.sleep(1_000); // ten checks: none of them may park a fourth
        assertThat(parked.entities("test")).as("parked entities past max_parked").hasSize(3);
        assertThat(parkedGauge.getAsLong()).isEqualTo(3);
        assertThat(executor.executions.get()).as("the stream waits behind the fourth stuck entity").isLessThan(100);

        executor.failEntities = Set.of();
        await("every event ran and nothing stays parked", () -> executor.executions.get() == 100 + stuck.size()
                && parked.entities("test").isEmpty());
        assertThat(overlaps.get()).isZero();
    }

    @Test
    void aHeadWaitingForAPlaceThatRetriedEventsHoldPastMaxParkedIsWarnedNamingThem() throws Exception {
        // As aHeadWaitingForAPlaceThatRetriedEventsHoldIsNotParkedTheyAre, with listener.max_parked 1: s1 is parked,
        // s3 takes its place, and s2 and s3 retry for good on both places while x's second event waits for one.
        // The stream waits, as past max_parked it must; the WARN that says so must come, and name what holds it.
        // x's first event takes 200 ms, so that the s events' turns are queued before x's next one.
        RecordingExecutor executor = new RecordingExecutor();
        executor.slowMillis = 200;
        executor.failEntities = Set.of("s1", "s2", "s3");
        append("x", 1);
        append("x", 2);
        append("s1", 3);
        append("s2", 4);
        append("s3", 5);
        List<String> lines = new CopyOnWriteArrayList<>();
        try (AutoCloseable capturing = capture(StuckHead.class, lines)) {
            start(executor, 2, 5, new InMemoryLeadership(lock), Duration.ofSeconds(1), Condition.ALWAYS,
                    Ordering.ENTITY, 1);
            await("one entity parked", () -> parked.entities("test").size() == 1);
            await("the stream's wait past max_parked warned", () -> lines.stream()
                    .anyMatch(line -> line.contains("listener.max_parked")));
        }
        assertThat(executor.afterValues).as("x's second event waits for a place").doesNotContain(2L);
        assertThat(lines).filteredOn(line -> line.contains("listener.max_parked")).first().asString()
                .contains("being retried").contains("public.orders s2").doesNotContain("entity public.orders x");
    }

    @Test
    void aReceiverDownForEveryRowParksTheRowsBeingRetriedTogetherNotOneACheck() throws Exception {
        // 600 rows, each retried for good: parked one per check (every 100 ms while the pending events are at their
        // bound) they took a minute, and the stream with them; parked with the head, the rows being retried go at
        // once, up to max_in_flight (16) a check.
        parksEveryRowOfAReceiverDownAndDrainsThemOnceItRecovers(600, 16, 64, Duration.ofSeconds(2));
    }

    @Test
    void aReceiverDownForEveryRowOfABurstBelowMaxPendingParksItsRowsOnceTheStreamWaitedParkAfter() throws Exception {
        // 240 rows retried for good, fewer than max_pending (1,000): reading never waits. Each row's own run reaching
        // park_after (1 s) parked max_in_flight (4) rows a second: 60 s for the burst, past this test's wait, and
        // every other observer's rows behind it waited as long. Once the checkpoint has waited park_after on retried
        // rows, head after head, each row being retried goes at the next check.
        parksEveryRowOfAReceiverDownAndDrainsThemOnceItRecovers(240, 4, 1_000, Duration.ofSeconds(1));
    }

    @Test
    void aReceiverDownForEveryRowGetsItsRowsParkedAsFastAsTheyFailNotAPlaceEvery100Ms() throws Exception {
        // 800 rows retried for good past max_pending (8), 2 places: once the stream has waited park_after (1 s) on
        // them, each check parks the rows being retried, at most one per place (the next ones have yet to fail).
        // Checked every 100 ms while reading waited, they went 20 a second: 40 s, past this test's wait, and every
        // other observer's deliveries with them. Checked every 10 ms then, they go as fast as they fail.
        parksEveryRowOfAReceiverDownAndDrainsThemOnceItRecovers(800, 2, 8, Duration.ofSeconds(1));
    }

    @Test
    void anObserverWhoseReceiverIsUpGetsEveryRowWhileTheOtherOnesRowsAreParked() throws Exception {
        // Two observers of every row, side by side: "down"'s receiver refuses every request; "up" has two actions,
        // the first taking 300 ms (as a busy machine may start an observer late). Each row is parked at down's
        // first 503 (reading waits: max_pending 4), before up's second action made its first attempt. Stopped
        // before it, that delivery waited for the parking lot, whose 2 places rows retried for down hold for good:
        // up got the first rows only.
        RecordingExecutor down = new RecordingExecutor();
        down.failing = true;
        Set<Object> upSeen = ConcurrentHashMap.newKeySet();
        for (int i = 1; i <= 12; i++) {
            append("order-" + i, i);
        }
        start(List.of(observer("down", Condition.ALWAYS, Ordering.ENTITY, "webhook"),
                observer("up", Condition.ALWAYS, Ordering.ENTITY, "slow", "up")),
                List.of(down, answering("slow", 300, n -> { }), answering("up", 0, upSeen::add)), 2, 4,
                new InMemoryLeadership(lock), Duration.ofSeconds(1), 0, 0, source);
        await("every row delivered by up's second action", () -> upSeen.size() == 12);
        await("every row parked for down", () -> parked.entities("test").size() == 12);
    }

    @Test
    void aFlakyReceiverDoesNotKeepADownReceiversRowsFromBeingParkedAsFastAsTheyFail() throws Exception {
        // Three observers of every row: "down"'s receiver refuses every request, "flaky"'s the first attempt of every
        // third row (its retry, 20 ms later, gets through), "up"'s answers. 800 rows past max_pending (8), 2 places.
        // Every retry of flaky's that got through ended the stream's wait on retries, which so never lasted park_after
        // (1 s): the rows were parked at checks 100 ms apart, at most one per place (20 a second at best), and up got
        // 300 of the 800 rows in this test's wait (30 s), where it now gets them all in some 9 s, on a busy machine.
        // Not delivered, a row whose retry got through does not end the wait.
        Set<Object> upSeen = ConcurrentHashMap.newKeySet();
        for (int i = 1; i <= 800; i++) {
            append("order-" + i, i);
        }
        start(List.of(observer("down", Condition.ALWAYS, Ordering.ENTITY, "down"),
                        observer("flaky", Condition.ALWAYS, Ordering.ENTITY, "flaky"),
                        observer("up", Condition.ALWAYS, Ordering.ENTITY, "up")),
                List.of(answering("down", 5, request -> true, n -> { }),
                        answering("flaky", 5, request -> request.attempt() == 1
                                && (Long) request.event().after().get("n") % 3 == 0, n -> { }),
                        answering("up", 0, upSeen::add)),
                2, 8, new InMemoryLeadership(lock), Duration.ofSeconds(1), 0, 0, source);
        await("up got every row", () -> upSeen.size() == 800);
        await("the checkpoint passed the whole batch", () -> checkpoints.load("test")
                .map(saved -> saved.checkpoint().equals(new Checkpoint(2, 0))).orElse(false));
        assertThat(parked.entities("test")).as("rows parked for down").hasSize(800);
        assertThat(deadLetters.all()).isEmpty();
    }

    /** An executor of {@code type} that answers every request after {@code millis}, telling {@code seen} its row. */
    private static ActionExecutor answering(String type, long millis, java.util.function.Consumer<Object> seen) {
        return answering(type, millis, request -> false, seen);
    }

    /** As {@link #answering(String, long, java.util.function.Consumer)}, but 503 to the requests {@code refused}. */
    private static ActionExecutor answering(String type, long millis,
                                            java.util.function.Predicate<ActionRequest> refused,
                                            java.util.function.Consumer<Object> seen) {
        return new ActionExecutor() {
            @Override
            public String type() {
                return type;
            }

            @Override
            public ActionResult execute(ActionRequest request, Span span) {
                try {
                    Thread.sleep(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return ActionResult.Failure.transientFailure("interrupted", e);
                }
                if (refused.test(request)) {
                    return ActionResult.Failure.transientFailure("HTTP 503", null);
                }
                seen.accept(request.event().after().get("n"));
                return ActionResult.success("ok");
            }
        };
    }

    private void parksEveryRowOfAReceiverDownAndDrainsThemOnceItRecovers(int rows, int maxInFlight, int maxPending,
                                                                         Duration parkAfter) throws Exception {
        RecordingExecutor executor = new RecordingExecutor();
        executor.failing = true;
        for (int i = 1; i <= rows; i++) {
            append("order-" + i, i);
        }
        start(executor, maxInFlight, maxPending, new InMemoryLeadership(lock), parkAfter, Condition.ALWAYS);
        await("the checkpoint passed the whole batch", () -> checkpoints.load("test")
                .map(saved -> saved.checkpoint().equals(new Checkpoint(2, 0))).orElse(false));
        // Each row retries for about 25 s (1000 attempts, 20 ms apart) before it is dead-lettered: parked, not given up.
        assertThat(deadLetters.all()).as("rows given up before the stream passed them").isEmpty();
        assertThat(parked.entities("test")).hasSize(rows);

        executor.failing = false;
        await("every row drained", () -> parked.entities("test").isEmpty() && executor.executions.get() == rows);
        assertThat(overlaps.get()).isZero();
    }

    @Test
    void aParkedEntityStaysParkedAcrossATakeoverAndDrainsInOrder() throws Exception {
        RecordingExecutor executor = new RecordingExecutor();
        executor.failEntity = "stuck";
        for (int i = 1; i <= 10; i++) {
            append("stuck", i);
            append("order-" + i, 100 + i);
        }
        EventPipeline first = start(executor, 2, 4, new InMemoryLeadership(lock), Duration.ofMillis(200),
                Condition.ALWAYS);
        await("the stuck entity was parked and the rest ran", () -> !parked.entities("test").isEmpty()
                && executor.executions.get() == 10);
        first.stop(Duration.ofSeconds(5));
        append("stuck", 11);

        EventPipeline second = start(executor, 2, 4, new InMemoryLeadership(lock), Duration.ofMillis(200),
                Condition.ALWAYS);
        await("the new holder leads", second::isActive);
        await("the re-read event joined the parked queue", () ->
                parked.head("test", "public.orders\u0000stuck", 100).size() == 11);
        executor.failEntity = null;
        await("everything of the stuck entity ran", () ->
                executor.seenByEntity.getOrDefault("stuck", List.of()).size() == 11);
        assertThat(afterValuesOf(executor, "stuck")).containsExactlyElementsOf(range(1, 11));
    }

    @Test
    void withOrderingNoneAFailingEventHoldsBackNothingNotEvenItsOwnEntity() throws Exception {
        RecordingExecutor executor = new RecordingExecutor();
        executor.failN = 2L;
        for (int i = 1; i <= 20; i++) {
            append("a", i);
        }
        start(executor, 4, 100, new InMemoryLeadership(lock), Duration.ofMillis(300), Condition.ALWAYS,
                Ordering.NONE);
        await("every other event of the entity ran", () -> executor.executions.get() == 19);
        await("the failing event alone was parked and the checkpoint passed the batch", () ->
                parked.entities("test").size() == 1
                        && checkpoints.load("test").orElseThrow().checkpoint().equals(new Checkpoint(2, 0)));
        assertThat(parked.entities("test").keySet().iterator().next()).startsWith("public.orders\u0000a\u0000");
        executor.failN = null;
        await("it ran once its receiver recovered", () -> executor.afterValues.contains(2L));
        await("nothing is parked", () -> parked.entities("test").isEmpty());
    }

    @Test
    void largeEventsHoldTheReaderBackByWhatTheyHoldNotOnlyByTheirCount() throws Exception {
        // 200 events of ~100 KB for 20 entities, max_pending far away (10,000), max_pending_bytes 1 MiB: with every
        // action held, the reader stops within its first page of 50 (about ten events hold 1 MiB), where the count
        // alone would have let it read all four pages. Released, every event runs, each entity's in order.
        RecordingExecutor executor = new RecordingExecutor();
        executor.blockEveryone = true;
        for (int i = 1; i <= 200; i++) {
            ChangeEvent big = new ChangeEvent("e-" + i, new Position(0, 0), "public.orders", "order-" + (i % 20),
                    ChangeKind.UPDATED, Map.of(), Map.of("n", (long) i, "doc", "x".repeat(100_000)), Instant.now(),
                    TraceContext.NONE);
            source.append(big);
        }
        AtomicInteger pagesRead = new AtomicInteger();
        ChangeSource counting = new ChangeSource() {
            @Override
            public io.pgobserver.domain.event.Snapshot snapshot() throws ChangeSourceException {
                return source.snapshot();
            }

            @Override
            public Page read(io.pgobserver.domain.event.Batch batch, long afterId, int maxEvents)
                    throws ChangeSourceException {
                Page page = source.read(batch, afterId, maxEvents);
                if (!page.events().isEmpty()) {
                    pagesRead.incrementAndGet();
                }
                return page;
            }

            @Override
            public void awaitChanges(Duration maxWait) throws ChangeSourceException, InterruptedException {
                source.awaitChanges(maxWait);
            }

            @Override
            public Lag lag(io.pgobserver.domain.event.Snapshot done) throws ChangeSourceException {
                return source.lag(done);
            }

            @Override
            public java.util.Optional<io.pgobserver.domain.port.OpenTransaction> oldestOpenWriter()
                    throws ChangeSourceException {
                return source.oldestOpenWriter();
            }
        };
        start(executor, 4, 10_000, new InMemoryLeadership(lock), Duration.ofMinutes(10), Condition.ALWAYS,
                Ordering.ENTITY, 0, ListenerSettings.MIN_PENDING_BYTES, counting);
        assertThat(executor.blocked.await(30, TimeUnit.SECONDS)).isTrue();
        await("max_in_flight actions held", () -> executor.running.get() == 4);
        Thread.sleep(300); // time enough to read the other pages, were it allowed to
        assertThat(pagesRead.get()).as("pages read while ~1 MiB of events is unfinished").isEqualTo(1);

        executor.release.countDown();
        await("every event ran", () -> executor.executions.get() == 200);
        for (Map.Entry<String, List<Long>> entity : executor.seenByEntity.entrySet()) {
            assertThat(entity.getValue()).as(entity.getKey() + " in commit order").isSorted();
        }
        assertThat(pagesRead.get()).isEqualTo(4);
    }

    @Test
    void losingTheLockWhileTheReaderIsHeldBackEndsTheTermAndItCompetesAgain() throws Exception {
        // max_pending full behind a blocked (not failing) event, park_after far away: the reader waits for room.
        RecordingExecutor executor = new RecordingExecutor();
        executor.blockEntity = "slow";
        append("slow", 0);
        for (int i = 1; i <= 200; i++) {
            append("order-" + (i % 20), i);
        }
        InMemoryLeadership leadership = new InMemoryLeadership(lock);
        EventPipeline pipeline = start(executor, 4, 20, leadership);
        assertThat(executor.blocked.await(30, TimeUnit.SECONDS)).isTrue();
        await("the reader is held back at max_pending", () -> executor.executions.get() >= 15);

        leadership.lose();
        await("the term ended though the reader was held back", () -> !pipeline.isActive());
        executor.release.countDown();
        await("it competed for the lock again, led, and ran everything", () -> pipeline.isActive()
                && executor.executions.get() >= 201);
    }

    @Test
    void lockChecksWithoutAnAnswerForLessThanTheLeaseEndNothingLongerOnesEndTheTerm() throws Exception {
        // A lease of 1.5 s, checked every 250 ms: 500 ms without answers is two unanswered checks, and leaves a
        // second for a busy machine to schedule the next one (300 ms, with 200 ms to spare, failed under load).
        lease = Duration.ofMillis(1_500);
        RecordingExecutor executor = new RecordingExecutor();
        InMemoryLeadership leadership = new InMemoryLeadership(lock);
        EventPipeline pipeline = start(executor, 4, 100, leadership);
        append("a", 1);
        await("it leads and works", () -> executor.executions.get() == 1);
        long epoch = checkpoints.load("test").orElseThrow().epoch();

        for (int i = 0; i < 3; i++) {
            leadership.stopAnswering(Duration.ofMillis(500));
            Thread.sleep(1_000);
        }
        append("a", 2);
        await("it went on working", () -> executor.executions.get() == 2);
        assertThat(checkpoints.load("test").orElseThrow().epoch()).as("no new term was claimed").isEqualTo(epoch);
        assertThat(pipeline.isActive()).isTrue();

        leadership.stopAnswering(Duration.ofSeconds(4));
        await("the lease ran out and the term ended", () -> !pipeline.isActive());
        await("it led again once the checks answered", () -> pipeline.isActive()
                && checkpoints.load("test").orElseThrow().epoch() > epoch);
        append("a", 3);
        await("and works", () -> executor.executions.get() == 3);
    }

    @Test
    void readinessSaysWhenEveryAttemptOfAnActionTypeFailsAndClearsOnItsFirstSuccess() throws Exception {
        RecordingExecutor executor = new RecordingExecutor();
        EventPipeline pipeline = start(executor, 4, 100, new InMemoryLeadership(lock));
        append("a", 1);
        await("it leads and works", () -> executor.executions.get() == 1);
        assertThat(pipeline.problem()).isNull();
        lastProcess.actionHealth().threshold(Duration.ofMillis(300));

        executor.failing = true; // the receiver (a Kafka cluster, say) is down: every attempt fails, and is retried
        append("b", 2);
        await("readiness names the failing action type", () -> pipeline.problem() != null);
        assertThat(pipeline.problem()).startsWith("every webhook action has failed for").contains("HTTP 503");

        executor.failing = false;
        await("the event got through", () -> executor.afterValues.contains(2L));
        assertThat(pipeline.problem()).as("one success of the type clears it").isNull();
    }

    @Test
    void anEventWhoseProcessingKeepsFailingIsDeadLetteredAndItsEntityGoesOn() throws Exception {
        RecordingExecutor executor = new RecordingExecutor();
        Condition poison = event -> {
            if (Long.valueOf(2).equals(event.after().get("n"))) {
                throw new StackOverflowError("a condition that recursed too deep (test)");
            }
            return true;
        };
        append("a", 1);
        append("a", 2);
        append("a", 3);
        start(executor, 4, 100, new InMemoryLeadership(lock), Duration.ofSeconds(30), poison);
        await("the entity went on past the poison event", () -> executor.afterValues.contains(3L));
        assertThat(afterValuesOf(executor, "a")).containsExactly(1L, 3L);
        assertThat(deadLetters.list("test", 10)).singleElement().satisfies(letter -> {
            assertThat(letter.observer()).isEqualTo("(pipeline)");
            assertThat(letter.attempts()).isEqualTo(EventPipeline.PROCESS_ATTEMPTS);
            assertThat(letter.error()).contains("StackOverflowError").contains("recursed too deep");
        });
        await("the checkpoint passed it", () ->
                checkpoints.load("test").orElseThrow().checkpoint().equals(new Checkpoint(2, 0)));
    }

    private static List<Long> range(long from, long to) {
        List<Long> values = new ArrayList<>();
        for (long n = from; n <= to; n++) {
            values.add(n);
        }
        return values;
    }

    private static List<Object> afterValuesOf(RecordingExecutor executor, String entity) {
        return executor.afterValues.stream().filter(v -> executor.entityOf.get(v).equals(entity)).toList();
    }

    @Test
    void stoppingFinishesInFlightEventsAndSavesTheCheckpoint() throws Exception {
        RecordingExecutor executor = new RecordingExecutor();
        for (int i = 1; i <= 300; i++) {
            append("order-" + (i % 7), i);
        }
        EventPipeline pipeline = start(executor, 16);
        await("some events ran", () -> executor.executions.get() > 20);
        pipeline.stop(Duration.ofSeconds(10));
        loops.getFirst().join(10_000);
        assertThat(pipeline.isActive()).isFalse();
        assertThat(executor.deliveryIds).doesNotHaveDuplicates();

        // The next process resumes where this one stopped: every event once, none twice.
        RecordingExecutor next = new RecordingExecutor();
        start(next, 16);
        await("the rest ran", () -> executor.executions.get() + next.executions.get() == 300);
        List<String> all = new ArrayList<>(executor.deliveryIds);
        all.addAll(next.deliveryIds);
        assertThat(all).hasSize(300).doesNotHaveDuplicates();
    }

    @Test
    void aStopGivesInFlightEventsItsOwnTimeNotTheDefault() throws Exception {
        // The term starts before anyone knows how long a stop may take: the stop's time must reach it. With the
        // default (30 s) the stop below would give up waiting and leave the event running well past the checks.
        RecordingExecutor executor = new RecordingExecutor();
        executor.blockEntity = "stuck";
        append("stuck", 1);
        EventPipeline pipeline = start(executor, 4);
        assertThat(executor.blocked.await(30, TimeUnit.SECONDS)).isTrue();

        pipeline.stop(Duration.ofMillis(100));

        assertThat(executor.interrupted.await(5, TimeUnit.SECONDS)).as("the stuck event was interrupted").isTrue();
        loops.getFirst().join(5_000);
        assertThat(loops.getFirst().isAlive()).as("the pipeline's thread ended").isFalse();
        assertThat(executor.executions.get()).isZero();
    }

    @Test
    void stoppingAgainReportsTheStopOnce() throws Exception {
        List<String> reports = new CopyOnWriteArrayList<>();
        try (AutoCloseable capturing = capture(EventPipeline.class, reports)) {
            RecordingExecutor executor = new RecordingExecutor();
            for (int i = 1; i <= 5; i++) {
                append("order-" + i, i);
            }
            EventPipeline pipeline = start(executor, 4);
            await("every event ran", () -> executor.executions.get() == 5);
            pipeline.stop(Duration.ofSeconds(5));
            pipeline.stop(Duration.ofSeconds(5));
            pipeline.stop(Duration.ofSeconds(5));
        }
        assertThat(reports).filteredOn(line -> line.startsWith("pipeline stopped")).hasSize(1).first().asString()
                .startsWith("pipeline stopped after 5 events; checkpoint saved: ").doesNotContainPattern("\\d/\\d");
    }

    /** Keeps what {@code source}'s logger writes until closed. */
    private static AutoCloseable capture(Class<?> source, List<String> into) {
        // No LoggerFinder on this module's class path: System.Logger writes to java.util.logging.
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(source.getName());
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                if (record.getMessage() != null) {
                    into.add(record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(handler);
        return () -> log.removeHandler(handler);
    }

    /** A pipeline led by {@code leader} whose one event was delivered and whose record the store keeps refusing. */
    private EventPipeline deliveredWithItsRecordFailing(InMemoryLeadership leader) throws InterruptedException {
        RecordingExecutor executor = new RecordingExecutor();
        deliveries.setFailing(true);
        append("a", 1);
        EventPipeline pipeline = start(executor, 4, 10_000, leader);
        await("the action delivered, its record being retried", () -> executor.executions.get() == 1);
        return pipeline;
    }

    @Test
    void aTermEndedByALostLockSaysWhatItLeavesUnsavedAndWhoRunsIt() throws Exception {
        // A stop or a failover during a database outage: the lock's session dies with the others while an event is
        // delivered and its record cannot be written. Before, the term's end said "standing by" and nothing of what
        // it left.
        List<String> lines = new CopyOnWriteArrayList<>();
        try (AutoCloseable capturing = capture(Term.class, lines)) {
            InMemoryLeadership leader = new InMemoryLeadership(lock);
            EventPipeline pipeline = deliveredWithItsRecordFailing(leader);
            leader.lose();
            await("the term's end said who runs what it left", () -> lines.stream()
                    .anyMatch(line -> line.contains("next holder runs them again")));
            pipeline.stop(Duration.ofSeconds(5));
        }
        assertThat(lines).filteredOn(line -> line.contains("next holder runs them again")).first().asString()
                .contains("consumer 'test'", "checkpoint saved: no event done yet", "lost the consumer's lock");
    }

    @Test
    void aTermWhoseLeaseRunsOutBeforeItsWatchSaysSoStillSaysWhatItLeavesUnsaved() throws Exception {
        // The reader and the events check the lease themselves, and may end the term before the lease's watch
        // cancels it. Ended first that way, the term took the path of a stop: it waited for events it may no longer
        // run and said nothing of what it left (seen in the module's tests with a slow delivery log, under load).
        // Here the watch is held, deterministically, where it marks the lock lost and logs that before it cancels.
        List<String> lines = new CopyOnWriteArrayList<>();
        CountDownLatch watchMayCancel = new CountDownLatch(1);
        java.util.logging.Logger leaseLog = java.util.logging.Logger.getLogger(LeaderLease.class.getName());
        java.util.logging.Handler holdTheWatch = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                if (record.getMessage() != null && record.getMessage().startsWith("stopping dispatch at once")) {
                    try {
                        watchMayCancel.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        leaseLog.addHandler(holdTheWatch);
        try (AutoCloseable capturing = capture(Term.class, lines)) {
            InMemoryLeadership leader = new InMemoryLeadership(lock);
            EventPipeline pipeline = deliveredWithItsRecordFailing(leader);
            leader.lose();
            await("the term's end said who runs what it left, before its lease's watch cancelled it", () -> lines
                    .stream().anyMatch(line -> line.contains("next holder runs them again")));
            watchMayCancel.countDown();
            pipeline.stop(Duration.ofSeconds(5));
        } finally {
            watchMayCancel.countDown();
            leaseLog.removeHandler(holdTheWatch);
        }
        assertThat(lines).filteredOn(line -> line.contains("next holder runs them again")).first().asString()
                .contains("consumer 'test'", "checkpoint saved: no event done yet", "(lost the consumer's lock)");
        // The watch's cancel, held until the term had ended (its stop interrupts the watch), came after the line.
        assertThat(lines).filteredOn(line -> line.contains("next holder runs them again")
                || line.contains("standing by")).first().asString().contains("next holder runs them again");
    }

    @Test
    void aStopWhoseLastSaveFailsSaysTheNextHolderRunsItNotThatALaterSaveCoversIt() throws Exception {
        lease = Duration.ofHours(1);
        List<String> lines = new CopyOnWriteArrayList<>();
        try (AutoCloseable capturing = capture(Term.class, lines)) {
            RecordingExecutor executor = new RecordingExecutor();
            executor.blockEntity = "slow";
            append("slow", 1);
            EventPipeline pipeline = start(executor, 4);
            assertThat(executor.blocked.await(30, TimeUnit.SECONDS)).isTrue();
            checkpoints.setFailing(true); // the database goes while the event runs; its delivery is still recorded
            executor.release.countDown();
            pipeline.stop(Duration.ofSeconds(5));
        }
        // Before: "checkpoint save failed; the next save covers it", with no next save in this process.
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("consumer 'test'",
                "its last checkpoint save failed", "next holder runs them again"));
    }

    @Test
    void aStopSaysWhenTheRunCannotEndBecauseACallGetsNoAnswer() throws Exception {
        // A query to a database that answers nothing at all (frozen, or cut off without a reset) blocks in a socket
        // read that no interrupt ends. The stop cannot end it: it says so, and the command ends the process.
        CountDownLatch answer = new CountDownLatch(1);
        CountDownLatch asked = new CountDownLatch(1);
        Leadership unanswered = new Leadership() {
            @Override
            public boolean acquire(Duration maxWait) {
                asked.countDown();
                boolean interrupted = false;
                while (answer.getCount() > 0) {
                    try {
                        answer.await();
                    } catch (InterruptedException e) {
                        interrupted = true; // as a blocked socket read does: the interrupt does not end it
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                return false;
            }

            @Override
            public boolean isHeld() {
                return false;
            }

            @Override
            public void release() {
            }
        };
        EventPipeline pipeline = start(new RecordingExecutor(), 4, 10_000, unanswered);
        assertThat(asked.await(30, TimeUnit.SECONDS)).isTrue();
        List<String> reports = new CopyOnWriteArrayList<>();
        try (AutoCloseable capturing = capture(EventPipeline.class, reports)) {
            assertThat(pipeline.stop(Duration.ZERO)).as("stopped while a call got no answer").isFalse();
        }
        assertThat(reports).filteredOn(line -> line.startsWith("pipeline stop")).singleElement().asString()
                .isEqualTo("pipeline stop gave up after 0 events, the pipeline still waiting; no checkpoint saved by "
                        + "this process");
        answer.countDown();
        loops.getFirst().join(5_000);
        assertThat(pipeline.stop(Duration.ZERO)).as("stopped once the call was answered").isTrue();
    }

    @Test
    void aStandbyTakesOverFromTheCheckpointWhenTheActiveOneStops() throws Exception {
        RecordingExecutor first = new RecordingExecutor();
        RecordingExecutor second = new RecordingExecutor();
        for (int i = 1; i <= 100; i++) {
            append("order-" + (i % 5), i);
        }
        EventPipeline active = start(first, 16);
        await("the first consumed everything", () -> first.executions.get() == 100);
        start(second, 16);
        Thread.sleep(100);
        assertThat(second.executions.get()).as("the standby consumes nothing while the other is active").isZero();

        active.stop(Duration.ofSeconds(5));
        for (int i = 101; i <= 150; i++) {
            append("order-" + (i % 5), i);
        }
        await("the standby took over", () -> second.executions.get() == 50);
        assertThat(second.afterValues).allMatch(n -> ((Number) n).longValue() > 100);
    }

    @Test
    void losingTheLockStopsDispatchAtOnceAndNoEntityRunsInTwoProcesses() throws Exception {
        RecordingExecutor executor = new RecordingExecutor();
        executor.failing = true; // the leader is busy retrying every entity
        for (int i = 1; i <= 40; i++) {
            append("order-" + (i % 10), i);
        }
        InMemoryLeadership leader = new InMemoryLeadership(lock);
        start(executor, 16, 10_000, leader);
        await("the leader is retrying", () -> overlaps.get() == 0 && openPerEntity.size() == 10);
        start(executor, 16, 10_000, new InMemoryLeadership(lock));
        leader.lose(); // only the lock's session dies; the old leader still reaches everything else
        Thread.sleep(LEASE.toMillis() * 2);
        executor.failing = false;
        await("the standby delivered everything", () -> executor.executions.get() >= 40);
        assertThat(overlaps.get()).as("an entity ran in two processes at once").isZero();
        assertThat(executor.deliveryIds).doesNotHaveDuplicates();
    }

    @Test
    void afterLosingTheLockItIsUnreadyUntilItLeadsAgain() throws Exception {
        RecordingExecutor executor = new RecordingExecutor();
        InMemoryLeadership leader = new InMemoryLeadership(lock);
        EventPipeline pipeline = start(executor, 16, 10_000, leader);
        await("active and ready", () -> pipeline.isActive() && pipeline.problem() == null);
        leader.lose(); // its session died (a PostgreSQL restart): it takes the lock again, a lease later
        AtomicReference<String> seen = new AtomicReference<>();
        await("unready after losing the lock", () -> {
            seen.set(pipeline.problem()); // the answer that ended the wait: it may change again right after
            return seen.get() != null;
        });
        assertThat(seen.get()).contains("lost the consumer's lock");
        await("ready again once it leads again", () -> pipeline.isActive() && pipeline.problem() == null);
        append("order-1", 1);
        await("and delivers", () -> executor.executions.get() == 1);
    }

    @Test
    void afterACleanStopTheNextHolderDispatchesAtOnceAndAfterAnyOtherEndItWaitsALease() throws Exception {
        lease = Duration.ofHours(1); // a lease waited out would outlast the test
        RecordingExecutor executor = new RecordingExecutor();
        append("order-1", 1);
        EventPipeline first = start(executor, 4);
        await("the consumer's first holder, with no one before it, delivered", () -> executor.executions.get() == 1);
        List<String> lines = new CopyOnWriteArrayList<>();
        try (AutoCloseable capturing = capture(Term.class, lines)) {
            first.stop(Duration.ofSeconds(5));
        }
        assertThat(lines).anyMatch(line -> line.contains("stopped cleanly and released; the next holder dispatches"));

        append("order-2", 2);
        EventPipeline second = start(executor, 4);
        await("the next holder delivered without waiting a lease", () -> executor.executions.get() == 2);
        second.stop(Duration.ofSeconds(5));

        // A holder that vanished without releasing (killed): the next one waits; stopped while waiting, it must not
        // hand over either, since the vanished one may still have been running.
        checkpoints.claim("test");
        EventPipeline third = start(executor, 4);
        await("the third holder claimed", () -> checkpoints.load("test").orElseThrow().epoch() == 4);
        assertThat(third.isActive()).as("dispatching while an earlier holder's lease may run").isFalse();
        third.stop(Duration.ofSeconds(5));
        assertThat(checkpoints.claim("test").handedOver()).as("released by a holder that never dispatched").isFalse();
        assertThat(executor.executions.get()).isEqualTo(2);
    }

    @Test
    void aCleanStopWithAnEntityParkedHandsOverAllTheSame() throws Exception {
        lease = Duration.ofHours(1); // a lease waited out would outlast the test
        RecordingExecutor executor = new RecordingExecutor();
        executor.failEntity = "stuck";
        append("stuck", 1);
        append("order-1", 2);
        EventPipeline first = start(executor, 4, 10_000, new InMemoryLeadership(lock), Duration.ofMillis(50),
                Condition.ALWAYS);
        await("the stuck entity parked and the other delivered",
                () -> parkedGauge.getAsLong() == 1 && executor.executions.get() == 1);
        first.stop(Duration.ofSeconds(5));
        // Its drainer is interrupted and has ended by then, and the parked event waits durably for the next holder:
        // nothing of the term runs, so a rolling deploy need not wait a lease. Before, a parked entity kept it waiting.
        assertThat(checkpoints.claim("test").handedOver()).as("released by a clean stop with an entity parked")
                .isTrue();
        assertThat(parked.entities("test")).as("the parked entity, left for the next holder").hasSize(1);
    }

    /**
     * A pipeline dispatching, whose receiver fails every event of entity "stuck" (parked after 50 ms), and which no
     * next holder waits a lease for once it released.
     */
    private EventPipeline dispatchingWithEntityStuck() throws InterruptedException {
        lease = Duration.ofHours(1);
        RecordingExecutor executor = new RecordingExecutor();
        executor.failEntity = "stuck";
        EventPipeline pipeline = start(executor, 4, 10_000, new InMemoryLeadership(lock), Duration.ofMillis(50),
                Condition.ALWAYS);
        append("order-1", 1);
        // Delivered, and not parked or drained since (its first run may pass park_after)
        await("dispatching (the parked entities loaded)",
                () -> executor.executions.get() == 1 && parkedGauge.getAsLong() == 0);
        return pipeline;
    }

    @Test
    void aStopLetsAParkingWriteUnderWayFinishAndCallsItselfClean() throws Exception {
        EventPipeline first = dispatchingWithEntityStuck();
        parked.holdParks(); // a slow database: the parking lot's write is under way when the stop comes
        List<String> lines = new CopyOnWriteArrayList<>();
        Checkpoint heldBack;
        try (AutoCloseable capturing = capture(Term.class, lines)) {
            append("stuck", 2);
            await("the stuck event handed to the parking lot, its write under way", () -> parked.parksWaiting() == 1);
            heldBack = checkpoints.load("test").orElseThrow().checkpoint(); // the stuck event, not done, holds it
            Thread stopping = Thread.ofPlatform().start(() -> first.stop(Duration.ofSeconds(30)));
            await("the stop under way", () -> "stopped".equals(first.problem()));
            Thread.sleep(300); // the stop reaches the parking lot meanwhile: before, it cut the write at once
            parked.releaseParks();
            stopping.join(60_000);
        }
        // Before: "stopped with 1 event on its way to parking, left for the next holder, and released".
        assertThat(lines).filteredOn(line -> line.contains("released")).singleElement().asString()
                .contains("stopped cleanly and released");
        assertThat(parked.entities("test")).as("the stuck entity, parked for the next holder").hasSize(1)
                .containsValue(1L);
        assertThat(checkpoints.load("test").orElseThrow().checkpoint())
                .as("the parked event is done: the checkpoint passed it").isGreaterThan(heldBack);
    }

    @Test
    void aStopWithEventsOnTheirWayToParkingDoesNotCallItselfClean() throws Exception {
        EventPipeline first = dispatchingWithEntityStuck();
        parked.setFailing(true); // the database fails the parking lot's writes, and keeps failing
        List<String> retries = new CopyOnWriteArrayList<>();
        List<String> lines = new CopyOnWriteArrayList<>();
        long stuck;
        try (AutoCloseable retrying = capture(Retry.class, retries); AutoCloseable capturing = capture(Term.class,
                lines)) {
            stuck = source.append(event("stuck", 2)).get(0).position().offset();
            await("the stuck event handed to the parking lot, its write failing",
                    () -> retries.stream().anyMatch(line -> line.contains("cannot park 1 event(s)")));
            first.stop(Duration.ofSeconds(1)); // the writer tries for the stop's whole time: short keeps the test short
        }
        // Not done and not parked: the next holder reads it again. Before, the release said "stopped cleanly".
        assertThat(lines).filteredOn(line -> line.contains("released")).singleElement().asString()
                .contains("stopped with 1 event on its way to parking, left for the next holder, and released")
                .doesNotContain("cleanly");
        parked.setFailing(false);
        assertThat(parked.entities("test")).as("nothing parked: the write never went through").isEmpty();
        assertThat(checkpoints.load("test").orElseThrow().checkpoint().afterId()).as("the event on its way is not "
                + "passed").isLessThan(stuck);
    }

    @Test
    void whileAStopWaitsForARunningEventTheParkingWriterPausesBetweenTriesOfAFailingDatabase() throws Exception {
        List<long[]> pauses = pausesOf("pgobserver-park-writer");
        RecordingExecutor executor = stuckAndSlowReceiver();
        EventPipeline first = dispatchingParkingAfter50Ms(executor, 0);
        parked.setFailing(true); // the database fails the parking lot's writes, and keeps failing
        List<String> retries = new CopyOnWriteArrayList<>();
        Thread stopping;
        try (AutoCloseable retrying = capture(Retry.class, retries)) {
            append("stuck", 2);
            await("the stuck event handed to the parking lot, its write failing",
                    () -> retries.stream().anyMatch(line -> line.contains("cannot park 1 event(s)")));
            append("slow", 3);
            assertThat(executor.blocked.await(30, TimeUnit.SECONDS)).isTrue();
            stopping = stopAndCountTriesWhileItWaits(first, pauses);
        } finally {
            executor.release.countDown();
        }
        parked.setFailing(false); // back: the writer's next try parks the event, within the stop's time
        stopping.join(60_000);
        assertThat(parked.entities("test")).as("parked while the stop finished").hasSize(1);
        assertThat(checkpoints.claim("test").handedOver()).as("released: nothing of the term runs").isTrue();
    }

    @Test
    void whileAStopWaitsForARunningEventADrainerPausesBetweenTriesOfAFailingDatabase() throws Exception {
        List<long[]> pauses = pausesOf("pgobserver-drain-");
        RecordingExecutor executor = stuckAndSlowReceiver();
        // One entity may be parked: the slow one, then holding the checkpoint back, is not parked in its turn.
        EventPipeline first = dispatchingParkingAfter50Ms(executor, 1);
        append("stuck", 2);
        await("the stuck entity parked", () -> parkedGauge.getAsLong() == 1);
        append("slow", 3);
        assertThat(executor.blocked.await(30, TimeUnit.SECONDS)).isTrue();
        List<String> retries = new CopyOnWriteArrayList<>();
        Thread stopping;
        try (AutoCloseable retrying = capture(Retry.class, retries)) {
            parked.setFailing(true); // the database fails the drainer's calls, and keeps failing
            executor.failEntity = null; // the receiver is back: the drainer delivers, then cannot take the event off
            await("the drainer's calls failing", () -> retries.stream().anyMatch(line -> line.contains("parked")));
            stopping = stopAndCountTriesWhileItWaits(first, pauses);
        } finally {
            executor.release.countDown();
        }
        parked.setFailing(false);
        stopping.join(60_000);
        assertThat(checkpoints.claim("test").handedOver()).as("released: nothing of the term runs").isTrue();
    }

    /** The waits, from now on, of the pipeline's threads named {@code thread…}: {store calls before it, millis}. */
    private List<long[]> pausesOf(String thread) {
        lease = Duration.ofHours(1);
        List<long[]> pauses = new CopyOnWriteArrayList<>();
        pipelineSleeper = wait -> {
            if (Thread.currentThread().getName().startsWith(thread)) {
                pauses.add(new long[] {parked.calls(), wait.toMillis()});
            }
            Sleeper.SYSTEM.sleep(wait);
        };
        return pauses;
    }

    /** A receiver failing every event of entity "stuck", and holding those of "slow" until released. */
    private RecordingExecutor stuckAndSlowReceiver() {
        RecordingExecutor executor = new RecordingExecutor();
        executor.failEntity = "stuck";
        executor.blockEntity = "slow"; // running until released: a stop waits for it
        return executor;
    }

    /** A pipeline that parks an entity after 50 ms, up to {@code maxParked} (0: no bound), and has delivered order-1. */
    private EventPipeline dispatchingParkingAfter50Ms(RecordingExecutor executor, int maxParked)
            throws InterruptedException {
        EventPipeline pipeline = start(executor, 4, 10_000, new InMemoryLeadership(lock), Duration.ofMillis(50),
                Condition.ALWAYS, Ordering.ENTITY, maxParked);
        append("order-1", 1);
        // Delivered, and not parked or drained since (its first run may pass park_after): no drainer calls the store
        await("dispatching (the parked entities loaded)",
                () -> executor.executions.get() == 1 && parkedGauge.getAsLong() == 0);
        return pipeline;
    }

    /**
     * Starts {@code pipeline}'s stop (30 s) while an event runs and the parked events' store fails every call, lets
     * three more calls be tried meanwhile, and checks each was followed by a pause of {@link Retry}'s backoff
     * ({@code pauses}, each with the calls tried before it): the one thread that tries, pausing as Retry says.
     */
    private Thread stopAndCountTriesWhileItWaits(EventPipeline pipeline, List<long[]> pauses)
            throws InterruptedException {
        Thread stopping = Thread.ofPlatform().start(() -> pipeline.stop(Duration.ofSeconds(30)));
        await("the stop under way, waiting for the running event", () -> "stopped".equals(pipeline.problem()));
        int triesAtStop = parked.calls();
        int pausesAtStop = pauses.size();
        await("three more tries while the stop waits", () -> parked.calls() - triesAtStop >= 3);
        int tries = parked.calls() - triesAtStop;
        int paused = pauses.size() - pausesAtStop; // read after the tries: the last try's pause may not have begun
        // Before, the parking lot took the term's waits, which end at once when it stops: it tried again and again,
        // with no pause, for as long as the stop waited for the running event.
        assertThat(tries).as("tries of the failing database while the stop waits, against pauses taken")
                .isLessThanOrEqualTo(paused + 1);
        for (int i = 0; i < pauses.size(); i++) {
            assertThat(pauses.get(i)[1]).as("pause %d: Retry's backoff", i + 1)
                    .isEqualTo(Retry.backoff(i + 1).toMillis());
            if (i > 0) {
                assertThat(pauses.get(i)[0] - pauses.get(i - 1)[0]).as("tries before pause %d", i + 1).isOne();
            }
        }
        return stopping;
    }

    @Test
    void aStopWhileTheParkedEntitiesCannotBeLoadedEndsTheirRetriesAtOnce() throws Exception {
        lease = Duration.ofHours(1); // before, the retries went on, with no pause, until the lease was lost
        parked.setFailing(true); // the database fails the load of the parked entities, and keeps failing
        List<String> retries = new CopyOnWriteArrayList<>();
        try (AutoCloseable retrying = capture(Retry.class, retries)) {
            EventPipeline first = start(new RecordingExecutor(), 4);
            await("the load of the parked entities failing",
                    () -> retries.stream().anyMatch(line -> line.contains("cannot load the parked entities")));
            int tries = parked.calls();
            stopsAtOnceAndHandsOver(first);
            assertThat(parked.calls()).as("tries after the stop (one may have begun as it came)")
                    .isLessThanOrEqualTo(tries + 1);
        }
    }

    @Test
    void aStopDoesNotWaitForARetryAndHandsOverTheRetryingEvent() throws Exception {
        lease = Duration.ofHours(1);
        RecordingExecutor executor = new RecordingExecutor();
        executor.failEntity = "stuck"; // retried for good, and never parked (park_after 30 s)
        append("stuck", 1);
        append("order-1", 2);
        EventPipeline first = start(executor, 4);
        await("the stuck event retrying and the other delivered",
                () -> executor.maxRunning.get() > 0 && executor.executions.get() == 1);
        // However long the stop may take, a retrying event stops before its next attempt: the stop does not wait
        // for the receiver to recover. Before, it retried until the stop's time ran out (30 s by default), and no
        // process dispatched anything meanwhile.
        stopsAtOnceAndHandsOver(first);
        assertThat(checkpoints.load("test").orElseThrow().checkpoint()).as("the retrying event is not passed")
                .isEqualTo(Checkpoint.START);
    }

    @Test
    void aStopWhoseTimeRunsOutCutsTheRequestAndHandsOverOnceItHasEnded() throws Exception {
        lease = Duration.ofHours(1);
        RecordingExecutor executor = new RecordingExecutor();
        executor.blockEntity = "slow"; // a request on the wire that does not end by itself
        append("slow", 1);
        EventPipeline first = start(executor, 4);
        assertThat(executor.blocked.await(30, TimeUnit.SECONDS)).isTrue();
        List<String> lines = new CopyOnWriteArrayList<>();
        try (AutoCloseable capturing = capture(Term.class, lines)) {
            first.stop(Duration.ofMillis(100));
        }
        assertThat(executor.interrupted.getCount()).as("the request cut when the stop's time ran out").isZero();
        // The line names what it cut, so that an operator knows which rows run again (before: "interrupting them").
        assertThat(lines).filteredOn(line -> line.contains("--shutdown-timeout")).singleElement().asString()
                .contains("interrupting 1 event (", " slow at change_log id ", "next holder runs them again");
        // The release, read last, says the stop cut the event (before: "stopped cleanly and released").
        assertThat(lines).filteredOn(line -> line.contains("released")).singleElement().asString()
                .contains("stopped with 1 event cut, left for the next holder, and released").doesNotContain("cleanly");
        // Cut, the event ended at once, not done: nothing of the term runs, so the next holder may run it at once.
        // Before, such a stop left the next holder waiting a lease.
        assertThat(checkpoints.claim("test").handedOver()).as("released once the cut-short event ended").isTrue();
        assertThat(checkpoints.load("test").orElseThrow().checkpoint()).as("the cut-short event is not passed")
                .isEqualTo(Checkpoint.START);
    }

    @Test
    void aStopWhoseTimeRunsOutDoesNotWaitForTheRecordsOfAnEventItCut() throws Exception {
        // The event delivered its first action, and its second is on the wire when the stop's time runs out: the
        // interrupt is spent on that request (the client closes its socket and clears it), and then the records of
        // the first are written once more while the database does not answer. Before, the event waited for that
        // write (the pool's 10 s), the stop gave up on it after 5 s, and the next holder waited a lease.
        lease = Duration.ofHours(1);
        CountDownLatch answers = new CountDownLatch(1);
        CountDownLatch onTheWire = new CountDownLatch(1);
        CountDownLatch written = new CountDownLatch(1);
        Deliveries unanswered = new Deliveries() {
            @Override
            public Set<String> settled(java.util.Collection<String> deliveryIds) {
                return deliveries.settled(deliveryIds);
            }

            @Override
            public void record(io.pgobserver.domain.port.CheckpointStore.Fence fence, long offset,
                               java.util.Collection<String> deliveryIds) throws InterruptedException,
                    io.pgobserver.domain.port.CheckpointStore.FencedException {
                answers.await(); // the pool's wait for a connection to a database that is down
                deliveries.record(fence, offset, deliveryIds);
                written.countDown();
            }
        };
        ActionExecutor spendsTheInterrupt = new ActionExecutor() {
            @Override
            public String type() {
                return "slow";
            }

            @Override
            public ActionResult execute(ActionRequest request, Span span) {
                onTheWire.countDown();
                try {
                    new CountDownLatch(1).await();
                    return ActionResult.success("never");
                } catch (InterruptedException e) {
                    return ActionResult.Failure.transientFailure("socket closed", null); // the interrupt spent
                }
            }
        };
        Observer observer = new Observer("all", "public.orders", null, "", Condition.ALWAYS,
                List.of(new TestAction("webhook", "http://localhost:1/h"), new TestAction("slow", "http://slow/h")),
                new io.pgobserver.domain.observer.RetryPolicy(1_000_000, Duration.ofMillis(20), Duration.ofMillis(20)));
        ProcessEvent process = new ProcessEvent("test", traces, new RecordingTracer(), TracingSettings.defaults(),
                List.of(observer), new ActionExecutors(List.of(new ScriptedExecutor("webhook"), spendsTheInterrupt)),
                deadLetters, unanswered, Metrics.NOOP, Sleeper.SYSTEM, null, Clock.systemUTC());
        EventPipeline pipeline = new EventPipeline(source, checkpoints, parked, new InMemoryLeadership(lock), process,
                Metrics.NOOP, new ListenerSettings("test", 50, Duration.ofMillis(20), 4, 100, Duration.ofMillis(10),
                null, Duration.ofSeconds(30), 0, 0), Sleeper.SYSTEM, lease);
        pipelines.add(pipeline);
        loops.add(Thread.ofPlatform().name("pipeline-test").start(() -> {
            try {
                pipeline.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        append("a", 1);
        assertThat(onTheWire.await(30, TimeUnit.SECONDS)).as("the first action delivered, the second on the wire")
                .isTrue();
        List<String> stop = new CopyOnWriteArrayList<>();
        List<String> records = new CopyOnWriteArrayList<>();
        try (AutoCloseable term = capture(Term.class, stop);
             AutoCloseable notAwaited = capture(DeliveryRecords.class, records)) {
            pipeline.stop(Duration.ofMillis(100));
        }
        assertThat(records).as("the event's records named as not awaited").singleElement().asString()
                .contains("change_log id 1, cut short, not awaited");
        assertThat(stop).filteredOn(line -> line.contains("released")).singleElement().asString()
                .contains("stopped with 1 event cut, left for the next holder, and released");
        answers.countDown();
        assertThat(written.await(30, TimeUnit.SECONDS)).as("the one write of its records, once the database answers")
                .isTrue();
        assertThat(checkpoints.claim("test").handedOver()).as("released: nothing of the term runs").isTrue();
    }

    /** Stops {@code pipeline}, giving it 10 min, and checks the stop returned at once and released the consumer. */
    private void stopsAtOnceAndHandsOver(EventPipeline pipeline) throws InterruptedException {
        Thread stopping = Thread.ofPlatform().start(() -> pipeline.stop(Duration.ofMinutes(10)));
        await("the stop returned", () -> !stopping.isAlive());
        assertThat(checkpoints.claim("test").handedOver()).as("released: nothing of the term runs").isTrue();
    }

    @Test
    void aStopEndsTheWaitOfADeliveryRecordWriteThatKeepsFailing() throws Exception {
        lease = Duration.ofHours(1);
        RecordingExecutor executor = new RecordingExecutor();
        deliveries.setFailing(true); // the database fails the write that must follow the delivery, and keeps failing
        append("a", 1);
        EventPipeline first = start(executor, 4);
        await("the action delivered, its record being retried", () -> executor.executions.get() == 1);
        // The write is retried until durable, but not through a stop: the event is left, not done, for the next
        // holder. Before, the stop (given 10 min) kept retrying the write until its time ran out.
        stopsAtOnceAndHandsOver(first);
        assertThat(checkpoints.load("test").orElseThrow().checkpoint()).as("the unrecorded event is not passed")
                .isEqualTo(Checkpoint.START);
    }

    @Test
    void aStopEndsTheWaitBeforeAFailedEventRunsAgain() throws Exception {
        lease = Duration.ofHours(1);
        CountDownLatch waiting = new CountDownLatch(1);
        pipelineSleeper = wait -> { // the wait before the whole event runs again, made long enough to be caught in
            waiting.countDown();
            Thread.sleep(Duration.ofHours(1));
        };
        Condition failing = event -> {
            throw new StackOverflowError("a condition that recursed too deep (test)"); // fails the whole event
        };
        append("a", 1);
        EventPipeline first = start(new RecordingExecutor(), 4, 100, new InMemoryLeadership(lock),
                Duration.ofSeconds(30), failing);
        assertThat(waiting.await(30, TimeUnit.SECONDS)).as("the failed event waits to run again").isTrue();
        // Before, this wait was not the event's backoff: the stop (given 10 min) waited through it.
        stopsAtOnceAndHandsOver(first);
        assertThat(deadLetters.list("test", 10)).as("left for the next holder, not given up").isEmpty();
    }

    @Test
    void aProcessWhosePlaceWasClaimedCannotMoveTheCheckpoint() throws Exception {
        RecordingExecutor executor = new RecordingExecutor();
        executor.blockEntity = "slow";
        append("slow", 1);
        EventPipeline pipeline = start(executor, 16);
        assertThat(executor.blocked.await(30, TimeUnit.SECONDS)).isTrue();
        checkpoints.claim("test"); // another process took the consumer over
        executor.release.countDown();
        await("the fenced process stood down", () -> !pipeline.isActive() || loops.isEmpty());
        assertThat(checkpoints.load("test").orElseThrow().checkpoint()).isEqualTo(Checkpoint.START);
    }

    @Test
    void afterACrashOnlyTheActionsInFlightRunAgain() throws Exception {
        RecordingExecutor executor = new RecordingExecutor();
        executor.blockEntity = "slow";
        append("slow", 0);
        for (int i = 1; i <= 300; i++) {
            append("order-" + (i % 30), i);
        }
        InMemoryLeadership crashed = new InMemoryLeadership(lock);
        start(executor, 32, 10_000, crashed);
        assertThat(executor.blocked.await(30, TimeUnit.SECONDS)).isTrue();
        // Ran and recorded: an action delivered but not yet recorded is in flight, and a crash rightly runs it again
        // (a busy machine can leave the last few unrecorded when the 300th has just run).
        await("everything but the slow event ran and is recorded", () -> executor.executions.get() == 300
                && executor.deliveryIds.stream().allMatch(deliveries::isSettled));
        // A crash: the lock's session dies with the process; nothing more is saved. The checkpoint is stuck before
        // the slow event, 300 finished events behind it.
        crashed.crash();
        await("the crashed process stopped", () -> !pipelines.getFirst().isActive());

        int lookupsBefore = deliveries.lookups();
        RecordingExecutor next = new RecordingExecutor();
        start(next, 32);
        await("the slow event ran again", () -> next.executions.get() >= 1);
        // Only now does the crashed process's action end, as a dead process's never would. Released before the new
        // process claimed the consumer, it could finish and record its delivery unfenced, and the slow event was
        // rightly not run again: the test failed by timing alone.
        executor.release.countDown();
        Thread.sleep(200);
        assertThat(next.executions.get()).as("only the event in flight at the crash ran again").isEqualTo(1);
        assertThat(next.afterValues).containsExactly(0L);
        // The 301 events read again ask the delivery log once per page of 50, not once each.
        assertThat(deliveries.lookups() - lookupsBefore).as("delivery log look-ups for 301 events read again")
                .isBetween(1, 301 / 50 + 1);
    }

    @Test
    void twoRowsWithTheSameEventIdAreTwoEventsAndNeitherStallsTheCheckpoint() throws Exception {
        RecordingExecutor executor = new RecordingExecutor();
        ChangeEvent twin = event("order-1", 1L);
        source.append(twin, twin, event("order-2", 2L));
        start(executor, 16);
        await("all three ran", () -> executor.executions.get() == 3);
        await("the checkpoint passed them", () -> checkpoints.load("test").orElseThrow().checkpoint()
                .equals(new Checkpoint(2, 0)));
    }

    @Test
    void anUnreachableSourceIsRetriedAndNothingIsLost() throws Exception {
        RecordingExecutor executor = new RecordingExecutor();
        source.setFailing(true);
        for (int i = 1; i <= 30; i++) {
            append("order-" + i, i);
        }
        EventPipeline pipeline = start(executor, 16);
        AtomicReference<String> seen = new AtomicReference<>();
        await("readiness says why", () -> {
            seen.set(pipeline.problem()); // the answer that ended the wait: it may change again right after
            return seen.get() != null;
        });
        assertThat(seen.get()).contains("change source unavailable");
        assertThat(executor.executions.get()).isZero();
        source.setFailing(false);
        await("every event ran once the source came back", () -> executor.executions.get() == 30);
        await("ready again", () -> pipeline.problem() == null);
    }

    @Test
    void anIdlePipelineIsUnreadyWhileTheSourceIsDownAndReadyOnceItAnswers() throws Exception {
        RecordingExecutor executor = new RecordingExecutor();
        append("order-1", 1);
        EventPipeline pipeline = start(executor, 16);
        await("the event ran", () -> executor.executions.get() == 1);
        await("ready", () -> pipeline.problem() == null);
        source.setFailing(true);
        AtomicReference<String> seen = new AtomicReference<>();
        await("readiness says why", () -> {
            seen.set(pipeline.problem()); // the answer that ended the wait: it may change again right after
            return seen.get() != null;
        });
        assertThat(seen.get()).contains("change source unavailable");
        source.setFailing(false);
        await("ready again with nothing new to read", () -> pipeline.problem() == null);
        assertThat(executor.executions.get()).as("nothing ran twice").isEqualTo(1);
    }

    @Test
    void anUnreachableCheckpointStoreNeverEndsTheRun() throws Exception {
        RecordingExecutor executor = new RecordingExecutor();
        checkpoints.setFailing(true);
        for (int i = 1; i <= 10; i++) {
            append("order-" + i, i);
        }
        EventPipeline pipeline = start(executor, 16);
        AtomicReference<String> seen = new AtomicReference<>();
        await("readiness says why", () -> {
            seen.set(pipeline.problem()); // the answer that ended the wait: it may change again right after
            return seen.get() != null;
        });
        assertThat(seen.get()).contains("cannot load the position");
        checkpoints.setFailing(false);
        await("every event ran", () -> executor.executions.get() == 10);
        assertThat(loops.getFirst().isAlive()).isTrue();
    }

    /** Rows that cannot become events, at the end of a page, make the page short but do not end the batch. */
    @Test
    void unreadableRowsAtTheEndOfAPageSkipNoLaterRowOfTheBatch() throws Exception {
        RecordingExecutor executor = new RecordingExecutor();
        InMemoryChangeSource.Transaction tx = source.begin();
        for (int i = 1; i <= 48; i++) {
            tx.write(event("order-" + i % 7, (long) i));
        }
        tx.writeUnreadable(event("order-bad", 0L));
        tx.writeUnreadable(event("order-bad", 0L));      // rows 49 and 50 end the first page of 50
        for (int i = 49; i <= 80; i++) {
            tx.write(event("order-" + i % 7, (long) i));
        }
        tx.commit();
        start(executor, 16);
        await("every readable row of the batch ran", () -> executor.executions.get() == 80);
        assertThat(executor.afterValues).containsExactlyInAnyOrderElementsOf(
                java.util.stream.LongStream.rangeClosed(1, 80).boxed().toList());
    }
}
