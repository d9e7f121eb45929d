package io.pgobserver.adapters.console;

import io.pgobserver.domain.observer.Observer;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Per observer and action: deliveries, retries, failed attempts and dead letters since this process started,
 * latency percentiles over {@code console.window}, the last error and its time, and the letters in the queue (from
 * {@link StatusReads}, as the overview's). With a hundred observers the page is read to find the troubled ones: those
 * with failed attempts, retries or dead letters come first, then the rest, each in configuration order; a GET form
 * narrows them by observer or table name, or to those with problems only.
 */
@Singleton
final class ObserversPage {

    private final List<Observer> observers;
    private final StatusReads reads;
    private final Recorder recorder;
    private final ConsoleSettings settings;
    private final Html html;

    @Inject
    ObserversPage(List<Observer> observers, StatusReads reads, Recorder recorder, ConsoleSettings settings,
                  Html html) {
        this.observers = observers;
        this.reads = reads;
        this.recorder = recorder;
        this.settings = settings;
        this.html = html;
    }

    /** One observer's actions' figures, and whether any of them, or its queue, shows trouble. */
    private record Shown(Observer observer, List<ActionStats.Snapshot> actions, long queued) {

        boolean troubled() {
            return queued > 0 || actions.stream().anyMatch(s -> s.failed() > 0 || s.retried() > 0
                    || s.deadLettered() > 0);
        }

        boolean named(String text) {
            String t = text.toLowerCase(Locale.ROOT);
            return observer.name().toLowerCase(Locale.ROOT).contains(t)
                    || observer.entity().toLowerCase(Locale.ROOT).contains(t);
        }
    }

    Html.Page render(Form query) {
        String name = query.get("name").strip();
        boolean problemsOnly = !query.get("problems").isEmpty();
        long since = System.currentTimeMillis() - settings.window().toMillis();
        // The letters in the queue come from the overview's reads: at most about a second old, and while the
        // database does not answer, the last counts it gave, without waiting for it on every load.
        Optional<StatusReads.Read> read = reads.read();
        Map<String, Long> queued = read.map(StatusReads.Read::lettersByObserver).orElse(Map.of());
        List<Shown> all = new ArrayList<>();
        for (Observer observer : observers) {
            List<ActionStats.Snapshot> actions = new ArrayList<>();
            for (int i = 0; i < observer.actions().size(); i++) {
                actions.add(recorder.action(observer.name(), i, since));
            }
            all.add(new Shown(observer, actions, queued.getOrDefault(observer.name(), 0L)));
        }
        long troubled = all.stream().filter(Shown::troubled).count();
        // Troubled first, each group in the configuration's order (the sort is stable). Not the latest error on top:
        // the page refreshes every 2 s, and two receivers failing in turn swapped places at each refresh under the
        // operator's eyes. A row moves only when its observer first shows trouble; the last error's time is shown.
        List<Shown> shown = all.stream().filter(s -> name.isEmpty() || s.named(name))
                .filter(s -> !problemsOnly || s.troubled())
                .sorted(Comparator.comparing((Shown s) -> !s.troubled()))
                .toList();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Shown s : shown) {
            rows.addAll(rows(s, read.isEmpty()));
        }
        Map<String, Object> controls = new LinkedHashMap<>();
        controls.put("name", name);
        controls.put("problems", problemsOnly);
        // No count here: the form is outside the region the live refresh replaces, and a count would stay as it was
        // at load while the table's own "N with failed attempts" moved on.
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rows", rows);
        m.put("count", shown.size() == all.size() ? Integer.toString(all.size())
                : shown.size() + " of " + all.size());
        m.put("troubled", troubled);
        m.put("filtered", !rows.isEmpty() || all.isEmpty() ? null : "no observer matches this filter");
        m.put("window", settings.window().toMinutes() > 0 ? settings.window().toMinutes() + " min"
                : settings.window().toSeconds() + " s");
        m.put("dbError", reads.failure());
        m.put("readAt", read.map(StatusReads.Read::takenAt).orElse(null));
        return new Html.Page("Observers and actions", "observers", html.render("observers-filter", controls),
                html.render("observers", m), true);
    }

    private static List<Map<String, Object>> rows(Shown shown, boolean queueUnknown) {
        Observer observer = shown.observer();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < shown.actions().size(); i++) {
            ActionStats.Snapshot s = shown.actions().get(i);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("observer", observer.name());
            row.put("entity", observer.entity());
            row.put("troubled", shown.troubled());
            row.put("first", i == 0);
            row.put("span", shown.actions().size());
            row.put("queued", queueUnknown ? "—" : Format.count(shown.queued()));
            row.put("action", "#" + i + " " + observer.actions().get(i).describe());
            row.put("delivered", Format.count(s.delivered()));
            row.put("retried", Format.count(s.retried()));
            row.put("failed", Format.count(s.failed()));
            row.put("failing", s.failed() > 0);
            row.put("deadLettered", Format.count(s.deadLettered()));
            row.put("p50", Format.millis(s.p50()));
            row.put("p95", Format.millis(s.p95()));
            row.put("p99", Format.millis(s.p99()));
            row.put("lastError", s.lastError());
            row.put("lastErrorAt", s.lastError() == null ? "" : Format.time(Instant.ofEpochMilli(s.lastErrorAt())));
            rows.add(row);
        }
        return rows;
    }
}
