package io.pgobserver.application;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.event.Position;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.ParkedEvents;
import io.pgobserver.domain.testing.InMemoryCheckpointStore;
import io.pgobserver.domain.trace.TraceContext;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one parked entity costs in heap: 200,000 entities parked with their receiver down (a runner that never returns),
 * the heap in use after a full collection before and after, divided by the entities. A measurement, not a check, so
 * not run by the build (its name is no test's): {@code mvn -B -pl application verify -Dtest=ParkedMemoryProbe
 * -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=NoSuchIT -Dfailsafe.failIfNoSpecifiedTests=false}, then read
 * {@code PROBE} in {@code application/target/surefire-reports/*ParkedMemoryProbe-output.txt}. It sizes
 * {@code ListenerSettings.BYTES_PER_PARKED}, the default of {@code listener.max_parked}.
 */
class ParkedMemoryProbe {
    @Test
    void bytesPerParkedEntity() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        measure("parked", (event, completion) -> never.await(), lot -> lot.parkedEntities() == 200_000);
    }

    /**
     * The same entities each waiting for its event's next attempt, off the drain places ({@link WaitingRoom}): what
     * the waiting adds to an entity parked while its receiver is down.
     */
    @Test
    void bytesPerParkedEntityWaitingToRetry() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        measure("waiting", (event, completion) -> {
            ran.incrementAndGet();
            completion.actionBackoff("all", 0, 1, Duration.ofHours(1), Sleeper.SYSTEM);
        }, lot -> ran.get() == 200_000);
    }

    private void measure(String what, ParkingLot.Runner runner, Predicate<ParkingLot> settled) throws Exception {
        InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();
        CheckpointStore.Resume resume = checkpoints.claim("c");
        Progress progress = new Progress(checkpoints, resume, Duration.ofMinutes(1), 10_000_000, Long.MAX_VALUE,
                System::nanoTime, () -> { });
        ChangeEvent dummy = new ChangeEvent("e", new Position(1, 1), "public.orders", "1", ChangeKind.UPDATED,
                Map.of(), Map.of(), Instant.now(), TraceContext.NONE);
        // A store that keeps nothing, so that the heap holds only what the pipeline keeps per parked entity.
        ParkedEvents store = new ParkedEvents() {
            @Override
            public void park(CheckpointStore.Fence fence, String entity, List<ChangeEvent> events) {
            }

            @Override
            public List<ChangeEvent> head(String consumer, String entity, int limit) {
                return List.of(dummy);
            }

            @Override
            public void remove(CheckpointStore.Fence fence, String entity, long offset) {
            }

            @Override
            public Map<String, Long> entities(String consumer) {
                return Map.of();
            }
        };
        Lanes lanes = new Lanes(8, (event, ticket) -> { }, "t-");
        ParkingLot lot = new ParkingLot(store, resume.fence(), lanes, runner, 8, 1L << 30,
                Sleeper.SYSTEM, () -> { }, () -> false);
        lanes.parkInto(lot);
        lot.resume(Sleeper.SYSTEM);
        int n = 200_000;
        // Events and tickets are done once handed over and written (here: dropped), so what stays is the entity's.
        long before = used();
        for (int i = 0; i < n; i++) {
            String entity = "public.orders\u0000" + (1_000_000 + i);
            ChangeEvent ev = new ChangeEvent("e" + i, new Position(1, i + 2), "public.orders",
                    Integer.toString(1_000_000 + i), ChangeKind.UPDATED, Map.of(), Map.of(), Instant.now(),
                    TraceContext.NONE);
            lanes.parkedAlready(entity);
            lanes.submit(entity, ev, progress.register(1, ev, entity, () -> false, null));
        }
        progress.endOfBatch(1);
        EventPipelineTest.await("every entity " + what, () -> settled.test(lot));
        long after = used();
        assertThat(lot.parkedEntities()).isEqualTo(n);
        System.out.println("PROBE " + what + "=" + lot.parkedEntities() + " bytes/entity=" + (after - before) / n);
        lot.stop();
    }

    private static long used() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
