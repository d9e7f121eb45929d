package io.pgobserver.adapters.console;

import io.pgobserver.domain.observer.Observer;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Per observer and action: deliveries, retries, failed attempts and dead letters since this process started,
 * latency percentiles over {@code console.window}, the last error and its time, and the letters in the queue (from
 * {@link StatusReads}, as the overview's).
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

    Html.Page render() {
        long since = System.currentTimeMillis() - settings.window().toMillis();
        // The letters in the queue come from the overview's reads: at most about a second old, and while the
        // database does not answer, the last counts it gave, without waiting for it on every load.
        Optional<StatusReads.Read> read = reads.read();
        Map<String, Long> queued = read.map(StatusReads.Read::lettersByObserver).orElse(Map.of());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Observer observer : observers) {
            for (int i = 0; i < observer.actions().size(); i++) {
                ActionStats.Snapshot s = recorder.action(observer.name(), i, since);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("observer", observer.name());
                row.put("first", i == 0);
                row.put("span", observer.actions().size());
                row.put("queued", read.isEmpty() ? "—" : Format.count(queued.getOrDefault(observer.name(), 0L)));
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
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rows", rows);
        m.put("window", settings.window().toMinutes() > 0 ? settings.window().toMinutes() + " min"
                : settings.window().toSeconds() + " s");
        m.put("dbError", reads.failure());
        m.put("readAt", read.map(StatusReads.Read::takenAt).orElse(null));
        return new Html.Page("Observers and actions", "observers", "", html.render("observers", m), true);
    }
}
