package io.pgobserver.bootstrap.faults;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator console of the packaged jar in a real browser (Debian's chromium, headless, through chromedriver),
 * against an embedded PostgreSQL and a webhook receiver: the overview shows the leader and a count that rises while
 * rows are written; a receiver that refuses shows up in its observer's failure count and last error; a dead letter
 * is replayed from the page with the operator token and delivered, and refused without it and from another origin;
 * a payload holding {@code <script>} is shown as text; an event's trace link opens the configured trace UI at its
 * trace id; an observed table whose capture trigger was dropped is named on the overview with its fix. Each page's
 * screenshot goes to {@code target/console-screenshots/}, or with {@code -Dconsole.screenshots=docs} to
 * {@code docs/console/}, the guide's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ConsoleBrowserIT {

    private static final String TOKEN = "operator-token-for-the-console-test";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private FaultSupport.Rig rig;
    private OtherSite other;
    private ObserverProcess observer;
    private Browser browser;
    private String console;
    private Path config;

    @BeforeAll
    void start() throws Exception {
        rig = FaultSupport.Rig.start("console", "create table public.orders (id bigserial primary key, "
                + "customer text not null, total numeric(10,2) not null)");
        other = new OtherSite();
        rig.hooks.script(r -> r.path().equals("/hooks/audit"), WebhookReceiver.Answer.REFUSE_422);
        int adminPort = FaultSupport.freePort();
        console = "http://127.0.0.1:" + adminPort + "/console";
        config = FaultSupport.writeConfig(rig.work, "console.yaml", """
                database: { url: "%s", user: postgres }
                listener: { consumer: console, poll_interval: 200ms, checkpoint_interval: 100ms,
                            capture_check_interval: 1s }
                tracing: { enabled: false }
                metrics: { enabled: false }
                admin: { port: %d }
                actions: { connect_timeout: 1s, read_timeout: 2s }
                console:
                  trace_url: "%s"
                observers:
                  orders_hook:
                    entity: public.orders
                    actions:
                      - { type: webhook, url: "%s" }
                  audit:
                    entity: public.orders
                    actions:
                      - { type: webhook, url: "%s" }
                    retry: { max_attempts: 2, initial_backoff: 50ms, max_backoff: 100ms }
                """.formatted(rig.postgres.jdbcUrl(), adminPort, other.url("/trace/{trace_id}"),
                rig.hooks.url("/hooks/orders"), rig.hooks.url("/hooks/audit")));
        rig.install(config, "public.orders");
        // The token comes from the environment, as an operator would pass it.
        observer = rig.run("console", config, Map.of("CONSOLE_TOKEN", TOKEN));
        rig.awaitWhileRunning(observer, "the console answers", WAIT,
                () -> FaultSupport.httpStatus(adminPort, "/console/") == 200);
        browser = Browser.start();
    }

    @AfterAll
    void stop() throws Exception {
        FaultSupport.closeAll(null, browser, other, rig);
    }

    @Test
    @Order(1)
    void the_overview_shows_the_leader_and_a_count_that_rises_while_rows_are_written() throws Exception {
        insert("ada", null);
        browser.open(console + "/");
        browser.await("the leader on the overview", WAIT,
                () -> browser.find("[data-leader]").getText().startsWith(observer.pid() + "@"));
        long before = processed();
        Thread writer = Thread.ofPlatform().name("console-writer").start(() -> {
            try {
                for (int i = 0; i < 30; i++) {
                    insert("writer-" + i, null);
                    Thread.sleep(100);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // The page is not reloaded: its script swaps in fresh content every 2 s.
        browser.await("the processed count to rise on the open page", WAIT, () -> processed() >= before + 20);
        writer.join();
        assertThat(browser.find("#readiness").getText()).contains("ready");
        browser.screenshot("overview");
    }

    @Test
    @Order(2)
    void a_refusing_receiver_shows_in_its_observers_failure_count_and_last_error() throws Exception {
        browser.open(console + "/observers");
        browser.await("the audit observer's failures", WAIT,
                () -> !browser.find("tr[data-observer=audit] [data-col=failed]").getText().equals("0"));
        assertThat(browser.find("tr[data-observer=audit] [data-col=last-error]").getText()).contains("422");
        assertThat(browser.find("tr[data-observer=orders_hook] [data-col=failed]").getText()).isEqualTo("0");
        // Each observer's table is shown, and the failing one comes before the one configured first.
        assertThat(browser.find("tr[data-observer=audit] [data-col=entity]").getText()).isEqualTo("public.orders");
        assertThat(browser.all("#observers tbody tr").getFirst().getAttribute("data-observer")).isEqualTo("audit");
        browser.screenshot("observers");
        // The "with problems only" box is a plain GET form: submitting it leaves the failing observer alone.
        browser.find("input[name=problems]").click();
        browser.find("form.filters button[type=submit]").click();
        browser.await("only the observers with problems", WAIT, () -> browser.all("#observers tbody tr").stream()
                .map(row -> row.getAttribute("data-observer")).toList().equals(java.util.List.of("audit")));
    }

    @Test
    @Order(3)
    void an_events_trace_link_opens_the_trace_ui_at_its_trace_id() throws Exception {
        String traceId = HexFormat.of().formatHex(randomBytes(16));
        long id = insert("traced", traceId);
        browser.open(console + "/events?entity=public.orders/" + id);
        browser.await("the traced event", WAIT, () -> !browser.all("a.trace").isEmpty());
        WebElement link = browser.find("a.trace");
        assertThat(link.getText()).isEqualTo(traceId);
        browser.open(console + "/events");
        browser.await("recent events", WAIT, () -> browser.all("#events tbody tr").size() > 5);
        browser.screenshot("events");

        browser.open(console + "/events?entity=public.orders/" + id);
        String consoleWindow = browser.driver.getWindowHandle();
        browser.find("a.trace").click();
        browser.await("a new tab", WAIT, () -> browser.driver.getWindowHandles().size() == 2);
        String traceWindow = browser.driver.getWindowHandles().stream().filter(h -> !h.equals(consoleWindow))
                .findFirst().orElseThrow();
        browser.driver.switchTo().window(traceWindow);
        browser.await("the trace UI", WAIT, () -> !browser.all("#trace").isEmpty());
        assertThat(browser.driver.getCurrentUrl()).isEqualTo(other.url("/trace/" + traceId));
        assertThat(browser.find("#trace").getText()).isEqualTo(traceId);
        browser.driver.close();
        browser.driver.switchTo().window(consoleWindow);
    }

    @Test
    @Order(4)
    void a_payload_holding_a_script_is_shown_as_text() throws Exception {
        String hostile = "<script>window.__pwned = 1</script><b>bold</b>";
        long id = insert(hostile, null);
        long letter = letterOf(id);
        browser.open(console + "/dead-letters/" + letter);
        assertThat(browser.find("#after").getText()).contains(hostile);
        assertThat(browser.all("#after b")).isEmpty();
        assertThat(((JavascriptExecutor) browser.driver).executeScript("return window.__pwned === undefined"))
                .isEqualTo(true);
        browser.screenshot("dead-letter");
    }

    @Test
    @Order(5)
    void a_dead_letter_is_replayed_with_the_token_and_refused_without_it_or_from_another_origin() throws Exception {
        long id = insert("to-replay", null);
        long letter = letterOf(id);
        rig.hooks.unscript(); // the receiver accepts from now on: a replay that gets through is delivered

        browser.open(console + "/dead-letters/" + letter);
        browser.find("#replay-one").click();
        browser.await("the refusal", WAIT, () -> !browser.all("#message").isEmpty());
        assertThat(browser.find("#message").getText()).contains("token is missing");
        assertThat(letterExists(letter)).isTrue();

        other.attack(console + "/dead-letters/replay", TOKEN, letter);
        browser.open(other.url("/attack"));
        browser.await("the cross-site post's answer", WAIT, () -> !browser.all("#message").isEmpty());
        assertThat(browser.find("#message").getText()).contains("Refused").contains("another");
        assertThat(letterExists(letter)).isTrue();
        assertThat(delivered(id)).isFalse();

        browser.open(console + "/dead-letters/" + letter);
        browser.find("input[data-token]").sendKeys(TOKEN);
        browser.find("#replay-one").click();
        browser.await("the replay's notice", WAIT, () -> !browser.all("#notice").isEmpty());
        assertThat(browser.find("#notice").getText()).contains("letter " + letter).contains("1 delivered");
        assertThat(letterExists(letter)).isFalse();
        assertThat(delivered(id)).isTrue();

        // Several at once: the token typed before is kept for this tab.
        browser.open(console + "/dead-letters?observer=audit");
        browser.find("input[data-select-all]").click();
        long selected = browser.all("#letters input[name=id]:checked").size();
        assertThat(selected).isGreaterThan(1);
        browser.screenshot("dead-letters");
        browser.find("#replay-selected").click();
        browser.await("the replay's notice", WAIT, () -> !browser.all("#notice").isEmpty());
        assertThat(browser.find("#notice").getText()).contains("Replayed " + selected + ": " + selected
                + " delivered");
    }

    @Test
    @Order(6)
    void an_observed_table_that_is_not_captured_is_named_on_the_overview_with_its_fix() throws Exception {
        browser.open(console + "/");
        assertThat(browser.all("#capture")).as("captured as installed: nothing to say").isEmpty();
        // A migration that recreates the table drops its trigger with it. status names the table and the command
        // that fixes it; before, the overview said nothing, and showed a lag of 0 while no change got through.
        // The overview shows run's latest check (every second here: capture_check_interval), not one of its own.
        FaultSupport.sql(rig.postgres, "drop trigger pgobserver_capture on public.orders");
        browser.await("the capture notice on the open page", WAIT, () -> !browser.all("#capture").isEmpty());
        assertThat(browser.find("#capture").getText()).contains("Capture: 1 observed table(s) not captured as "
                + "installed:").contains("observed table public.orders is not captured: its changes reach no "
                + "observer; run 'pg-observer install --table public.orders'");

        rig.install(config, "public.orders"); // the fix it names
        browser.await("the notice gone once the table is captured again", WAIT,
                () -> browser.all("#capture").isEmpty());
    }

    /** Commits one order, with the writer's trace context when given; its id. */
    private long insert(String customer, String traceId) throws Exception {
        try (Connection c = rig.postgres.connect("console-writer")) {
            c.setAutoCommit(false);
            if (traceId != null) {
                try (Statement s = c.createStatement()) {
                    s.execute("set local pgobserver.traceparent = '00-" + traceId + "-"
                            + HexFormat.of().formatHex(randomBytes(8)) + "-01'");
                }
            }
            long id;
            try (PreparedStatement s = c.prepareStatement(
                    "insert into public.orders (customer, total) values (?, 10) returning id")) {
                s.setString(1, customer);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            c.commit();
            return id;
        }
    }

    /** The id of the dead letter of order {@code id}, once the observer has written it. */
    private long letterOf(long id) throws Exception {
        String query = "select coalesce(max(id), 0) from pgobserver.dead_letters where entity_id = '" + id + "'";
        FaultSupport.await("the dead letter of order " + id, WAIT, () -> {
            try {
                return FaultSupport.queryLong(rig.postgres, query) > 0;
            } catch (java.sql.SQLException e) {
                return false;
            }
        });
        return FaultSupport.queryLong(rig.postgres, query);
    }

    private boolean letterExists(long letter) throws Exception {
        return FaultSupport.queryLong(rig.postgres, "select count(*) from pgobserver.dead_letters where id = "
                + letter) == 1;
    }

    /** Whether the audit receiver answered 2xx for order {@code id}. */
    private boolean delivered(long id) {
        return rig.hooks.successes().stream()
                .anyMatch(r -> r.path().equals("/hooks/audit") && r.entityId().equals(Long.toString(id)));
    }

    private long processed() {
        return Long.parseLong(browser.find("[data-processed]").getText().replace(",", ""));
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        ThreadLocalRandom.current().nextBytes(bytes);
        bytes[0] |= 1;
        return bytes;
    }
}
