package io.pgobserver.application;

import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.config.TracingSettings;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.event.Position;
import io.pgobserver.domain.observer.Condition;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.observer.WebhookAction;
import io.pgobserver.domain.port.ActionExecutor;
import io.pgobserver.domain.port.ActionRequest;
import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.testing.InMemoryChangeSource;
import io.pgobserver.domain.testing.InMemoryCheckpointStore;
import io.pgobserver.domain.testing.InMemoryDeadLetters;
import io.pgobserver.domain.testing.InMemoryDeliveries;
import io.pgobserver.domain.testing.InMemoryLeadership;
import io.pgobserver.domain.testing.RecordingTracer;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.TraceContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

class EventPipelineTest {

    private final InMemoryChangeSource source = new InMemoryChangeSource();
    private final RecordingCheckpoints checkpoints = new RecordingCheckpoints();
    private final InMemoryLeadership.Lock lock = new InMemoryLeadership.Lock();
    private final List<Thread> loops = new ArrayList<>();
    private final List<EventPipeline> pipelines = new ArrayList<>();

    @AfterEach
    void stopAll() throws InterruptedException {
        for (EventPipeline pipeline : pipelines) {
            pipeline.stop(Duration.ofSeconds(5));
        }
        for (Thread loop : loops) {
            loop.join(10_000);
        }
    }

    /** Records every saved position, on top of the contract's in-memory store. */
    static final class RecordingCheckpoints implements CheckpointStore {
        final InMemoryCheckpointStore store = new InMemoryCheckpointStore();
        final List<Position> saves = new CopyOnWriteArrayList<>();

        @Override
        public Optional<Position> load(String consumer) {
            return store.load(consumer);
        }

        @Override
        public void save(String consumer, Position position) {
            saves.add(position);
            store.save(consumer, position);
        }
    }

    /** Records the order events reach the action, per entity, and how many run at once. */
    static final class OrderRecordingExecutor implements ActionExecutor {
        final Map<String, List<Long>> seenByEntity = new ConcurrentHashMap<>();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();
        final AtomicInteger executions = new AtomicInteger();
        volatile long blockOffset = -1;
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch blocked = new CountDownLatch(1);

        @Override
        public String type() {
            return "webhook";
        }

        @Override
        public ActionResult execute(ActionRequest request, Span span) {
            int now = running.incrementAndGet();
            maxRunning.accumulateAndGet(now, Math::max);
            try {
                ChangeEvent event = request.event();
                if (event.position().offset() == blockOffset) {
                    blocked.countDown();
                    release.await();
                }
                // A little uneven work so events of different entities overtake each other.
                Thread.sleep(new Random(event.position().offset()).nextInt(3));
                seenByEntity.computeIfAbsent(event.entityId(), k -> new CopyOnWriteArrayList<>())
                        .add(event.position().offset());
                executions.incrementAndGet();
                return ActionResult.success("ok");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ActionResult.Failure.transientFailure("interrupted", e);
            } finally {
                running.decrementAndGet();
            }
        }
    }

    private EventPipeline start(OrderRecordingExecutor executor, int maxInFlight, InMemoryLeadership leadership) {
        Observer observer = new Observer("all", "public.orders", null, "", Condition.ALWAYS,
                List.of(new WebhookAction(URI.create("http://localhost:1/h"), null)), null);
        ProcessEvent process = new ProcessEvent(new RecordingTracer(), new RecordingTracer(),
                TracingSettings.defaults(), List.of(observer), new ActionExecutors(List.of(executor)),
                new InMemoryDeadLetters(), new InMemoryDeliveries(), Metrics.NOOP, Sleeper.SYSTEM, null,
                Clock.systemUTC());
        ListenerSettings settings = new ListenerSettings("test", 50, Duration.ofMillis(20), maxInFlight,
                Duration.ofMillis(10), null);
        EventPipeline pipeline = new EventPipeline(source, checkpoints, leadership, process, Metrics.NOOP, settings,
                Sleeper.SYSTEM);
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

    private void append(long offset, String entity) {
        source.append(new ChangeEvent("e-" + offset, new Position(offset, offset), "public.orders", entity,
                ChangeKind.UPDATED, Map.of(), Map.of("n", offset), Instant.now(), TraceContext.NONE));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
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
        OrderRecordingExecutor executor = new OrderRecordingExecutor();
        int entities = 20;
        int perEntity = 40;
        Random random = new Random(42);
        long offset = 0;
        for (int i = 0; i < entities * perEntity; i++) {
            append(++offset, "order-" + random.nextInt(entities));
        }
        start(executor, 64, new InMemoryLeadership(lock));
        long total = offset;
        await("every event ran", () -> executor.executions.get() == total);

        executor.seenByEntity.forEach((entity, offsets) ->
                assertThat(offsets).as("order of %s", entity).isSorted());
        assertThat(executor.seenByEntity.values().stream().mapToInt(List::size).sum()).isEqualTo((int) total);
        assertThat(executor.maxRunning.get()).as("different entities ran at the same time").isGreaterThan(1);
        assertThat(executor.maxRunning.get()).as("bounded by max_in_flight").isLessThanOrEqualTo(64);
        await("the checkpoint reached the end", () -> checkpoints.load("test").equals(Optional.of(
                new Position(total, total))));
        assertThat(checkpoints.saves).isSorted();
    }

    @Test
    void theCheckpointNeverPassesAnUnfinishedEvent() throws Exception {
        OrderRecordingExecutor executor = new OrderRecordingExecutor();
        executor.blockOffset = 5;
        for (long offset = 1; offset <= 200; offset++) {
            append(offset, offset == 5 ? "slow" : "order-" + offset);
        }
        start(executor, 256, new InMemoryLeadership(lock));
        assertThat(executor.blocked.await(30, TimeUnit.SECONDS)).isTrue();
        await("every other event ran", () -> executor.executions.get() == 199);
        Thread.sleep(100); // several checkpoint intervals pass while offset 5 is still running
        assertThat(checkpoints.saves).allMatch(p -> p.offset() < 5, "saved before offset 5");
        assertThat(checkpoints.load("test")).contains(new Position(4, 4));

        executor.release.countDown();
        await("the checkpoint passed everything", () -> checkpoints.load("test")
                .equals(Optional.of(new Position(200, 200))));
    }

    @Test
    void stoppingFinishesInFlightEventsAndSavesTheCheckpoint() throws Exception {
        OrderRecordingExecutor executor = new OrderRecordingExecutor();
        for (long offset = 1; offset <= 300; offset++) {
            append(offset, "order-" + (offset % 7));
        }
        EventPipeline pipeline = start(executor, 16, new InMemoryLeadership(lock));
        await("some events ran", () -> executor.executions.get() > 20);
        pipeline.stop(Duration.ofSeconds(10));
        loops.getFirst().join(10_000);
        int ran = executor.executions.get();
        Position saved = checkpoints.load("test").orElseThrow();
        // Everything up to the checkpoint ran; nothing ran twice.
        assertThat(saved.offset()).isLessThanOrEqualTo(ran);
        List<Long> all = executor.seenByEntity.values().stream().flatMap(List::stream).sorted().toList();
        assertThat(all).doesNotHaveDuplicates();
        for (long offset = 1; offset <= saved.offset(); offset++) {
            assertThat(all).contains(offset);
        }
        assertThat(pipeline.isActive()).isFalse();
    }

    @Test
    void aStandbyTakesOverFromTheCheckpointWhenTheActiveOneStops() throws Exception {
        OrderRecordingExecutor first = new OrderRecordingExecutor();
        OrderRecordingExecutor second = new OrderRecordingExecutor();
        for (long offset = 1; offset <= 100; offset++) {
            append(offset, "order-" + (offset % 5));
        }
        EventPipeline active = start(first, 16, new InMemoryLeadership(lock));
        await("the first consumed everything", () -> first.executions.get() == 100);
        start(second, 16, new InMemoryLeadership(lock));
        Thread.sleep(100);
        assertThat(second.executions.get()).as("the standby consumes nothing while the other is active").isZero();

        active.stop(Duration.ofSeconds(5));
        for (long offset = 101; offset <= 150; offset++) {
            append(offset, "order-" + (offset % 5));
        }
        await("the standby took over", () -> second.executions.get() == 50);
        assertThat(second.seenByEntity.values().stream().flatMap(List::stream)).allMatch(o -> o > 100);
    }

    @Test
    void anUnreachableSourceIsRetriedAndNothingIsLost() throws Exception {
        OrderRecordingExecutor executor = new OrderRecordingExecutor();
        source.setFailing(true);
        for (long offset = 1; offset <= 30; offset++) {
            append(offset, "order-" + offset);
        }
        start(executor, 16, new InMemoryLeadership(lock));
        Thread.sleep(300);
        assertThat(executor.executions.get()).isZero();
        source.setFailing(false);
        await("every event ran once the source came back", () -> executor.executions.get() == 30);
    }
}
