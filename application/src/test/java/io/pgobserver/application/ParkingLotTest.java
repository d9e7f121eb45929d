package io.pgobserver.application;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.event.Position;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.testing.InMemoryCheckpointStore;
import io.pgobserver.domain.testing.InMemoryParkedEvents;
import io.pgobserver.domain.trace.TraceContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.pgobserver.application.EventPipelineTest.await;
import static org.assertj.core.api.Assertions.assertThat;

/** The parking lot on what only shows there: a turn that fails where nothing should, a stop that lost its lock. */
class ParkingLotTest {

    private final InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();
    private final CheckpointStore.Resume resume = checkpoints.claim("c");
    private final InMemoryParkedEvents store = new InMemoryParkedEvents(checkpoints);
    private final Progress progress = new Progress(checkpoints, resume, Duration.ofMinutes(1), 10_000, Long.MAX_VALUE,
            System::nanoTime, () -> { });

    private static ChangeEvent event(long offset) {
        return new ChangeEvent("e-" + offset, new Position(1, offset), "public.orders", "7", ChangeKind.UPDATED,
                Map.of(), Map.of("n", offset), Instant.now(), TraceContext.NONE);
    }

    @Test
    void drainedEntitiesLeaveNothingBehindInMemory() throws Exception {
        // A term lasts days or weeks; a receiver down for every row parks every row. Once drained, the rows must not
        // stay in memory, or each outage would leave its rows behind for the rest of the term.
        List<Long> ran = new CopyOnWriteArrayList<>();
        Lanes lanes = new Lanes(2, (event, ticket) -> { }, "test-");
        ParkingLot lot = new ParkingLot(store, resume.fence(), lanes, (event, completion) ->
                ran.add(event.position().offset()), 2, 1L << 30, Sleeper.SYSTEM, () -> { }, () -> false);
        lanes.parkInto(lot);
        try {
            lot.resume(Sleeper.SYSTEM);
            for (long n = 1; n <= 300; n++) {
                String entity = "public.orders\u0000" + n;
                ChangeEvent parked = new ChangeEvent("e-" + n, new Position(1, n), "public.orders", Long.toString(n),
                        ChangeKind.UPDATED, Map.of(), Map.of("n", n), Instant.now(), TraceContext.NONE);
                lanes.parkedAlready(entity); // as Lanes.park leaves a lane: its next events go to the lot
                lanes.submit(entity, parked, progress.register(1, parked, entity, () -> false, null));
            }
            await("every parked row drained and went back to the stream", () -> ran.size() == 300
                    && lot.parkedEntities() == 0 && store.entities("c").isEmpty());
            assertThat(lot.entriesHeld()).as("per-row entries left in memory").isZero();
        } finally {
            lot.stop();
        }
    }

    @Test
    void anEntityWhoseDrainingFailedUnexpectedlyDrainsAgainWhenItsNextEventIsParked() throws Exception {
        String entity = "public.orders\u00007";
        AtomicInteger runs = new AtomicInteger();
        List<Long> ran = new CopyOnWriteArrayList<>();
        Lanes lanes = new Lanes(2, (event, ticket) -> { }, "test-");
        ParkingLot lot = new ParkingLot(store, resume.fence(), lanes, (event, completion) -> {
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("a bug in the runner");
            }
            ran.add(event.position().offset());
        }, 2, 1L << 30, Sleeper.SYSTEM, () -> { }, () -> false);
        lanes.parkInto(lot);
        store.park(resume.fence(), entity, List.of(event(1))); // left parked by an earlier term
        try {
            lot.resume(Sleeper.SYSTEM);
            await("the first turn failed", () -> runs.get() == 1 && lot.parkedEntities() == 0);
            assertThat(store.head("c", entity, 10)).as("still parked").hasSize(1);

            ChangeEvent next = event(2);
            lot.take(entity, List.of(new Lanes.Item(next, progress.register(1, next, entity, () -> false, null))));
            await("the entity drained, both events in order", () -> ran.equals(List.of(1L, 2L))
                    && store.entities("c").isEmpty());
        } finally {
            lot.stop();
        }
    }

    @Test
    @Timeout(60) // a stop that waited for the write would last the hour it gives
    void aStopThatLostItsLockDoesNotWaitForAParkingWriteUnderWay() throws Exception {
        String entity = "public.orders\u00007";
        AtomicBoolean lockLost = new AtomicBoolean();
        Lanes lanes = new Lanes(2, (event, ticket) -> { }, "test-");
        ParkingLot lot = new ParkingLot(store, resume.fence(), lanes, (event, completion) -> { }, 2, 1L << 30,
                Sleeper.SYSTEM, () -> { }, lockLost::get);
        lanes.parkInto(lot);
        store.holdParks(); // the database stopped answering
        try {
            lot.resume(Sleeper.SYSTEM);
            ChangeEvent next = event(1);
            lot.take(entity, List.of(new Lanes.Item(next, progress.register(1, next, entity, () -> false, null))));
            await("the write under way", () -> store.parksWaiting() == 1);
            lockLost.set(true); // the lock's session went with the database: this process may no longer write
            lot.finishWriting(Duration.ofHours(1));
            assertThat(lot.unwritten()).as("left on its way to parking, for the next holder").isEqualTo(1);
        } finally {
            lot.stop();
            store.releaseParks();
        }
    }

    @Test
    void anEventWrittenWhileTheDrainerFoundTheQueueEmptyIsStillDrained() throws Exception {
        // The drainer reads an empty head; before it looks whether anything is still on its way, the writer parks a
        // new event and counts it written. Before, the entity went back to the stream with that event left parked.
        String entity = "public.orders\u00007";
        List<Long> ran = new CopyOnWriteArrayList<>();
        Lanes lanes = new Lanes(2, (event, ticket) -> { }, "test-");
        ParkingLot[] lot = new ParkingLot[1];
        AtomicBoolean raced = new AtomicBoolean();
        io.pgobserver.domain.port.ParkedEvents racing = new io.pgobserver.domain.port.ParkedEvents() {
            @Override
            public void park(CheckpointStore.Fence fence, String e, List<ChangeEvent> events)
                    throws CheckpointStore.FencedException {
                store.park(fence, e, events);
            }

            @Override
            public List<ChangeEvent> head(String consumer, String e, int limit) {
                List<ChangeEvent> head = store.head(consumer, e, limit);
                if (head.isEmpty() && raced.compareAndSet(false, true)) {
                    ChangeEvent late = event(2);
                    lot[0].take(e, List.of(new Lanes.Item(late, progress.register(1, late, e, () -> false, null))));
                    try {
                        await("the late event written", () -> lot[0].unwritten() == 0);
                        Thread.sleep(50); // and the writer past asking for a drainer: the entity still had one
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
                return head;
            }

            @Override
            public void remove(CheckpointStore.Fence fence, String e, long offset)
                    throws CheckpointStore.FencedException {
                store.remove(fence, e, offset);
            }

            @Override
            public Map<String, Long> entities(String consumer) {
                return store.entities(consumer);
            }
        };
        lot[0] = new ParkingLot(racing, resume.fence(), lanes, (event, completion) -> ran.add(event.position().offset()),
                2, 1L << 30, Sleeper.SYSTEM, () -> { }, () -> false);
        lanes.parkInto(lot[0]);
        store.park(resume.fence(), entity, List.of(event(1))); // left parked by an earlier term
        try {
            lot[0].resume(Sleeper.SYSTEM);
            await("both events drained, in order", () -> ran.equals(List.of(1L, 2L)) && store.entities("c").isEmpty());
            assertThat(raced).as("the race was run").isTrue();
        } finally {
            lot[0].stop();
        }
    }
}
