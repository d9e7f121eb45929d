package io.pgobserver.application;

import io.pgobserver.domain.config.Spelling;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.observer.Observer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The configured observers by the table they watch, each table's in the file's order. An event's candidates are its
 * table's observers alone: every event used to be checked against every observer of the file, twice (its lane, then
 * its conditions), so a hundred observers over fifty tables cost each event two hundred checks where four do.
 */
final class ObserversByEntity {

    private static final int NAMED_IN_FULL = 10;
    private static final int NEAREST = 5;

    private final List<Observer> all;
    private final Map<String, List<Observer>> byEntity;

    ObserversByEntity(List<Observer> observers) {
        this.all = List.copyOf(observers);
        Map<String, List<Observer>> grouped = new HashMap<>();
        for (Observer observer : observers) {
            grouped.computeIfAbsent(observer.entity(), entity -> new ArrayList<>()).add(observer);
        }
        grouped.replaceAll((entity, those) -> List.copyOf(those));
        this.byEntity = Map.copyOf(grouped);
    }

    /** Every observer, in the file's order. */
    List<Observer> all() {
        return all;
    }

    /**
     * The observers to name when {@code name} is none of them: every one of a short file ({@code observers: a, b}),
     * else the few spelt most like it, since a list of a hundred names hid the one meant.
     */
    String nearest(String name) {
        Stream<String> names = all.stream().map(Observer::name);
        if (all.size() <= NAMED_IN_FULL) {
            return "observers: " + names.collect(Collectors.joining(", "));
        }
        return "the nearest of its " + all.size() + " observers: " + names
                .sorted(Comparator.comparingInt(other -> Spelling.edits(name, other))).limit(NEAREST)
                .collect(Collectors.joining(", ")) + "; 'pg-observer check-config' lists them all";
    }

    /** The observers of the event's table, in the file's order; whether each watches the event is still to ask. */
    List<Observer> of(ChangeEvent event) {
        return byEntity.getOrDefault(event.entityType(), List.of());
    }
}
