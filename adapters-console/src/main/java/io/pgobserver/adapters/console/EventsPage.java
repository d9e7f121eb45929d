package io.pgobserver.adapters.console;

import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.port.EventOutcomes.ActionOutcome;
import io.pgobserver.domain.port.EventOutcomes.EventOutcome;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The last events this process finished (the in-memory ring), newest first, filtered by observer, entity and
 * outcome; each with what its actions did and a link to its trace.
 */
@Singleton
final class EventsPage {

    static final int SHOWN = 100;
    private static final List<String> OUTCOMES = List.of("matched", "unmatched", "failed");

    private final List<Observer> observers;
    private final Recorder recorder;
    private final ConsoleSettings settings;
    private final Html html;

    @Inject
    EventsPage(List<Observer> observers, Recorder recorder, ConsoleSettings settings, Html html) {
        this.observers = observers;
        this.recorder = recorder;
        this.settings = settings;
        this.html = html;
    }

    Html.Page render(Form query) {
        String observer = query.get("observer");
        String entity = query.get("entity");
        String outcome = query.get("outcome").toLowerCase(Locale.ROOT);
        Predicate<EventOutcome> filter = e -> (observer.isEmpty()
                || e.actions().stream().anyMatch(a -> a.observer().equals(observer)))
                && (entity.isEmpty() || (e.event().entityType() + "/" + e.event().entityId()).contains(entity))
                && (outcome.isEmpty() || e.outcome().equals(outcome));
        List<Map<String, Object>> rows = recorder.recent().newest(filter, SHOWN).stream().map(this::row).toList();

        Map<String, Object> controls = new LinkedHashMap<>();
        controls.put("observers", observers.stream().map(o -> Map.of("name", o.name(),
                "selected", o.name().equals(observer))).toList());
        controls.put("entity", entity);
        controls.put("outcomes", OUTCOMES.stream().map(o -> Map.of("name", o, "selected", o.equals(outcome)))
                .toList());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rows", rows);
        m.put("shown", SHOWN);
        m.put("capacity", Format.count(recorder.recent().capacity()));
        m.put("traceLinks", settings.traceUrl() != null);
        return new Html.Page("Recent events", "events", html.render("events-filter", controls),
                html.render("events", m), true);
    }

    private Map<String, Object> row(EventOutcome e) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("time", Format.clock(e.finishedAtMillis()));
        row.put("entity", e.event().entityType() + "/" + e.event().entityId());
        row.put("kind", e.event().kind().wireName());
        row.put("offset", e.event().position().offset());
        row.put("outcome", e.outcome());
        row.put("actions", e.actions().stream().map(EventsPage::action).toList());
        row.put("duration", Format.millis(e.durationNanos()));
        row.put("traceId", e.traceId());
        row.put("traceLink", settings.traceLink(e.traceId()));
        return row;
    }

    private static Map<String, Object> action(ActionOutcome a) {
        return Map.of("observer", a.observer(), "type", a.actionType(), "index", a.actionIndex(),
                "result", a.delivered() ? "delivered" : "dead-lettered", "ok", a.delivered(),
                "attempts", a.attempts(), "duration", Format.millis(a.durationNanos()));
    }
}
