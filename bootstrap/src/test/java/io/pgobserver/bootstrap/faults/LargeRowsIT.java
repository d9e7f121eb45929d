package io.pgobserver.bootstrap.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backlog of rows of about 100 KB each (a jsonb document of a thousand small objects, as an order with its lines is
 * kept), written in many one-row transactions, each row inserted then updated nine times, and the packaged jar started
 * on it with a 256 MiB heap and the default listener settings. The webhook receiver is down for the first seconds
 * (every row is retried, then parked, and its parked events drained) and slow after (300 ms a request): events
 * pile up far past {@code max_in_flight}, and the backlog's row images, parsed, would take five times the heap.
 * Reading must wait on what the events hold ({@code listener.max_pending_bytes}), not only on
 * {@code listener.max_pending}'s count; a page must end at its bytes, not only at {@code batch_size}; the drainers
 * must read back no more parked events than their share. Every event is delivered, each row's in commit order, and
 * the heap in use after each full collection (from the jar's own GC log) stays well below the heap. Before the byte
 * bounds, the jar died of {@code OutOfMemoryError} reading its first page.
 *
 * <p>The sizes: {@code -Dlargerows.rows=60 -Dlargerows.versions=10 -Dlargerows.kb=100}; G1, as an operator
 * runs it: {@code -Dlargerows.gc=-XX:+UseG1GC}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LargeRowsIT {

    private static final int ROWS = Integer.getInteger("largerows.rows", 40);
    private static final int VERSIONS = Integer.getInteger("largerows.versions", 10);
    private static final int KB = Integer.getInteger("largerows.kb", 100);
    private static final String HEAP = System.getProperty("largerows.heap", "256m");
    private static final String GC = System.getProperty("largerows.gc", "-XX:+UseSerialGC");
    private static final int HOLD_MS = Integer.getInteger("largerows.hold", 300);
    /** Seconds the receiver answers 503 from the first request on (0: never down). */
    private static final int DOWN_S = Integer.getInteger("largerows.down", 8);
    private static final String LISTENER = System.getProperty("largerows.listener", "");
    private static final boolean CONSOLE = Boolean.parseBoolean(System.getProperty("largerows.console", "true"));
    private static final Duration DEADLINE = Duration.ofSeconds(Integer.getInteger("largerows.seconds", 75));
    /** The most of the heap that may be in use after a full collection. */
    private static final double MOST_LIVE = 0.75;
    private static final Pattern GC_LINE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\) ([0-9.]+)ms");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private FaultSupport.Rig rig;
    private SlowReceiver receiver;
    private Path config;
    private double writeSeconds;
    private long changeLogBytes;

    @BeforeAll
    void start() throws Exception {
        rig = FaultSupport.Rig.start("large-rows",
                "create table public.docs (id bigint primary key, v int not null, body jsonb not null)",
                // About 100 bytes of JSON an item, ten items a KB: an order and its lines, not one long string.
                """
                create function public.doc(id bigint, v int, kb int) returns jsonb language sql as $$
                  select jsonb_build_object('id', id, 'v', v, 'lines', jsonb_agg(jsonb_build_object(
                           'sku', md5(id || '-' || v || '-' || g), 'qty', g, 'note', 'line ' || g || ' of ' || v,
                           'gift', g % 7 = 0)))
                    from generate_series(1, kb * 10) g
                $$""");
        receiver = SlowReceiver.start(Duration.ofMillis(HOLD_MS));
        config = rig.config("docs.yaml", "large-rows", CONSOLE ? 0 : -1, LISTENER, """
                docs:
                  entity: public.docs
                  actions:
                    - { type: webhook, url: "%s" }
                  retry: { max_attempts: 1000, initial_backoff: 100ms, max_backoff: 1s }
                """.formatted(receiver.url()));
        rig.install(config, "public.docs");
        long began = System.nanoTime();
        write();
        writeSeconds = (System.nanoTime() - began) / 1e9;
        changeLogBytes = FaultSupport.queryLong(rig.postgres,
                "select coalesce(sum(length(after::text) + coalesce(length(before::text), 0)), 0) "
                        + "from pgobserver.change_log");
    }

    @AfterAll
    void stop() throws Exception {
        FaultSupport.closeAll(null, receiver, rig);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void a_backlog_of_large_rows_is_delivered_in_order_within_a_small_heap_while_the_receiver_is_down_then_slow() throws Exception {
        Path gcLog = Path.of("target", "large-rows-gc.log").toAbsolutePath();
        Files.deleteIfExists(gcLog);
        List<String> jvm = List.of("-Xmx" + HEAP, GC, "-Xshare:auto", "-Xlog:gc:file=" + gcLog);

        receiver.downFor(Duration.ofSeconds(DOWN_S));
        ObserverProcess observer = rig.run("large-rows-0", config, Map.of(), jvm);
        long started = System.nanoTime();
        boolean all = FaultSupport.eventually(DEADLINE, () -> !observer.isAlive()
                || receiver.deliveredVersions() == (long) ROWS * VERSIONS);
        double seconds = (System.nanoTime() - started) / 1e9;
        GcFigures gc = GcFigures.of(gcLog, seconds);
        System.out.printf("LargeRowsIT: %d rows x %d versions of ~%d KB (%d MB of row images in change_log, written "
                        + "in %.1f s), heap %s, %s, receiver %d ms a request%s, listener {%s}: %d of %d events delivered "
                        + "in %.1f s (%d requests, %d answered 503), %s; observer %s%n", ROWS, VERSIONS, KB,
                changeLogBytes >> 20, writeSeconds, HEAP, GC, HOLD_MS, DOWN_S > 0 ? " (down the first "
                        + DOWN_S + " s after the first)" : "", LISTENER.replace('\n', ' '),
                receiver.deliveredVersions(), (long) ROWS * VERSIONS, seconds, receiver.requests.get(), receiver.failed.get(), gc,
                observer.isAlive() ? "running" : "exited " + observer.exitCode());
        String output = observer.output();
        assertThat(output).as("the observer's output").doesNotContain("OutOfMemoryError");
        rig.assertRunning(observer);
        assertThat(all).as("every event delivered within " + DEADLINE.toSeconds() + " s").isTrue();
        assertThat(receiver.outOfOrder()).as("rows whose versions arrived out of commit order").isEmpty();
        assertThat(gc.maxAfterFullMb()).as("heap in use after a full collection, of " + gc.heapMb() + " MB")
                .isLessThanOrEqualTo((long) (gc.heapMb() * MOST_LIVE));
        assertThat(observer.stop()).as("exit code after SIGTERM").isZero();
    }

    /**
     * {@code replay} of the whole backlog, with the same heap, to a receiver that answers at once: one page of
     * {@code ReplayHistory}'s 500 events would hold all 400 row images. Its pages must end at their bytes, as the
     * listener's do. Every event reaches the receiver once, in change_log order, and the command ends with 0.
     * Before, the replay died of {@code OutOfMemoryError} reading its first page.
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void a_replay_of_the_large_rows_delivers_each_once_in_change_log_order_within_a_small_heap() throws Exception {
        try (SlowReceiver replayed = SlowReceiver.start(Duration.ZERO)) {
            Path replaying = rig.config("replay.yaml", "large-rows-replay", -1, LISTENER, """
                    docs:
                      entity: public.docs
                      actions:
                        - { type: webhook, url: "%s" }
                    """.formatted(replayed.url()));
            List<String> logged = eventIds();
            Path gcLog = Path.of("target", "large-rows-replay-gc.log").toAbsolutePath();
            Files.deleteIfExists(gcLog);
            long started = System.nanoTime();
            ObserverProcess.Finished replay = ObserverProcess.runToEnd("replay", rig.log, Map.of(),
                    List.of("-Xmx" + HEAP, GC, "-Xshare:auto", "-Xlog:gc:file=" + gcLog), "replay", "--config",
                    replaying.toString(), "--observer", "docs", "--from-position", "1", "--to-position",
                    Long.toString(Long.MAX_VALUE));
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("LargeRowsIT replay: %d events of ~%d KB, heap %s, %s: exit %d, %d requests in %.1f s, "
                    + "%s%n", logged.size(), KB, HEAP, GC, replay.exitCode(), replayed.requests.get(), seconds,
                    GcFigures.of(gcLog, seconds));
            assertThat(replay.output()).as("the replay's output").doesNotContain("OutOfMemoryError");
            assertThat(replay.exitCode()).as(replay.output()).isZero();
            assertThat(replay.output()).contains("replayed " + logged.size() + " event(s) for observer docs");
            assertThat(replayed.arrivals()).as("the events the receiver got, in the order it got them")
                    .containsExactlyElementsOf(logged);
        }
    }

    /** The change_log's event ids in id order. */
    private List<String> eventIds() throws Exception {
        List<String> ids = new ArrayList<>();
        try (Connection c = rig.postgres.connect("large-rows-check");
             PreparedStatement query = c.prepareStatement(
                     "select event_id::text from pgobserver.change_log order by id");
             ResultSet rs = query.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    /** Every row inserted, then updated VERSIONS - 1 times, round after round: one row per transaction. */
    private void write() throws Exception {
        try (Connection c = rig.postgres.connect("large-rows-writer");
             PreparedStatement insert = c.prepareStatement(
                     "insert into public.docs values (?, 0, public.doc(?, 0, " + KB + "))");
             PreparedStatement update = c.prepareStatement(
                     "update public.docs set v = ?, body = public.doc(id, ?, " + KB + ") where id = ?")) {
            for (long id = 1; id <= ROWS; id++) {
                insert.setLong(1, id);
                insert.setLong(2, id);
                insert.executeUpdate();
            }
            for (int v = 1; v < VERSIONS; v++) {
                for (long id = 1; id <= ROWS; id++) {
                    update.setInt(1, v);
                    update.setInt(2, v);
                    update.setLong(3, id);
                    update.executeUpdate();
                }
            }
        }
    }

    /**
     * What the jar's GC log says: the most heap in use after a collection, and after a full one (what is live, with
     * the serial collector), the collections, the time paused.
     */
    record GcFigures(long maxAfterMb, long maxAfterFullMb, long maxBeforeMb, long heapMb, int collections, int full,
                     double pausedMs, double seconds) {
        static GcFigures of(Path log, double seconds) throws IOException {
            long after = 0;
            long afterFull = 0;
            long before = 0;
            long heap = 0;
            int collections = 0;
            int full = 0;
            double paused = 0;
            if (Files.exists(log)) {
                for (String line : Files.readAllLines(log)) {
                    Matcher m = GC_LINE.matcher(line);
                    if (!m.find()) {
                        continue;
                    }
                    collections++;
                    before = Math.max(before, Long.parseLong(m.group(1)));
                    after = Math.max(after, Long.parseLong(m.group(2)));
                    if (line.contains("Pause Full")) {
                        full++;
                        afterFull = Math.max(afterFull, Long.parseLong(m.group(2)));
                    }
                    heap = Math.max(heap, Long.parseLong(m.group(3)));
                    paused += Double.parseDouble(m.group(4));
                }
            }
            return new GcFigures(after, afterFull, before, heap, collections, full, paused, seconds);
        }

        @Override
        public String toString() {
            return String.format("heap in use after a collection at most %d MB (after a full one %d MB, before one "
                    + "%d MB) of %d MB, %d collections (%d full), %.1f s paused (%.0f%% of the run)", maxAfterMb,
                    maxAfterFullMb, maxBeforeMb, heapMb, collections, full, pausedMs / 1000,
                    pausedMs / 10 / Math.max(seconds, 0.001));
        }
    }

    /**
     * A webhook receiver that answers 200 to each request after {@code hold}, and notes each row's versions in the
     * order they were first answered 2xx.
     */
    static final class SlowReceiver implements AutoCloseable {
        private final HttpServer server;
        private final Duration hold;
        private final Map<String, List<Integer>> versions = new ConcurrentHashMap<>();
        private final AtomicLong delivered = new AtomicLong();
        /** The event id of every request answered 2xx, in the order they were. */
        private final List<String> arrivals = Collections.synchronizedList(new ArrayList<>());
        final AtomicLong requests = new AtomicLong();
        private volatile Duration down = Duration.ZERO;
        private volatile long upAt;
        private final AtomicLong failed = new AtomicLong();

        private SlowReceiver(HttpServer server, Duration hold) {
            this.server = server;
            this.hold = hold;
        }

        static SlowReceiver start(Duration hold) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
            SlowReceiver receiver = new SlowReceiver(server, hold);
            server.createContext("/hooks/docs", receiver::handle);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.start();
            return receiver;
        }

        /** Every request is answered 503 at once for {@code duration} from the first one on. */
        void downFor(Duration duration) {
            down = duration;
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/docs";
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange; InputStream in = exchange.getRequestBody()) {
                JsonNode body = JSON.readTree(in);
                if (requests.incrementAndGet() == 1) {
                    upAt = System.nanoTime() + down.toNanos();
                }
                if (System.nanoTime() - upAt < 0) {
                    failed.incrementAndGet();
                    exchange.sendResponseHeaders(503, -1);
                    return;
                }
                Thread.sleep(hold.toMillis());
                arrivals.add(body.path("event_id").asText());
                String entity = body.path("entity_id").asText();
                int version = body.path("after").path("v").asInt(-1);
                List<Integer> seen = versions.computeIfAbsent(entity, k -> new ArrayList<>());
                synchronized (seen) {
                    if (!seen.contains(version)) {
                        seen.add(version);
                        delivered.incrementAndGet();
                    }
                }
                exchange.sendResponseHeaders(200, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** The event id of every request answered 2xx, in the order they were. */
        List<String> arrivals() {
            synchronized (arrivals) {
                return List.copyOf(arrivals);
            }
        }

        /** Distinct (row, version) pairs answered 2xx. */
        long deliveredVersions() {
            return delivered.get();
        }

        /** Rows whose versions were first answered out of order, with the order they were. */
        Map<String, List<Integer>> outOfOrder() {
            Map<String, List<Integer>> wrong = new java.util.TreeMap<>();
            versions.forEach((entity, seen) -> {
                synchronized (seen) {
                    for (int i = 1; i < seen.size(); i++) {
                        if (seen.get(i) < seen.get(i - 1)) {
                            wrong.put(entity, List.copyOf(seen));
                            break;
                        }
                    }
                }
            });
            return wrong;
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
