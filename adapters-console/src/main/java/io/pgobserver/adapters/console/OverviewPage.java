package io.pgobserver.adapters.console;

import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.port.ChangeSource;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.DeadLetters;
import io.pgobserver.domain.port.Leadership;
import io.pgobserver.domain.port.ParkedEvents;
import io.pgobserver.domain.spi.PipelineStatus;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The overview: readiness, the leader and its standbys, the position, the backlog, the events/s chart, dead letters
 * and parked entities. It reads what {@code status} reads, through the same ports (checkpoint, lag, dead letters per
 * observer, parked entities, leadership), plus the running pipeline's own readiness.
 */
@Singleton
final class OverviewPage {

    private final String consumer;
    private final CheckpointStore checkpoints;
    private final ChangeSource source;
    private final DeadLetters deadLetters;
    private final ParkedEvents parked;
    private final Leadership leadership;
    private final PipelineStatus pipeline;
    private final Recorder recorder;
    private final Html html;

    @Inject
    OverviewPage(ListenerSettings listener, CheckpointStore checkpoints, ChangeSource source, DeadLetters deadLetters,
                 ParkedEvents parked, Leadership leadership, PipelineStatus pipeline, Recorder recorder, Html html) {
        this.consumer = listener.consumer();
        this.checkpoints = checkpoints;
        this.source = source;
        this.deadLetters = deadLetters;
        this.parked = parked;
        this.leadership = leadership;
        this.pipeline = pipeline;
        this.recorder = recorder;
        this.html = html;
    }

    Html.Page render() {
        Map<String, Object> m = new LinkedHashMap<>();
        String problem = pipeline.problem();
        m.put("ready", problem == null);
        m.put("problem", problem);
        m.put("role", pipeline.isActive() ? "active" : "standby");
        m.put("processed", Format.count(pipeline.processedCount()));
        m.put("consumer", consumer);
        m.put("leader", null);
        m.put("position", null);
        m.put("backlog", "—");
        m.put("behind", false);
        m.put("deadLetters", "—");
        m.put("letters", false);
        m.put("members", List.of());
        m.put("parked", List.of());
        m.put("parkedTotal", "—");
        m.put("dbError", null);
        try {
            stored(m);
        } catch (RuntimeException | ChangeSource.ChangeSourceException e) {
            // The page still shows what this process knows; the database's answer comes back with it.
            m.put("dbError", e.getMessage());
        }
        chart(m, System.currentTimeMillis());
        return new Html.Page("Overview", "overview", "", html.render("overview", m), true);
    }

    /** What the database says: the same reads as {@code status}. */
    private void stored(Map<String, Object> m) throws ChangeSource.ChangeSourceException {
        Optional<CheckpointStore.Saved> saved = checkpoints.load(consumer);
        List<Leadership.Member> members = leadership.members();
        boolean led = members.stream().anyMatch(Leadership.Member::holder) || leadership.isHeldByAnyone();
        saved.ifPresent(s -> {
            m.put("position", Map.of("batch", s.checkpoint().batch(), "afterId", s.checkpoint().afterId(),
                    "dispatchedBatch", s.dispatched().batch(), "dispatchedId", s.dispatched().id()));
            if (led) {
                String process = s.claimedBy() != null ? s.claimedBy() : members.stream()
                        .filter(Leadership.Member::holder).map(Leadership.Member::process).findFirst()
                        .orElse("a process");
                m.put("leader", Map.of("process", process, "epoch", s.epoch(), "since", Format.time(s.claimedAt())));
            }
        });
        m.put("members", members.stream().map(member -> Map.of("process", member.process(), "holder",
                member.holder(), "since", Format.time(member.connectedAt()))).toList());
        ChangeSource.Lag lag = source.lag(saved.map(CheckpointStore.Saved::done).orElse(Snapshot.ORIGIN));
        m.put("backlog", Format.count(lag.events()));
        m.put("behind", lag.events() > 0);
        m.put("backlogAge", Format.age(lag.age()));
        long letters = deadLetters.countByObserver(consumer).values().stream().mapToLong(Long::longValue).sum();
        m.put("deadLetters", Format.count(letters));
        m.put("letters", letters > 0);
        Map<String, Long> entities = parked.entities(consumer);
        m.put("parkedTotal", Format.count(entities.values().stream().mapToLong(Long::longValue).sum()));
        m.put("parked", entities.entrySet().stream().limit(50).map(e -> Map.of("entity",
                e.getKey().replace('\u0000', ' '), "count", Format.count(e.getValue()))).toList());
    }

    /** The events/s chart as SVG coordinates: numbers only, drawn by the browser, readable without JavaScript. */
    private void chart(Map<String, Object> m, long now) {
        long[] perSecond = recorder.throughput().perSecond(now);
        long max = 1;
        long last10 = 0;
        for (int i = 0; i < perSecond.length; i++) {
            max = Math.max(max, perSecond[i]);
            if (i >= perSecond.length - 10) {
                last10 += perSecond[i];
            }
        }
        StringBuilder points = new StringBuilder();
        double step = 600.0 / (perSecond.length - 1);
        for (int i = 0; i < perSecond.length; i++) {
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", i * step, 130 - perSecond[i] * 120.0 / max));
        }
        String line = points.toString().trim();
        m.put("chartPoints", line);
        m.put("chartArea", "M0,130 L" + line.replace(" ", " L") + " L600,130 Z");
        m.put("chartMax", Format.count(max) + " events/s");
        m.put("rate", String.format(Locale.ROOT, "%.1f", last10 / 10.0));
        m.put("now", Format.time(Instant.ofEpochMilli(now)));
    }
}
