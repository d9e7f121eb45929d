package io.pgobserver.adapters.console;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.port.EventOutcomes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the console keeps in memory of the events this process finished: the recent-events ring (without the
 * events' row images), the events/s chart and each observer's action figures. Called on the events' own threads; each part takes its own short
 * lock, so recording costs a few hundred nanoseconds and never waits on a page being rendered for long.
 */
@Singleton
final class Recorder implements EventOutcomes {

    private final boolean enabled;
    private final RecentEvents recent;
    private final Throughput throughput = new Throughput();
    private final Map<ActionKey, ActionStats> actions = new ConcurrentHashMap<>();

    /** One action of one observer. */
    record ActionKey(String observer, int index) {
    }

    @Inject
    Recorder(ConsoleSettings settings) {
        this.enabled = settings.enabled();
        this.recent = new RecentEvents(settings.recentEvents());
    }

    @Override
    public void finished(EventOutcome outcome) {
        if (!enabled) {
            return;
        }
        recent.add(withoutImages(outcome));
        throughput.count(outcome.finishedAtMillis());
        for (ActionOutcome action : outcome.actions()) {
            actions.computeIfAbsent(new ActionKey(action.observer(), action.actionIndex()), k -> new ActionStats())
                    .record(action, outcome.finishedAtMillis());
        }
    }

    /**
     * The outcome as the ring keeps it: its event without its row images, which no page shows and which may be
     * hundreds of KB each (a ring of 500 such events would hold more than a small heap).
     */
    static EventOutcome withoutImages(EventOutcome outcome) {
        ChangeEvent e = outcome.event();
        if (e.before().isEmpty() && e.after().isEmpty()) {
            return outcome;
        }
        ChangeEvent bare = new ChangeEvent(e.id(), e.position(), e.entityType(), e.entityId(), e.kind(), null, null,
                e.occurredAt(), e.traceContext(), e.backfill());
        return new EventOutcome(bare, outcome.outcome(), outcome.traceId(), outcome.durationNanos(),
                outcome.finishedAtMillis(), outcome.actions());
    }

    RecentEvents recent() {
        return recent;
    }

    Throughput throughput() {
        return throughput;
    }

    /** The figures of one action; empty figures when it never ran. */
    ActionStats.Snapshot action(String observer, int index, long sinceMillis) {
        ActionStats stats = actions.get(new ActionKey(observer, index));
        return (stats == null ? new ActionStats() : stats).snapshot(sinceMillis);
    }
}
