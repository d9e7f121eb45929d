package io.pgobserver.adapters.console;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.event.Checkpoint;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.observer.ActionSpec;
import io.pgobserver.domain.observer.Condition;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.observer.RetryPolicy;
import io.pgobserver.domain.observer.Secret;
import io.pgobserver.domain.port.CaptureInstaller;
import io.pgobserver.domain.port.ChangeSource;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.DeadLetter;
import io.pgobserver.domain.port.DeadLetters;
import io.pgobserver.domain.port.EventOutcomes;
import io.pgobserver.domain.port.Leadership;
import io.pgobserver.domain.port.ParkedEvents;
import io.pgobserver.domain.spi.Adapter;
import io.pgobserver.domain.spi.AdminRoute;
import io.pgobserver.domain.spi.CaptureStatus;
import io.pgobserver.domain.spi.DeadLetterReplay;
import io.pgobserver.domain.spi.PipelineStatus;
import io.pgobserver.domain.testing.Events;
import io.pgobserver.domain.testing.InMemoryCaptureInstaller;
import io.pgobserver.domain.testing.InMemoryChangeSource;
import io.pgobserver.domain.testing.InMemoryCheckpointStore;
import io.pgobserver.domain.testing.InMemoryDeadLetters;
import io.pgobserver.domain.testing.InMemoryLeadership;
import io.pgobserver.domain.testing.InMemoryParkedEvents;
import io.pgobserver.domain.testing.TestAction;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console's pages rendered by its module, on the domain's in-memory ports: what is user data is escaped, the
 * bind address is honoured, assets are cached, a live refresh gets the content alone. The browser test in
 * bootstrap runs the same pages in the packaged jar against PostgreSQL.
 */
class ConsolePagesTest {

    private static final String HOSTILE = "<script>alert(1)</script>";

    private final InMemoryDeadLetters letters = new InMemoryDeadLetters();
    /** While set, every read and write of the dead letters fails as a stopped PostgreSQL makes it fail. */
    private volatile boolean databaseDown;
    private final InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();
    private final InMemoryParkedEvents parked = new InMemoryParkedEvents(checkpoints);
    private final InMemoryChangeSource source = new InMemoryChangeSource();
    private final InMemoryCaptureInstaller capture = new InMemoryCaptureInstaller("public.orders");
    /** run's latest capture check, or null when it has made none (the console then checks for itself). */
    private volatile CaptureInstaller.Check watched;

    static EventOutcomes.EventOutcome outcome(long offset, String outcome, String error) {
        return new EventOutcomes.EventOutcome(Events.event(offset, Long.toString(offset), ChangeKind.CREATED,
                Map.of(), Map.of("id", offset)), outcome, "4bf92f3577b34da6a3ce929d0e0e4736", 2_000_000,
                System.currentTimeMillis(), List.of(new EventOutcomes.ActionOutcome("orders", 0, "webhook",
                error == null, error == null ? 1 : 3, 1_500_000, error)));
    }

    private static Observer observer(String name, String entity) {
        return new Observer(name, entity, Set.of(ChangeKind.CREATED), null, Condition.ALWAYS,
                List.<ActionSpec>of(new TestAction("webhook", "http://localhost:9/hook")), List.of("k0"),
                RetryPolicy.NONE);
    }

    private Injector injector(ConsoleSettings settings) {
        return injector(settings, List.of(observer("orders", "public.orders")));
    }

    private Injector injector(ConsoleSettings settings, List<Observer> observers) {
        return Guice.createInjector(new ConsoleModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(ConsoleSettings.class).toInstance(settings);
                bind(ListenerSettings.class).toInstance(new ListenerSettings("pages", 10, Duration.ofMillis(20), 4,
                        100, null, null));
                bind(new TypeLiteral<List<Observer>>() { }).toInstance(observers);
                bind(DeadLetters.class).toInstance(new DeadLetters() {
                    @Override
                    public long add(CheckpointStore.Fence fence, DeadLetter letter) {
                        throw new UnsupportedOperationException("the console adds no letter");
                    }

                    @Override
                    public List<DeadLetter> list(String consumer, long after, int limit) {
                        return answer(() -> letters.list(consumer, after, limit));
                    }

                    @Override
                    public long lastId(String consumer) {
                        return answer(() -> letters.lastId(consumer));
                    }

                    @Override
                    public java.util.Optional<DeadLetter> find(String consumer, long id) {
                        return answer(() -> letters.find(consumer, id));
                    }

                    @Override
                    public boolean remove(long id) {
                        return answer(() -> letters.remove(id));
                    }

                    @Override
                    public Map<String, Long> countByObserver(String consumer) {
                        return answer(() -> letters.countByObserver(consumer));
                    }

                    @Override
                    public java.util.Optional<Claim> claim(long id) {
                        return answer(() -> letters.claim(id));
                    }

                    @Override
                    public java.util.Optional<ClaimHolder> claimHolder(long id) {
                        return answer(() -> letters.claimHolder(id));
                    }
                });
                bind(CheckpointStore.class).toInstance(checkpoints);
                bind(ChangeSource.class).toInstance(source);
                bind(ParkedEvents.class).toInstance(parked);
                bind(CaptureInstaller.class).toInstance(capture);
                bind(CaptureStatus.class).toInstance(() -> java.util.Optional.ofNullable(watched));
                bind(Leadership.class).toInstance(new InMemoryLeadership());
                bind(PipelineStatus.class).toInstance(new PipelineStatus() {
                    @Override
                    public String problem() {
                        return "cannot reach PostgreSQL at " + HOSTILE;
                    }

                    @Override
                    public boolean isActive() {
                        return true;
                    }

                    @Override
                    public long processedCount() {
                        return 1234;
                    }
                });
                // As the application's replay answers: a letter claimed by another replay is not run, nor one gone.
                bind(DeadLetterReplay.class).toInstance(id -> letters.claimHolder(id).isPresent()
                        ? new DeadLetterReplay.Result(id, DeadLetterReplay.Outcome.REPLAYED_ELSEWHERE,
                        "being replayed by another session (this process); not run again here")
                        : letters.find("pages", id).isEmpty()
                        ? new DeadLetterReplay.Result(id, DeadLetterReplay.Outcome.GONE, "already replayed or deleted "
                        + "by another session: no longer in the queue; not run here")
                        : new DeadLetterReplay.Result(id, DeadLetterReplay.Outcome.DELIVERED, "delivered"));
            }
        });
    }

    private static AdminRoute route(Injector injector) {
        return injector.getInstance(Key.get(new TypeLiteral<Set<AdminRoute>>() { })).iterator().next();
    }

    private static AdminRoute.Response get(AdminRoute route, String path, String localAddress,
                                           Map<String, String> headers) throws Exception {
        int q = path.indexOf('?');
        return route.handle(new AdminRoute.Request("GET", q < 0 ? path : path.substring(0, q),
                q < 0 ? "" : path.substring(q + 1), headers, null, new InetSocketAddress(localAddress, 8081),
                new InetSocketAddress("127.0.0.1", 50000)));
    }

    private static String body(AdminRoute.Response response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    @Test
    void userDataIsEscapedOnEveryPage() throws Exception {
        Injector injector = injector(new ConsoleSettings(true, null, null, null, 100, null));
        ChangeEvent event = Events.event(7, HOSTILE, ChangeKind.CREATED, Map.of(), Map.of("note", HOSTILE));
        injector.getInstance(Key.get(new TypeLiteral<Set<EventOutcomes>>() { })).iterator().next()
                .finished(new EventOutcomes.EventOutcome(event, "failed", null, 1, System.currentTimeMillis(),
                        List.of(new EventOutcomes.ActionOutcome("orders", 0, "webhook", false, 3, 1,
                                "HTTP 500: " + HOSTILE))));
        long id = letters.add(new DeadLetter(0, "pages", event, "orders", 0, "k0", "webhook", HOSTILE, 3,
                Instant.now()));
        AdminRoute route = route(injector);

        for (String page : List.of("/console/", "/console/observers", "/console/events", "/console/dead-letters",
                "/console/dead-letters/" + id, "/console/events?entity=%3Cscript%3E")) {
            AdminRoute.Response response = get(route, page, "127.0.0.1", Map.of());
            assertThat(response.status()).as(page).isEqualTo(200);
            assertThat(body(response)).as(page).doesNotContain("<script>alert").contains("&lt;script&gt;");
            assertThat(response.headers()).as(page).contains(Map.entry("Content-Security-Policy",
                    response.headers().stream().filter(h -> h.getKey().equals("Content-Security-Policy"))
                            .findFirst().orElseThrow().getValue()));
        }
    }

    @Test
    void theOverviewNamesTheRowsParkedLongestAndCountsTheRest() throws Exception {
        CheckpointStore.Fence fence = checkpoints.claim("pages").fence();
        for (int row = 1; row <= 70; row++) {
            parked.park(fence, "public.orders\u0000" + row, List.of(Events.event(row, Integer.toString(row),
                    ChangeKind.CREATED, Map.of(), Map.of("id", row))));
        }
        String page = body(get(route(injector(new ConsoleSettings(true, null, null, null, 100, null))), "/console/",
                "127.0.0.1", Map.of()));

        assertThat(page).contains("(70 entities, 70 events)").contains(">public.orders 1<")
                .contains(">public.orders 50<").doesNotContain(">public.orders 51<")
                .contains("and 20 more, parked since these");
    }

    /** The position as status says it: it read "after change_log id 12 · dispatched to 2/15". */
    @Test
    void theOverviewSaysThePositionInWords() throws Exception {
        CheckpointStore.Fence fence = checkpoints.claim("pages").fence();
        Snapshot first = new Snapshot("10:10:");
        checkpoints.dispatching(fence, new Batch(1, Snapshot.ORIGIN, first), 9);
        checkpoints.dispatching(fence, new Batch(2, first, new Snapshot("20:20:")), 15);
        checkpoints.save(fence, new Checkpoint(2, 12));
        String page = body(get(route(injector(new ConsoleSettings(true, null, null, null, 100, null))), "/console/",
                "127.0.0.1", Map.of()));

        assertThat(page).contains(">events done up to change_log id 12 (batch 2 in progress, every earlier batch "
                + "done); handed to actions up to id 15, not yet done<").doesNotContain("2/15");
    }

    /**
     * The transaction whose events wait for its commit is named as status names it, once open 10 s: a session's with
     * its pid, a prepared one (its transaction manager gone) by its gid, escaped, with COMMIT or ROLLBACK PREPARED.
     */
    @Test
    void theOverviewNamesTheTransactionHoldingEventsBackOnceOpenTenSeconds() throws Exception {
        ConsoleSettings settings = new ConsoleSettings(true, null, null, null, 100, null);
        InMemoryChangeSource.Transaction session = source.begin();
        session.write(Events.event(1, "1", ChangeKind.CREATED, Map.of(), Map.of("id", 1)));
        // A new injector per look: the console keeps its reads for a second.
        assertThat(body(get(route(injector(settings)), "/console/", "127.0.0.1", Map.of())))
                .as("open less than 10 s").doesNotContain("id=\"open-transaction\"");

        session.backdate(Duration.ofMinutes(2));
        assertThat(body(get(route(injector(settings)), "/console/", "127.0.0.1", Map.of())))
                .contains("id=\"open-transaction\"><strong>open transaction</strong>: pid 100, idle in transaction "
                        + "for 2m 0s (app &#39;test&#39;, role &#39;test&#39;)")
                .contains("SELECT pg_terminate_backend(100)");
        session.rollback();

        InMemoryChangeSource.Transaction prepared = source.begin();
        prepared.write(Events.event(2, "2", ChangeKind.CREATED, Map.of(), Map.of("id", 2)));
        prepared.prepare(HOSTILE).backdate(Duration.ofMinutes(3));
        String page = body(get(route(injector(settings)), "/console/", "127.0.0.1", Map.of()));
        assertThat(page).contains("<strong>prepared transaction</strong>: gid &#39;&lt;script&gt;alert(1)"
                        + "&lt;/script&gt;&#39; (role &#39;test&#39;), prepared 3m 0s ago")
                .contains("COMMIT PREPARED &#39;&lt;script&gt;alert(1)&lt;/script&gt;&#39; (its events arrive) or "
                        + "ROLLBACK PREPARED").doesNotContain("<script>alert");
    }

    @Test
    void theOverviewNamesAnObservedTableThatIsNotCapturedWithItsFix() throws Exception {
        ConsoleSettings settings = new ConsoleSettings(true, null, null, null, 100, null);
        assertThat(body(get(route(injector(settings)), "/console/", "127.0.0.1", Map.of())))
                .as("captured as installed").doesNotContain("id=\"capture\"");

        capture.drop("public.orders"); // a migration recreated the table, and its trigger went with it
        // A new injector per look: the console keeps its reads for a second. Before, the overview said nothing of
        // it, while status named the table and the command that fixes it.
        assertThat(body(get(route(injector(settings)), "/console/", "127.0.0.1", Map.of())))
                .contains("id=\"capture\"><strong>Capture</strong>: 1 observed table(s) not captured as installed:"
                        + "<ul><li>observed table public.orders is not captured: its changes reach no observer; run "
                        + "&#39;pg-observer install --table public.orders&#39;</li></ul>");
    }

    /** Inside run, the overview says what run's own check found last, not what it would find asking now. */
    @Test
    void theOverviewShowsRunsLatestCaptureCheck() throws Exception {
        watched = new CaptureInstaller.Check(1, List.of(new CaptureInstaller.Problem("public.orders",
                CaptureInstaller.Problem.Kind.MISSING, "observed table public.orders does not exist (run's check)")));
        assertThat(body(get(route(injector(new ConsoleSettings(true, null, null, null, 100, null))), "/console/",
                "127.0.0.1", Map.of()))).contains("id=\"capture\"><strong>Capture</strong>: 1 observed table(s) not "
                + "captured as installed:<ul><li>observed table public.orders does not exist (run&#39;s check)");
    }

    @Test
    void theConsoleAnswersOnlyOnItsBindAddress() throws Exception {
        AdminRoute route = route(injector(new ConsoleSettings(true, null, null, null, 100, null)));

        assertThat(get(route, "/console/", "127.0.0.1", Map.of()).status()).isEqualTo(200);
        assertThat(get(route, "/console/", "10.1.2.3", Map.of()).status()).isEqualTo(404);
        AdminRoute disabled = route(injector(new ConsoleSettings(false, null, null, null, 100, null)));
        assertThat(get(disabled, "/console/", "127.0.0.1", Map.of()).status()).isEqualTo(404);
    }

    /** run logs this as "admin page: …": it must answer, not 404. */
    @Test
    void thePageRunNamesIsWhereTheConsoleAnswers() {
        assertThat(route(injector(new ConsoleSettings(true, null, null, null, 100, null))).page(8081))
                .contains("http://127.0.0.1:8081/console");
        assertThat(route(injector(new ConsoleSettings(true, "0.0.0.0", null, null, 100, null))).page(8081))
                .contains("http://127.0.0.1:8081/console");
        assertThat(route(injector(new ConsoleSettings(true, "10.1.2.3", null, null, 100, null))).page(8081))
                .contains("http://10.1.2.3:8081/console");
        assertThat(route(injector(new ConsoleSettings(false, null, null, null, 100, null))).page(8081)).isEmpty();
    }

    @Test
    void assetsAreCachedAndALiveRefreshGetsTheContentAlone() throws Exception {
        AdminRoute route = route(injector(new ConsoleSettings(true, null, null, null, 100, null)));

        AdminRoute.Response css = get(route, "/console/assets/console.css", "127.0.0.1", Map.of());
        assertThat(css.contentType()).startsWith("text/css");
        assertThat(css.headers()).contains(Map.entry("Cache-Control", "public, max-age=31536000, immutable"));
        assertThat(body(get(route, "/console/", "127.0.0.1", Map.of()))).contains("<html").contains("1,234");
        assertThat(body(get(route, "/console/", "127.0.0.1", Map.of("x-console-live", "1"))))
                .doesNotContain("<html").contains("1,234");
        assertThat(get(route, "/console/nothing-here", "127.0.0.1", Map.of()).status()).isEqualTo(404);
    }

    @Test
    void aWriteIsRefusedWithoutTheTokenAndDoneWithIt() throws Exception {
        AdminRoute route = route(injector(new ConsoleSettings(true, null, new Secret("0123456789abcdef-operator"),
                null, 100, null)));
        long id = oneLetter();
        Map<String, String> headers = Map.of("host", "127.0.0.1:8081", "origin", "http://127.0.0.1:8081");

        AdminRoute.Response refused = route.handle(new AdminRoute.Request("POST", "/console/dead-letters/discard",
                "", headers, ("id=" + id).getBytes(StandardCharsets.UTF_8), new InetSocketAddress("127.0.0.1", 8081),
                null));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(letters.find("pages", id)).isPresent();

        AdminRoute.Response done = route.handle(new AdminRoute.Request("POST", "/console/dead-letters/discard", "",
                headers, ("id=" + id + "&token=0123456789abcdef-operator").getBytes(StandardCharsets.UTF_8),
                new InetSocketAddress("127.0.0.1", 8081), null));
        assertThat(done.status()).isEqualTo(303);
        assertThat(letters.find("pages", id)).isEmpty();
        String location = done.headers().stream().filter(h -> h.getKey().equals("Location")).findFirst()
                .orElseThrow().getValue();
        assertThat(body(get(route, location, "127.0.0.1", Map.of()))).contains("Discarded 1 of 1");
        // The redirect names a notice kept here; a link made elsewhere cannot put its own words on the page.
        assertThat(body(get(route, "/console/dead-letters?notice=Replayed+everything", "127.0.0.1", Map.of())))
                .doesNotContain("Replayed everything");
    }

    /** A letter another replay is running (the command line, another operator) is counted apart, and why said. */
    @Test
    void aReplayOfALetterBeingReplayedElsewhereSaysSo() throws Exception {
        long free = oneLetter();
        long busy = oneLetter();
        String page;
        try (DeadLetters.Claim elsewhere = letters.claim(busy).orElseThrow()) {
            page = replaySelected(free, busy);
        }
        assertThat(page).contains("<p class=\"notice bad\" id=\"notice\">Replayed 2: 1 delivered, 0 not delivered, 1 being "
                + "replayed by another session (not run here). letter " + free + ": delivered; letter " + busy
                + ": being replayed by another session (this process); not run again here");
    }

    /**
     * A letter another session replayed or deleted before this replay came to it needs nothing: counted apart, and
     * the notice is no problem, where it was marked as one for a letter not delivered here.
     */
    @Test
    void aReplayOfALetterGoneMeanwhileIsNoProblem() throws Exception {
        long kept = oneLetter();
        long gone = oneLetter();
        letters.remove(gone);
        assertThat(replaySelected(kept, gone)).contains("<p class=\"notice ok\" id=\"notice\">Replayed 2: 1 "
                + "delivered, 0 not delivered, 1 already replayed or deleted elsewhere. letter " + kept + ": delivered; letter " + gone
                + ": already replayed or deleted by another session");
    }

    /** Replays the letters as "Replay selected" does, and the dead letters page it leads to, with its notice. */
    private String replaySelected(long... ids) throws Exception {
        AdminRoute route = route(injector(new ConsoleSettings(true, null, new Secret("0123456789abcdef-operator"),
                null, 100, null)));
        StringBuilder form = new StringBuilder("token=0123456789abcdef-operator");
        for (long id : ids) {
            form.append("&id=").append(id);
        }
        AdminRoute.Response done = route.handle(new AdminRoute.Request("POST", "/console/dead-letters/replay", "",
                Map.of("host", "127.0.0.1:8081", "origin", "http://127.0.0.1:8081"),
                form.toString().getBytes(StandardCharsets.UTF_8), new InetSocketAddress("127.0.0.1", 8081), null));
        assertThat(done.status()).isEqualTo(303);
        String location = done.headers().stream().filter(h -> h.getKey().equals("Location")).findFirst()
                .orElseThrow().getValue();
        return body(get(route, location, "127.0.0.1", Map.of()));
    }

    private long oneLetter() {
        return letters.add(new DeadLetter(0, "pages", Events.event(1, "1", ChangeKind.CREATED, Map.of(), Map.of()),
                "orders", 0, "k0", "webhook", "HTTP 500", 3, Instant.now()));
    }

    private <T> T answer(java.util.function.Supplier<T> read) {
        if (databaseDown) {
            throw new IllegalStateException("pool timed out", new java.net.ConnectException("Connection refused"));
        }
        return read.get();
    }

    @Test
    void whileTheDatabaseDoesNotAnswerThePagesSaySoAndAWriteStops() throws Exception {
        AdminRoute route = route(injector(new ConsoleSettings(true, null, new Secret("0123456789abcdef-operator"),
                null, 100, null)));
        long id = oneLetter();
        assertThat(body(get(route, "/console/dead-letters", "127.0.0.1", Map.of()))).contains(">" + id + "</a>");

        databaseDown = true;
        AdminRoute.Response list = get(route, "/console/dead-letters", "127.0.0.1", Map.of());
        assertThat(list.status()).isEqualTo(200);
        assertThat(body(list)).contains("The database did not answer: Connection refused, while reading the dead "
                + "letters").contains("the consumer had 1 dead letter(s)").doesNotContain("pool timed out");
        AdminRoute.Response one = get(route, "/console/dead-letters/" + id, "127.0.0.1", Map.of());
        assertThat(one.status()).isEqualTo(503);
        assertThat(body(one)).contains("<main id=\"content\"").contains("The database did not answer");
        Map<String, String> headers = Map.of("host", "127.0.0.1:8081", "origin", "http://127.0.0.1:8081");
        AdminRoute.Response discard = route.handle(new AdminRoute.Request("POST", "/console/dead-letters/discard",
                "", headers, ("id=" + id + "&token=0123456789abcdef-operator").getBytes(StandardCharsets.UTF_8),
                new InetSocketAddress("127.0.0.1", 8081), null));
        assertThat(discard.status()).isEqualTo(303);
        String location = discard.headers().stream().filter(h -> h.getKey().equals("Location")).findFirst()
                .orElseThrow().getValue();
        assertThat(body(get(route, location, "127.0.0.1", Map.of()))).contains("Discarded 0 of 1")
                .contains("the database did not answer");
        assertThat(letters.find("pages", id)).isPresent();

        databaseDown = false;
        // The figures are renewed in the background; the list comes back once they are.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (body(get(route, "/console/dead-letters", "127.0.0.1", Map.of())).contains("did not answer")) {
            assertThat(System.nanoTime()).as("the list back within 30 s").isLessThan(deadline);
            Thread.sleep(50);
        }
        assertThat(body(get(route, "/console/dead-letters/" + id, "127.0.0.1", Map.of()))).contains("HTTP 500");
    }

    @Test
    void theModuleIsFoundByTheServiceLoaderAndProvidesPages() {
        Adapter adapter = ServiceLoader.load(Adapter.class).stream().map(ServiceLoader.Provider::get)
                .filter(a -> a.name().equals(ConsoleModule.NAME)).findFirst().orElseThrow();

        assertThat(adapter.provides()).containsExactly(Adapter.Capability.PAGES);
        assertThat(adapter.sections()).extracting(s -> s.key()).containsExactly("console");
    }

    /**
     * At a real schema's size (100 observers) the page shows each observer's table, puts the one with failed attempts
     * first, and its GET form narrows the rows by observer or table name, or to those with problems only.
     */
    @Test
    void theObserversPageShowsEachTableAndPutsTheTroubledFirstAndFilters() throws Exception {
        List<Observer> many = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            many.add(observer(String.format("obs%03d", i), String.format("public.table%03d", i)));
        }
        Injector injector = injector(new ConsoleSettings(true, null, null, null, 100, null), many);
        injector.getInstance(Key.get(new TypeLiteral<Set<EventOutcomes>>() { })).iterator().next()
                .finished(new EventOutcomes.EventOutcome(Events.event(1, "1", ChangeKind.CREATED, Map.of(),
                        Map.of("id", 1)), "failed", null, 1, System.currentTimeMillis(), List.of(
                        new EventOutcomes.ActionOutcome("obs077", 0, "webhook", false, 3, 1, "HTTP 503"))));
        AdminRoute route = route(injector);

        String page = body(get(route, "/console/observers", "127.0.0.1", Map.of()));
        assertThat(page).contains(">public.table000<").contains(">public.table099<")
                .contains("100 observers, 1 with failed attempts");
        assertThat(page.indexOf("data-observer=\"obs077\"")).as("the failing observer comes first")
                .isPositive().isLessThan(page.indexOf("data-observer=\"obs000\""));
        assertThat(page).contains("<form class=\"filters\" method=\"get\" action=\"/console/observers\">");

        String byTable = body(get(route, "/console/observers?name=TABLE04", "127.0.0.1", Map.of()));
        assertThat(byTable).contains("10 of 100 observers").contains(">public.table040<")
                .contains(">public.table049<").doesNotContain(">public.table050<").contains("value=\"TABLE04\"");
        String byName = body(get(route, "/console/observers?name=obs012", "127.0.0.1", Map.of()));
        assertThat(byName).contains("1 of 100 observers").contains(">public.table012<");

        String troubled = body(get(route, "/console/observers?problems=on", "127.0.0.1", Map.of()));
        assertThat(troubled).contains("1 of 100 observers").contains("data-observer=\"obs077\"")
                .doesNotContain("data-observer=\"obs000\"").contains(" checked>");
        String none = body(get(route, "/console/observers?name=%3Cscript%3Enothing", "127.0.0.1", Map.of()));
        assertThat(none).contains("no observer matches this filter").contains("&lt;script&gt;nothing")
                .doesNotContain("<script>nothing");
    }

    @Test
    void troubledObserversKeepTheirPlaceWhenTheirReceiversFailInTurn() throws Exception {
        List<Observer> three = List.of(observer("obs_a", "public.a"), observer("obs_b", "public.b"),
                observer("obs_c", "public.c"));
        Injector injector = injector(new ConsoleSettings(true, null, null, null, 100, null), three);
        EventOutcomes outcomes = injector.getInstance(Key.get(new TypeLiteral<Set<EventOutcomes>>() { }))
                .iterator().next();
        AdminRoute route = route(injector);
        long now = System.currentTimeMillis();
        // Two receivers down, failing in turn: b, then a, then b again, as a refresh every 2 s sees them.
        java.util.function.BiConsumer<String, Long> fails = (name, at) -> outcomes.finished(
                new EventOutcomes.EventOutcome(Events.event(1, "1", ChangeKind.CREATED, Map.of(), Map.of("id", 1)),
                        "failed", null, 1, at, List.of(new EventOutcomes.ActionOutcome(name, 0, "webhook", false, 3,
                        1, "HTTP 503 from " + name))));
        fails.accept("obs_b", now - 3_000);
        fails.accept("obs_a", now - 2_000);
        String first = body(get(route, "/console/observers", "127.0.0.1", Map.of()));
        fails.accept("obs_b", now - 1_000);
        String next = body(get(route, "/console/observers", "127.0.0.1", Map.of()));

        for (String page : List.of(first, next)) {
            assertThat(page.indexOf("data-observer=\"obs_a\"")).as("rows in the configuration's order")
                    .isPositive().isLessThan(page.indexOf("data-observer=\"obs_b\""));
            assertThat(page.indexOf("data-observer=\"obs_b\"")).as("the troubled before the healthy")
                    .isLessThan(page.indexOf("data-observer=\"obs_c\""));
        }
    }

    @Test
    void theFilterFormHoldsNoCountTheLiveRefreshWouldLeaveStale() throws Exception {
        Injector injector = injector(new ConsoleSettings(true, null, null, null, 100, null),
                List.of(observer("obs_a", "public.a"), observer("obs_b", "public.b")));
        AdminRoute route = route(injector);
        String healthy = body(get(route, "/console/observers", "127.0.0.1", Map.of()));
        injector.getInstance(Key.get(new TypeLiteral<Set<EventOutcomes>>() { })).iterator().next()
                .finished(new EventOutcomes.EventOutcome(Events.event(1, "1", ChangeKind.CREATED, Map.of(),
                        Map.of("id", 1)), "failed", null, 1, System.currentTimeMillis(), List.of(
                        new EventOutcomes.ActionOutcome("obs_b", 0, "webhook", false, 3, 1, "HTTP 503"))));
        String troubled = body(get(route, "/console/observers", "127.0.0.1", Map.of()));
        // The form sits outside the region the script replaces every 2 s: what it shows must not change with the
        // figures, or it would still say what it said at load beside the table's own count.
        assertThat(troubled).contains("2 observers, 1 with failed attempts");
        assertThat(form(troubled)).isEqualTo(form(healthy)).contains("with problems only");
    }

    private static String form(String page) {
        return page.substring(page.indexOf("<form class=\"filters\""), page.indexOf("</form>"));
    }
}
