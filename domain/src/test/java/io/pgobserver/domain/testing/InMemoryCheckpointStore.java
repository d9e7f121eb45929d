package io.pgobserver.domain.testing;

import io.pgobserver.domain.event.Position;
import io.pgobserver.domain.port.CheckpointStore;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The in-memory fake of {@link CheckpointStore}. */
public final class InMemoryCheckpointStore implements CheckpointStore {

    private final ConcurrentMap<String, Position> positions = new ConcurrentHashMap<>();
    private final AtomicInteger saves = new AtomicInteger();

    @Override
    public Optional<Position> load(String consumer) {
        return Optional.ofNullable(positions.get(consumer));
    }

    @Override
    public void save(String consumer, Position position) {
        saves.incrementAndGet();
        positions.merge(consumer, position, (old, neu) -> neu.isAfter(old) ? neu : old);
    }

    public int saveCount() {
        return saves.get();
    }
}
