package io.pgobserver.domain.testing;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.ParkedEvents;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** The in-memory fake of {@link ParkedEvents}, fenced by the fake checkpoint store's epochs as the real one is. */
public final class InMemoryParkedEvents implements ParkedEvents {

    private final InMemoryCheckpointStore checkpoints;
    private final Map<String, Map<String, List<ChangeEvent>>> queues = new LinkedHashMap<>();
    private int parkCalls;
    private final AtomicInteger calls = new AtomicInteger();
    private boolean failing;
    private volatile CountDownLatch parksHeld;
    private final AtomicInteger parksWaiting = new AtomicInteger();

    public InMemoryParkedEvents(InMemoryCheckpointStore checkpoints) {
        this.checkpoints = checkpoints;
    }

    @Override
    public void park(CheckpointStore.Fence fence, String entity, List<ChangeEvent> events)
            throws CheckpointStore.FencedException {
        awaitRelease(); // outside the lock: a slow write holds no reader up
        parkNow(fence, entity, events);
    }

    private synchronized void parkNow(CheckpointStore.Fence fence, String entity, List<ChangeEvent> events)
            throws CheckpointStore.FencedException {
        fail();
        checkpoints.checkFence(fence);
        parkCalls++;
        List<ChangeEvent> queue = queues.computeIfAbsent(fence.consumer(), c -> new LinkedHashMap<>())
                .computeIfAbsent(entity, e -> new ArrayList<>());
        for (ChangeEvent event : events) {
            long offset = event.position().offset();
            if (queue.stream().noneMatch(e -> e.position().offset() == offset)) {
                queue.add(event);
            }
        }
    }

    @Override
    public synchronized List<ChangeEvent> head(String consumer, String entity, int limit) {
        fail();
        List<ChangeEvent> queue = queues.getOrDefault(consumer, Map.of()).getOrDefault(entity, List.of());
        return List.copyOf(queue.subList(0, Math.min(limit, queue.size())));
    }

    @Override
    public synchronized void remove(CheckpointStore.Fence fence, String entity, long offset)
            throws CheckpointStore.FencedException {
        fail();
        checkpoints.checkFence(fence);
        Map<String, List<ChangeEvent>> entities = queues.getOrDefault(fence.consumer(), Map.of());
        List<ChangeEvent> queue = entities.get(entity);
        if (queue != null) {
            queue.removeIf(e -> e.position().offset() == offset);
            if (queue.isEmpty()) {
                entities.remove(entity);
            }
        }
    }

    @Override
    public synchronized Map<String, Long> entities(String consumer) {
        fail();
        Map<String, Long> counts = new LinkedHashMap<>();
        queues.getOrDefault(consumer, Map.of()).forEach((entity, queue) -> counts.put(entity, (long) queue.size()));
        return counts;
    }

    /** How many park writes were made. */
    public synchronized int parkCalls() {
        return parkCalls;
    }

    /** How many calls were made, failed ones included: a retry loop's tries. */
    public int calls() {
        return calls.get();
    }

    /** While true, every call fails as an unreachable database would. */
    public synchronized void setFailing(boolean failing) {
        this.failing = failing;
    }

    /** From now on every park write waits until {@link #releaseParks()}, as on a slow database. */
    public void holdParks() {
        parksHeld = new CountDownLatch(1);
    }

    public void releaseParks() {
        parksHeld.countDown();
    }

    /** How many park writes are waiting to be released now. */
    public int parksWaiting() {
        return parksWaiting.get();
    }

    /** A held write that is interrupted fails, as a query on an interrupted virtual thread does. */
    private void awaitRelease() {
        CountDownLatch held = parksHeld;
        if (held == null) {
            return;
        }
        parksWaiting.incrementAndGet();
        try {
            held.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("park write interrupted (test)", e);
        } finally {
            parksWaiting.decrementAndGet();
        }
    }

    private void fail() {
        calls.incrementAndGet();
        if (failing) {
            throw new IllegalStateException("parked events unavailable (test)");
        }
    }
}
