package io.pgobserver.application;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.port.ChangeHistory;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Runs a stretch of the change stream again for one observer ({@code pg-observer replay}), through the same
 * per-event processing as the live stream ({@link ProcessEvent#replaying}): the observer's current condition and
 * actions, retries and dead letters, one linked trace per event. Events run one at a time in change_log id order,
 * which for each row is the order its writers committed. Nothing of the live stream is touched: no checkpoint, no
 * delivery record, no other observer, no lock; so it is safe beside {@code run}.
 */
public final class ReplayHistory {

    private static final int PAGE = 500;

    private final ChangeHistory history;
    private final ProcessEvent processEvent;

    public ReplayHistory(ChangeHistory history, ProcessEvent processEvent) {
        this.history = Objects.requireNonNull(history, "history");
        this.processEvent = Objects.requireNonNull(processEvent, "processEvent");
    }

    /** What a replay did: events of the observer's table in the stretch, and those the observer watched. */
    public record Summary(long read, long replayed) {
    }

    /** A replay that cannot be run as asked; the message says why and what to do instead. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    /**
     * Replays the stretch for the observer.
     *
     * @throws Refused              when no observer has that name, or retention already removed part of the stretch
     * @throws InterruptedException when interrupted; the events replayed so far stay replayed
     */
    public Summary replay(String observerName, ChangeHistory.Stretch stretch) throws Refused, InterruptedException {
        Observer observer = find(observerName);
        Optional<String> removed = history.removedPart(stretch);
        if (removed.isPresent()) {
            throw new Refused("cannot replay " + stretch + ": " + removed.get());
        }
        ProcessEvent replaying = processEvent.replaying(observer);
        long read = 0;
        long replayed = 0;
        long after = 0;
        for (List<ChangeEvent> page = history.read(stretch, observer.entity(), after, PAGE); !page.isEmpty();
             page = history.read(stretch, observer.entity(), after, PAGE)) {
            for (ChangeEvent event : page) {
                read++;
                if (observer.watches(event)) {
                    replaying.process(event, EventCompletion.NONE);
                    replayed++;
                }
                after = event.position().offset();
            }
        }
        return new Summary(read, replayed);
    }

    private Observer find(String name) throws Refused {
        List<Observer> observers = processEvent.observers();
        return observers.stream().filter(o -> o.name().equals(name)).findFirst()
                .orElseThrow(() -> new Refused("no observer named '" + name + "' in this configuration (observers: "
                        + observers.stream().map(Observer::name).collect(Collectors.joining(", ")) + ")"));
    }
}
