package io.pgobserver.domain.testing;

import io.pgobserver.domain.port.DeadLetter;
import io.pgobserver.domain.port.DeadLetters;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/** The in-memory fake of {@link DeadLetters}. */
public final class InMemoryDeadLetters implements DeadLetters {

    private final Map<Long, DeadLetter> letters = new TreeMap<>();
    private final AtomicLong ids = new AtomicLong();

    @Override
    public synchronized long add(DeadLetter letter) {
        long id = ids.incrementAndGet();
        letters.put(id, letter.withId(id));
        return id;
    }

    @Override
    public synchronized List<DeadLetter> list(int limit) {
        return letters.values().stream().limit(limit).toList();
    }

    @Override
    public synchronized Optional<DeadLetter> find(long id) {
        return Optional.ofNullable(letters.get(id));
    }

    @Override
    public synchronized boolean remove(long id) {
        return letters.remove(id) != null;
    }

    @Override
    public synchronized Map<String, Long> countByObserver() {
        return letters.values().stream().collect(Collectors.groupingBy(DeadLetter::observer, TreeMap::new,
                Collectors.counting()));
    }
}
