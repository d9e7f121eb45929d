package io.pgobserver.application;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.event.Position;
import io.pgobserver.domain.testing.InMemoryCheckpointStore;
import io.pgobserver.domain.trace.TraceContext;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How lanes share their places: in turns, in the order entities got in line, on a bounded pool of virtual threads.
 * The pipeline's tests (EventPipelineTest) cover order within an entity, the max_in_flight bound and parking a
 * running entity under load; these pin down what only shows with every place taken.
 */
class LanesTest {

    private final Progress progress = new Progress(new InMemoryCheckpointStore(), new InMemoryCheckpointStore().claim("c"),
            Duration.ofMinutes(1), 10_000, Long.MAX_VALUE, System::nanoTime, () -> { });
    private long offset;

    private void submit(Lanes lanes, String entity, int n) {
        ChangeEvent event = new ChangeEvent(entity + "-" + n, new Position(0, ++offset), "public.orders", entity,
                ChangeKind.UPDATED, Map.of(), Map.of("n", n), Instant.now(), TraceContext.NONE);
        lanes.submit(entity, event, progress.register(1, event, entity, () -> false, null));
    }

    @Test
    void anEntityWhoseLastEventGetsThroughAsItIsParkedIsNotLeftParked() throws Exception {
        // Nothing is left to park: the lane ends as an idle one does, and counts no more against listener.max_parked.
        // Left parked, with nothing handed over it would never drain, and would stay in memory for the whole term.
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch mayFinish = new CountDownLatch(1);
        List<String> handedOver = new CopyOnWriteArrayList<>();
        Lanes lanes = new Lanes(2, (event, ticket) -> {
            running.countDown();
            mayFinish.await();
        }, "lanes-test-");
        lanes.parkInto((entity, events) -> events.forEach(item -> handedOver.add(item.event().id())));
        submit(lanes, "a", 1);
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(lanes.park("a")).isTrue();
        assertThat(lanes.parked()).isEqualTo(1);
        mayFinish.countDown(); // its attempt in flight gets through: the event is done

        assertThat(lanes.awaitIdle(Duration.ofSeconds(30))).isTrue();
        assertThat(lanes.parked()).as("lanes parked or being parked").isZero();
        assertThat(handedOver).isEmpty();
        submit(lanes, "a", 2); // the entity's next event runs in a lane again, not handed to the parking lot
        assertThat(lanes.awaitIdle(Duration.ofSeconds(30))).isTrue();
        assertThat(handedOver).isEmpty();
    }

    @Test
    void aBusyEntityTakesTurnsWithTheEntitiesThatGotInLineAfterIt() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch allSubmitted = new CountDownLatch(1);
        Lanes lanes = new Lanes(1, (event, ticket) -> {
            if (event.id().equals("busy-1")) {
                allSubmitted.await();
            }
            ran.add(event.id());
        }, "lanes-test-");
        for (int n = 1; n <= 20; n++) {
            submit(lanes, "busy", n);
        }
        for (int entity = 1; entity <= 5; entity++) {
            submit(lanes, "other" + entity, 1);
        }
        allSubmitted.countDown();

        assertThat(lanes.awaitIdle(Duration.ofSeconds(30))).isTrue();
        // One place: the busy entity's first event, then every entity that was waiting, then its next ones.
        assertThat(ran).hasSize(25);
        assertThat(ran.subList(0, 7)).containsExactly("busy-1", "other1-1", "other2-1", "other3-1", "other4-1",
                "other5-1", "busy-2");
        assertThat(ran.subList(6, 25)).as("the busy entity's events in order")
                .containsExactly(java.util.stream.IntStream.rangeClosed(2, 20).mapToObj(n -> "busy-" + n)
                        .toArray(String[]::new));
    }

    @Test
    void anEntityParkedWhileWaitingForAPlaceHandsAllItsEventsOverInOrderWithoutRunningThem() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blockerRunning = new CountDownLatch(1);
        Lanes lanes = new Lanes(1, (event, ticket) -> {
            if (event.id().equals("blocker-1")) {
                blockerRunning.countDown();
                release.await();
            }
            ran.add(event.id());
        }, "lanes-test-");
        List<String> handedOver = new CopyOnWriteArrayList<>();
        lanes.parkInto((entity, events) -> events.forEach(item -> handedOver.add(item.event().id())));
        submit(lanes, "blocker", 1);
        assertThat(blockerRunning.await(30, TimeUnit.SECONDS)).isTrue();
        submit(lanes, "waiting", 1);
        submit(lanes, "waiting", 2);

        assertThat(lanes.park("waiting")).isTrue();
        submit(lanes, "waiting", 3);
        release.countDown();

        assertThat(lanes.awaitIdle(Duration.ofSeconds(30))).isTrue();
        assertThat(ran).containsExactly("blocker-1");
        assertThat(handedOver).containsExactly("waiting-1", "waiting-2", "waiting-3");
    }

    @Test
    void eventsRunOnAtMostMaxInFlightVirtualThreads() throws Exception {
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        CountDownLatch allSubmitted = new CountDownLatch(1);
        Lanes lanes = new Lanes(4, (event, ticket) -> {
            threads.add(Thread.currentThread());
            allSubmitted.await(); // no thread finishes a turn, and so none leaves, before every turn is queued
        }, "lanes-test-");
        for (int entity = 0; entity < 200; entity++) {
            submit(lanes, "e" + entity, 1);
        }
        // Released only once the started threads are in their first turns: released at once, the first two threads
        // could take all 200 turns before the scheduler ran the others (one CI run saw 2 threads that way).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (threads.size() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        allSubmitted.countDown();

        assertThat(lanes.awaitIdle(Duration.ofSeconds(60))).isTrue();
        assertThat(lanes.unfinished()).isZero();
        // A virtual thread per lane would have made 200.
        assertThat(threads).hasSize(4).allMatch(Thread::isVirtual);
    }
}
