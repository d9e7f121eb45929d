package io.pgobserver.adapters.console;

import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.port.DeadLetter;
import io.pgobserver.domain.port.DeadLetters;
import io.pgobserver.domain.port.EventBody;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The consumer's dead letters, through the same port as {@code dlq list}: a filtered, paged list with check boxes
 * for replaying or discarding several, and one letter with its payload, error and attempts. The list pages through
 * the oldest {@value #SCANNED} letters; {@code dlq list --after} pages past them. While the database does not
 * answer, the list says so with the last count of letters the console has ({@link StatusReads}), and one letter
 * cannot be shown ({@link StatusReads.Unanswered}).
 */
@Singleton
final class DeadLettersPage {

    static final int PAGE = 50;
    static final int SCANNED = 10_000;

    private final String consumer;
    private final List<Observer> observers;
    private final DeadLetters deadLetters;
    private final StatusReads reads;
    private final ConsoleSettings settings;
    private final Html html;

    @Inject
    DeadLettersPage(ListenerSettings listener, List<Observer> observers, DeadLetters deadLetters, StatusReads reads,
                    ConsoleSettings settings, Html html) {
        this.consumer = listener.consumer();
        this.observers = observers;
        this.deadLetters = deadLetters;
        this.reads = reads;
        this.settings = settings;
        this.html = html;
    }

    /** The list, with what the last write did when {@code notice} is not null. */
    Html.Page list(Form query, Notices.Notice notice) {
        String observer = query.get("observer");
        String entity = query.get("entity");
        long page = query.number("page", 0);
        List<DeadLetter> stored;
        String dbError = null;
        try {
            stored = reads.ask("the dead letters", () -> deadLetters.list(consumer, SCANNED));
        } catch (StatusReads.Unanswered e) {
            stored = List.of();
            dbError = e.getMessage();
        }
        List<DeadLetter> matching = stored.stream()
                .filter(l -> observer.isEmpty() || l.observer().equals(observer))
                .filter(l -> entity.isEmpty()
                        || (l.event().entityType() + "/" + l.event().entityId()).contains(entity))
                .toList();
        long pages = Math.max(1, (matching.size() + PAGE - 1) / PAGE);
        page = Math.min(page, pages - 1);
        List<Map<String, Object>> rows = matching.stream().skip(page * PAGE).limit(PAGE).map(this::row).toList();
        String filter = "observer=" + Form.encode(observer) + "&entity=" + Form.encode(entity);

        Map<String, Object> controls = new LinkedHashMap<>();
        controls.put("observers", observers.stream().map(o -> Map.of("name", o.name(),
                "selected", o.name().equals(observer))).toList());
        controls.put("entity", entity);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rows", rows);
        m.put("total", Format.count(matching.size()));
        m.put("pageNumber", page + 1);
        m.put("pages", pages);
        m.put("previous", page > 0 ? "/console/dead-letters?" + filter + "&page=" + (page - 1) : null);
        m.put("next", page + 1 < pages ? "/console/dead-letters?" + filter + "&page=" + (page + 1) : null);
        m.put("writable", settings.writable());
        m.put("notice", notice == null ? null : notice.text());
        m.put("failed", notice != null && notice.failed());
        m.put("dbError", dbError);
        Optional<StatusReads.Read> known = dbError == null ? Optional.empty() : reads.read();
        m.put("readAt", known.map(StatusReads.Read::takenAt).orElse(null));
        m.put("known", known.map(r -> Format.count(observer.isEmpty() ? r.deadLetters()
                : r.lettersByObserver().getOrDefault(observer, 0L))).orElse(null));
        m.put("knownObserver", observer.isEmpty() ? null : observer);
        return new Html.Page("Dead letters", "dead-letters", html.render("dead-letters-filter", controls),
                html.render("dead-letters", m), false);
    }

    /**
     * One letter, or empty when the consumer has none with that id.
     *
     * @throws StatusReads.Unanswered when the database did not answer
     */
    Optional<Html.Page> letter(long id) {
        return reads.ask("dead letter " + id, () -> deadLetters.find(consumer, id)).map(letter -> {
            Map<String, Object> m = row(letter);
            m.put("error", letter.error());
            m.put("eventId", letter.event().id());
            m.put("occurredAt", Format.time(letter.event().occurredAt()));
            m.put("before", letter.event().before().isEmpty() ? null : EventBody.text(letter.event().before()));
            m.put("after", letter.event().after().isEmpty() ? null : EventBody.text(letter.event().after()));
            String traceId = letter.event().traceContext().isValid() ? letter.event().traceContext().traceId() : null;
            m.put("traceId", traceId);
            m.put("traceLink", settings.traceLink(traceId));
            m.put("writable", settings.writable());
            return new Html.Page("Dead letter " + id, "dead-letters", "", html.render("letter", m), false);
        });
    }

    private Map<String, Object> row(DeadLetter l) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", l.id());
        row.put("observer", l.observer());
        row.put("action", l.actionIndex() < 0 ? l.actionType() : l.actionType() + " #" + l.actionIndex());
        row.put("attempts", l.attempts());
        row.put("failedAt", Format.time(l.failedAt()));
        row.put("entity", l.event().entityType() + "/" + l.event().entityId());
        row.put("kind", l.event().kind().wireName());
        row.put("errorLine", l.error().replaceAll("\\s*\\R\\s*", " ").strip());
        return row;
    }
}
