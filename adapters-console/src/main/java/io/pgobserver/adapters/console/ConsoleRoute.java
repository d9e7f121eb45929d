package io.pgobserver.adapters.console;

import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.port.DeadLetters;
import io.pgobserver.domain.spi.AdminRoute;
import io.pgobserver.domain.spi.BindRefusals;
import io.pgobserver.domain.spi.DeadLetterReplay;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /console} on the admin port: reads for everyone who reaches it (on {@code console.bind}), writes through
 * {@link WriteGuard}. A request with {@code X-Console-Live: 1} gets the page's content alone, which the script
 * swaps in while the tab is visible; without JavaScript every page is whole and current on reload.
 */
@Singleton
final class ConsoleRoute implements AdminRoute {

    static final String PREFIX = "/console";
    private static final int MAX_IDS = 500;
    private static final String HTML = "text/html; charset=utf-8";
    // No inline script or style anywhere; forms post only to the console; no framing.
    private static final List<Map.Entry<String, String>> PAGE_HEADERS = List.of(
            Map.entry("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "
                    + "img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                    + "base-uri 'none'"),
            Map.entry("X-Content-Type-Options", "nosniff"),
            // same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" even on its own forms.
            Map.entry("Referrer-Policy", "same-origin"),
            Map.entry("Cache-Control", "no-store"),
            Map.entry("Vary", "X-Console-Live"));

    private final ConsoleSettings settings;
    private final String consumer;
    private final Html html;
    private final Assets assets;
    private final OverviewPage overview;
    private final ObserversPage observers;
    private final EventsPage events;
    private final DeadLettersPage letters;
    private final DeadLetters deadLetters;
    private final DeadLetterReplay replay;
    private final StatusReads reads;
    private final WriteGuard guard;
    private final Notices notices = new Notices();

    @Inject
    ConsoleRoute(ConsoleSettings settings, ListenerSettings listener, Html html, Assets assets, OverviewPage overview,
                 ObserversPage observers, EventsPage events, DeadLettersPage letters, DeadLetters deadLetters,
                 DeadLetterReplay replay, StatusReads reads) {
        this.settings = settings;
        this.consumer = listener.consumer();
        this.html = html;
        this.assets = assets;
        this.overview = overview;
        this.observers = observers;
        this.events = events;
        this.letters = letters;
        this.deadLetters = deadLetters;
        this.replay = replay;
        this.reads = reads;
        this.guard = new WriteGuard(settings);
    }

    @Override
    public String prefix() {
        return PREFIX;
    }

    /**
     * The console answers only requests that arrived on {@code console.bind}: an address this machine does not have
     * would leave it silent (404 everywhere) with nothing in the log. Checked by {@code run} alone (an operator host
     * running {@code status} or {@code dlq replay} with the server's configuration does not have its address), not
     * at load ({@code check-config} may run on another machine).
     */
    @Override
    public void check() {
        if (settings.enabled()) {
            BindRefusals.requireOfThisMachine("console.bind", settings.bind());
        }
    }

    /**
     * Where the console answers: nowhere when switched off, the loopback address when it answers on every
     * interface, else {@code console.bind} itself (a request to 127.0.0.1 would get 404 there).
     */
    @Override
    public Optional<String> page(int port) {
        if (!settings.enabled()) {
            return Optional.empty();
        }
        String host = settings.bind().equals("0.0.0.0") || settings.bind().equals("::") ? "127.0.0.1"
                : settings.bind().contains(":") ? "[" + settings.bind() + "]" : settings.bind();
        return Optional.of("http://" + host + ":" + port + PREFIX);
    }

    /** Answers, with the time it took in a {@code Server-Timing} header (the browser's developer tools show it). */
    @Override
    public Response handle(Request request) throws Exception {
        long started = System.nanoTime();
        Response response = answer(request);
        List<Map.Entry<String, String>> headers = new ArrayList<>(response.headers());
        headers.add(Map.entry("Server-Timing", String.format(java.util.Locale.ROOT, "app;dur=%.1f",
                (System.nanoTime() - started) / 1e6)));
        return new Response(response.status(), response.contentType(), headers, response.body());
    }

    private Response answer(Request request) throws Exception {
        try {
            return route(request);
        } catch (StatusReads.Unanswered e) {
            // An outage, not a fault of the console: its own page, no stack trace (StatusReads logged it once).
            return page(message("The database did not answer", "The database did not answer: " + e.getMessage()
                    + ". This page needs it; reload once PostgreSQL is back. The overview shows the last figures."),
                    "1".equals(request.header("x-console-live")), 503);
        }
    }

    private Response route(Request request) throws Exception {
        if (!settings.enabled() || !settings.accepts(request.local().getAddress())) {
            return text(404, "not found");
        }
        String path = request.path().substring(PREFIX.length());
        boolean read = request.method().equals("GET") || request.method().equals("HEAD");
        if (path.isEmpty()) {
            return redirect(PREFIX + "/");
        }
        if (read && path.startsWith("/assets/")) {
            Response asset = assets.serve(path.substring("/assets/".length()));
            return asset != null ? asset : text(404, "no such asset");
        }
        boolean live = "1".equals(request.header("x-console-live"));
        Form query = Form.parse(request.query());
        if (read) {
            return switch (path) {
                case "/" -> page(overview.render(), live, 200);
                case "/observers" -> page(observers.render(query), live, 200);
                case "/events" -> page(events.render(query), live, 200);
                case "/dead-letters" -> page(letters.list(query, notices.get(query.get("notice"))), live, 200);
                default -> letter(path, live);
            };
        }
        if (!request.method().equals("POST")) {
            return text(405, "method not allowed");
        }
        Form form = Form.parse(new String(request.body(), StandardCharsets.UTF_8));
        return switch (path) {
            case "/dead-letters/replay", "/dead-letters/discard" -> write(request, form, path.endsWith("replay"));
            default -> text(404, "not found");
        };
    }

    private Response letter(String path, boolean live) {
        if (path.startsWith("/dead-letters/")) {
            try {
                Optional<Html.Page> page = letters.letter(Long.parseLong(path.substring("/dead-letters/".length())));
                if (page.isPresent()) {
                    return page(page.get(), live, 200);
                }
            } catch (NumberFormatException e) {
                // Not an id: not found below.
            }
            return page(message("No such dead letter", "Consumer '" + consumer + "' has no dead letter " + "there: it"
                    + " may have been replayed or discarded."), live, 404);
        }
        return page(message("Not found", "The console has no page at " + PREFIX + path + "."), live, 404);
    }

    private Response write(Request request, Form form, boolean replaying) throws InterruptedException {
        String refusal = guard.refusal(request, form);
        if (refusal != null) {
            return page(message("Refused", refusal), false, 403);
        }
        Set<Long> ids = new LinkedHashSet<>();
        for (String id : form.all("id")) {
            try {
                ids.add(Long.parseLong(id.trim()));
            } catch (NumberFormatException e) {
                return page(message("Bad request", "'" + id + "' is not a dead letter id."), false, 400);
            }
        }
        if (ids.isEmpty() || ids.size() > MAX_IDS) {
            return page(message("Nothing done", "Select 1 to " + MAX_IDS + " dead letters."), false, 400);
        }
        List<String> notes = new ArrayList<>();
        int discarded = 0;
        // Letters another replay was running (the CLI, another operator) or had settled first are counted apart.
        DeadLetterReplay.Tally replayed = new DeadLetterReplay.Tally();
        String unanswered = reads.failure();
        for (long id : ids) {
            if (unanswered != null) {
                notes.add("stopped before letter " + id + ": the database did not answer: " + unanswered);
                break;
            }
            try {
                if (replaying) {
                    DeadLetterReplay.Result result = replay.replay(id);
                    replayed.add(result.outcome());
                    notes.add("letter " + id + ": " + result.message());
                } else if (deadLetters.find(consumer, id).isPresent() && deadLetters.remove(id)) {
                    discarded++;
                    notes.add("letter " + id + " discarded");
                } else {
                    notes.add("letter " + id + ": not found");
                }
            } catch (RuntimeException e) {
                unanswered = reads.failed("the dead letters", e);
                notes.add("letter " + id + ": the database did not answer: " + unanswered);
                break;
            }
        }
        String summary = (replaying ? "Replayed " + ids.size() + ": " + replayed.counts() + ". "
                : "Discarded " + discarded + " of " + ids.size() + ". ") + String.join("; ", notes);
        if (summary.length() > 1500) {
            summary = summary.substring(0, 1500) + "…";
        }
        return redirect(PREFIX + "/dead-letters?notice=" + notices.put(new Notices.Notice(summary,
                settled(replaying, replayed, discarded) < ids.size())));
    }

    /** The letters a write left needing nothing more: delivered, gone already, or discarded. */
    private static long settled(boolean replaying, DeadLetterReplay.Tally replayed, int discarded) {
        return replaying ? replayed.count(DeadLetterReplay.Outcome.DELIVERED)
                + replayed.count(DeadLetterReplay.Outcome.GONE) : discarded;
    }

    private Html.Page message(String title, String text) {
        return new Html.Page(title, "", "", html.render("message", Map.of("text", text)), false);
    }

    private Response page(Html.Page page, boolean live, int status) {
        String body = live ? page.content() : html.document(page, consumer, settings.writable());
        return new Response(status, HTML, PAGE_HEADERS, body.getBytes(StandardCharsets.UTF_8));
    }

    private static Response redirect(String location) {
        return new Response(303, "text/plain; charset=utf-8", List.of(Map.entry("Location", location)), null);
    }

    private static Response text(int status, String text) {
        return new Response(status, "text/plain; charset=utf-8", List.of(Map.entry("X-Content-Type-Options",
                "nosniff")), text.getBytes(StandardCharsets.UTF_8));
    }
}
