package io.pgobserver.domain.testing;

import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.Deliveries;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The in-memory fake of {@link Deliveries}. */
public final class InMemoryDeliveries implements Deliveries {

    private final Set<String> settled = ConcurrentHashMap.newKeySet();
    private final AtomicInteger lookups = new AtomicInteger();
    private volatile boolean failing;
    private final InMemoryCheckpointStore fences;

    /** Unfenced: writes under any fence go through. */
    public InMemoryDeliveries() {
        this(null);
    }

    /** Fenced by the fake checkpoint store's epochs, as the real store is by the checkpoints table. */
    public InMemoryDeliveries(InMemoryCheckpointStore fences) {
        this.fences = fences;
    }

    @Override
    public Set<String> settled(Collection<String> deliveryIds) {
        fail();
        lookups.incrementAndGet();
        Set<String> found = new HashSet<>();
        for (String id : deliveryIds) {
            if (settled.contains(id)) {
                found.add(id);
            }
        }
        return found;
    }

    @Override
    public synchronized void record(CheckpointStore.Fence fence, long offset, Collection<String> deliveryIds)
            throws CheckpointStore.FencedException {
        fail();
        checkFence(fence);
        settled.addAll(deliveryIds);
    }

    /** Throws as a fenced write would when {@code fence} is no longer its consumer's claim. */
    void checkFence(CheckpointStore.Fence fence) throws CheckpointStore.FencedException {
        if (fence != null && fences != null) {
            fences.checkFence(fence);
        }
    }

    /** While true, every call fails as an unreachable database would. */
    public void setFailing(boolean failing) {
        this.failing = failing;
    }

    /** How many {@link #settled} look-ups were made. */
    public int lookups() {
        return lookups.get();
    }

    public boolean isSettled(String deliveryId) {
        return settled.contains(deliveryId);
    }

    private void fail() {
        if (failing) {
            throw new IllegalStateException("delivery log unavailable (test)");
        }
    }
}
