package io.pgobserver.adapters.console;

import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.port.CheckpointWords;
import io.pgobserver.domain.port.Leadership;
import io.pgobserver.domain.port.OpenTransaction;
import io.pgobserver.domain.spi.PipelineStatus;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The overview: readiness, the leader and its standbys, the position, the backlog, the transaction holding events
 * back, observed tables that are not captured, the events/s chart, dead letters and parked entities. It reads what
 * {@code status} reads, through the same ports (checkpoint, lag, open transactions, dead letters per observer, parked
 * entities, leadership), plus the running pipeline's own readiness and {@code run}'s latest capture check.
 */
@Singleton
final class OverviewPage {

    private final String consumer;
    private final StatusReads reads;
    private final PipelineStatus pipeline;
    private final Recorder recorder;
    private final Html html;

    @Inject
    OverviewPage(ListenerSettings listener, StatusReads reads, PipelineStatus pipeline, Recorder recorder, Html html) {
        this.consumer = listener.consumer();
        this.reads = reads;
        this.pipeline = pipeline;
        this.recorder = recorder;
        this.html = html;
    }

    Html.Page render() {
        Map<String, Object> m = new LinkedHashMap<>();
        String problem = pipeline.problem();
        m.put("ready", problem == null);
        m.put("problem", problem);
        m.put("role", pipeline.role());
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
        m.put("parkedEntities", "—");
        m.put("parkedMore", null);
        m.put("readAt", null);
        m.put("openTransaction", null);
        m.put("capture", null);
        // The page shows what this process knows; the database's answer, or why it gave none, comes with it.
        reads.read().ifPresent(read -> stored(m, read));
        m.put("dbError", reads.failure());
        chart(m, System.currentTimeMillis());
        return new Html.Page("Overview", "overview", "", html.render("overview", m), true);
    }

    /** What the database says: the same reads as {@code status}. */
    private void stored(Map<String, Object> m, StatusReads.Read read) {
        m.put("readAt", read.takenAt());
        read.saved().ifPresent(s -> {
            // In status's words: "dispatched to 7/1044" meant nothing to whoever opens the console at 3 a.m.
            m.put("position", Map.of("words", CheckpointWords.of(s.checkpoint(), s.dispatched())));
            if (read.led()) {
                String process = s.claimedBy() != null ? s.claimedBy() : read.members().stream()
                        .filter(Leadership.Member::holder).map(Leadership.Member::process).findFirst()
                        .orElse("a process");
                m.put("leader", Map.of("process", process, "epoch", s.epoch(), "since", Format.time(s.claimedAt())));
            }
        });
        m.put("members", read.members().stream().map(member -> Map.of("process", member.process(), "holder",
                member.holder(), "since", Format.time(member.connectedAt()))).toList());
        m.put("backlog", Format.count(read.lag().events()));
        m.put("behind", read.lag().events() > 0);
        m.put("backlogAge", Format.age(read.lag().age()));
        // Named as status names it: once open 10 s (a younger one is everyday traffic), or when its age is hidden.
        read.openTransaction().filter(OpenTransaction::worthSaying).ifPresent(open -> {
            Map<String, Object> shown = new LinkedHashMap<>();
            shown.put("kind", open.kind());
            shown.put("who", open.describe(null));
            shown.put("query", open.query());
            shown.put("howToEnd", open.howToEnd());
            m.put("openTransaction", shown);
        });
        // Said as status says it, with each table's fix: the first thing to rule out when events go missing.
        if (!read.capture().problems().isEmpty()) {
            m.put("capture", Map.of("summary", read.capture().summary(), "advice", read.capture().advice()));
        }
        m.put("deadLetters", Format.count(read.deadLetters()));
        m.put("letters", read.deadLetters() > 0);
        m.put("parkedTotal", Format.count(read.parked().events()));
        m.put("parkedEntities", Format.count(read.parked().entities()));
        m.put("parkedMore", read.parked().entities() > read.parked().oldest().size()
                ? Format.count(read.parked().entities() - read.parked().oldest().size()) : null);
        m.put("parked", read.parked().oldest().entrySet().stream().map(e -> Map.of("entity",
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
