package io.pgobserver.domain.testing;

import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.DeadLetter;
import io.pgobserver.domain.port.DeadLetters;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/** The in-memory fake of {@link DeadLetters}; a letter settles its delivery in the paired {@link InMemoryDeliveries}. */
public final class InMemoryDeadLetters implements DeadLetters {

    private final Map<Long, DeadLetter> letters = new TreeMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final InMemoryDeliveries deliveries;
    private final AtomicInteger failuresLeft = new AtomicInteger();
    /** The claimed letters' ids, with when each was claimed. */
    private final Map<Long, Instant> claims = new HashMap<>();

    public InMemoryDeadLetters(InMemoryDeliveries deliveries) {
        this.deliveries = deliveries;
    }

    public InMemoryDeadLetters() {
        this(new InMemoryDeliveries());
    }

    /** The next {@code count} adds fail, as an unavailable table would. */
    public void failNext(int count) {
        failuresLeft.set(count);
    }

    @Override
    public synchronized long add(CheckpointStore.Fence fence, DeadLetter letter) throws CheckpointStore.FencedException {
        if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new IllegalStateException("dead-letter store unavailable (test)");
        }
        deliveries.checkFence(fence);
        long id = ids.incrementAndGet();
        letters.put(id, letter.withId(id));
        deliveries.record(fence, letter.event().position().offset(), List.of(letter.deliveryKey().id()));
        return id;
    }

    @Override
    public synchronized List<DeadLetter> list(String consumer, long after, int limit) {
        return letters.values().stream().filter(l -> l.consumer().equals(consumer) && l.id() > after).limit(limit)
                .toList();
    }

    @Override
    public synchronized long lastId(String consumer) {
        return letters.values().stream().filter(l -> l.consumer().equals(consumer)).mapToLong(DeadLetter::id).max()
                .orElse(0);
    }

    @Override
    public synchronized Optional<DeadLetter> find(String consumer, long id) {
        return Optional.ofNullable(letters.get(id)).filter(l -> l.consumer().equals(consumer));
    }

    @Override
    public synchronized boolean remove(long id) {
        return letters.remove(id) != null;
    }

    @Override
    public synchronized Map<String, Long> countByObserver(String consumer) {
        return letters.values().stream().filter(l -> l.consumer().equals(consumer))
                .collect(Collectors.groupingBy(DeadLetter::observer, TreeMap::new, Collectors.counting()));
    }

    @Override
    public synchronized Optional<Claim> claim(long id) {
        if (claims.putIfAbsent(id, Instant.now()) != null) {
            return Optional.empty();
        }
        Claim claim = () -> {
            synchronized (this) {
                claims.remove(id);
            }
        };
        return Optional.of(claim);
    }

    @Override
    public synchronized Optional<ClaimHolder> claimHolder(long id) {
        return Optional.ofNullable(claims.get(id)).map(since -> new ClaimHolder("this process", since));
    }

    public synchronized List<DeadLetter> all() {
        return List.copyOf(letters.values());
    }
}
