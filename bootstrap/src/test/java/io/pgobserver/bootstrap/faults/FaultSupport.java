package io.pgobserver.bootstrap.faults;

import io.pgobserver.bootstrap.tracing.Signals;
import io.pgobserver.domain.testing.FreePorts;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/** Shared pieces of the fault and bad-input suites: ports, polling, a restartable PostgreSQL, the jar. */
final class FaultSupport {

    /** The packaged jar: failsafe runs after {@code package}, in the module's directory. */
    static final Path JAR = Path.of("target", "pg-observer.jar");

    private FaultSupport() {
    }

    static int freePort() {
        return FreePorts.take();
    }

    /** Polls until the condition holds; fails with the message after {@code timeout}. No timing is asserted. */
    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        if (!eventually(timeout, condition)) {
            throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
        }
    }

    /** Polls until the condition holds or {@code timeout} passes; whether it held. For checks asserted later. */
    static boolean eventually(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    /** Closes each in order, nulls skipped, going on past failures (the first is rethrown), then deletes the work dir. */
    static void closeAll(Path work, AutoCloseable... resources) throws Exception {
        Exception first = null;
        for (AutoCloseable resource : resources) {
            try {
                if (resource != null) {
                    resource.close();
                }
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        deleteTree(work);
        if (first != null) {
            throw first;
        }
    }

    /**
     * A condition on change_log row {@code l}: the consumer's saved checkpoint covers it. The checkpoint is (batch,
     * after_id): every row visible in the snapshot that ends the done batches, and the rows of the batch in progress
     * (visible in its end snapshot) up to after_id. Read from the tables the observer writes, as an operator would.
     */
    static String coveredByCheckpoint(String consumer) {
        if (!consumer.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("consumer " + consumer);
        }
        return "exists (select 1 from pgobserver.checkpoints k "
                + "join pgobserver.batches d on d.consumer = k.consumer and d.seq = k.batch - 1 "
                + "left join pgobserver.batches b on b.consumer = k.consumer and b.seq = k.batch "
                + "where k.consumer = '" + consumer + "' and (pg_visible_in_snapshot(l.txid, d.snapshot_to) "
                + "or (b.seq is not null and pg_visible_in_snapshot(l.txid, b.snapshot_to) and l.id <= k.after_id)))";
    }

    /**
     * How many change_log rows the consumer's saved checkpoint does not yet cover; -1 while the database is
     * unreachable.
     */
    static long uncovered(Postgres postgres, String consumer) {
        try (Connection c = postgres.connect("faults-admin");
             java.sql.PreparedStatement s = c.prepareStatement("select count(*) from pgobserver.change_log l "
                     + "where not " + coveredByCheckpoint(consumer))) {
            try (java.sql.ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            return -1;
        }
    }

    /** The body {@code GET http://127.0.0.1:port/path} answers, whatever its status, or null when nothing answers. */
    static String httpBody(int port, String path) {
        HttpResponse<String> response = get(port, path, HttpResponse.BodyHandlers.ofString());
        return response == null ? null : response.body();
    }

    /** The status {@code GET http://127.0.0.1:port/path} answers, or -1 when nothing answers (refused, timed out). */
    static int httpStatus(int port, String path) {
        HttpResponse<Void> response = get(port, path, HttpResponse.BodyHandlers.discarding());
        return response == null ? -1 : response.statusCode();
    }

    private static <T> HttpResponse<T> get(int port, String path, HttpResponse.BodyHandler<T> body) {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(2)).build(), body);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Writes an observer configuration file into the work directory. */
    static Path writeConfig(Path work, String name, String yaml) throws IOException {
        return Files.writeString(work.resolve(name), yaml);
    }

    /**
     * Runs {@code pg-observer install --table TABLE} from the jar (the capture trigger, the schema): the way a
     * user installs it.
     */
    static void install(Path config, Path log, String table) throws IOException, InterruptedException {
        ObserverProcess.Finished install = ObserverProcess.runToEnd("install " + table, log, Map.of(), "install",
                "--config", config.toString(), "--table", table);
        if (install.exitCode() != 0) {
            throw new AssertionError("install --table " + table + " exited " + install.exitCode() + ":\n"
                    + install.output());
        }
    }

    /** One change_log row as the stream holds it ({@code after} as JSON text, null for a delete). */
    record Row(long id, String eventId, String entityId, String kind, String after) {
    }

    /** Every change_log row, in id order. */
    static List<Row> changeLog(Postgres postgres) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (Connection c = postgres.connect("faults-admin"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select id, event_id::text, entity_id, kind, after::text "
                     + "from pgobserver.change_log order by id")) {
            while (rs.next()) {
                rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)));
            }
        }
        return rows;
    }

    /**
     * Sends signal {@code name} (STOP, CONT, ...) to process {@code pid}. SIGINT fails at once, saying why, where the
     * build has it ignored: the process would never hear it, and the test would fail later on a stop that never came.
     */
    static void signal(String name, long pid) throws IOException, InterruptedException {
        if (name.equals("INT") && Signals.sigintIgnored()) {
            throw new AssertionError("SIGINT is ignored in this build's JVM, and so in the observer it started, which "
                    + "cannot hear it: the build was started in the background by a shell without job control (as "
                    + "'mvn verify &' in a script), whose background commands inherit SIGINT ignored; run it in the "
                    + "foreground, or after 'set -m'");
        }
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + name + " " + pid + " failed");
        }
    }

    /** Runs one statement on a fresh session. */
    static void sql(Postgres postgres, String statement) throws SQLException {
        try (Connection c = postgres.connect("faults-admin"); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    /** A single number from a query on a fresh session. */
    /**
     * {@code rows} one-row transactions at {@code rate} a second, as an application writes: row n of
     * {@code public.items} with id and n both n.
     */
    static void insertItems(Postgres postgres, String writer, int rows, int rate) throws Exception {
        insertRows(postgres, writer, "public.items", 1, rows, rate);
    }

    /** As {@link #insertItems}, into {@code table} (an id and an n column, both bigint), from id {@code first}. */
    static void insertRows(Postgres postgres, String writer, String table, long first, int rows, int rate)
            throws Exception {
        long started = System.nanoTime();
        try (Connection c = postgres.connect(writer);
             java.sql.PreparedStatement insert = c.prepareStatement("insert into " + table + " values (?, ?)")) {
            for (long n = 1; n <= rows; n++) {
                insert.setLong(1, first + n - 1);
                insert.setLong(2, first + n - 1);
                insert.executeUpdate();
                long ahead = started + n * 1_000_000_000L / rate - System.nanoTime();
                if (ahead > 0) {
                    java.util.concurrent.TimeUnit.NANOSECONDS.sleep(ahead);
                }
            }
        }
    }

    static long queryLong(Postgres postgres, String query) throws SQLException {
        try (Connection c = postgres.connect("faults-admin"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The first column of the query's first row, or null when it has none. */
    static String queryString(Postgres postgres, String query) throws SQLException {
        try (Connection c = postgres.connect("faults-admin"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(query)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /**
     * Terminates every client session but the caller's own (the observer's, the writers', any other); how many.
     */
    static int terminateAllSessions(Postgres postgres) throws SQLException {
        return (int) queryLong(postgres, "select count(pg_terminate_backend(pid)) from pg_stat_activity "
                + "where pid <> pg_backend_pid() and backend_type = 'client backend'");
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The pieces every product-level test starts: a work directory, an embedded PostgreSQL, a webhook receiver
     * keeping its requests, the jar's processes (their output in {@code target/<name>-observers.log}); closed
     * together, processes first.
     */
    static final class Rig implements AutoCloseable {
        final Path work;
        final Path log;
        final Postgres postgres;
        final WebhookReceiver hooks;
        private final List<ObserverProcess> processes = new java.util.concurrent.CopyOnWriteArrayList<>();

        private Rig(Path work, Path log, Postgres postgres, WebhookReceiver hooks) {
            this.work = work;
            this.log = log;
            this.postgres = postgres;
            this.hooks = hooks;
        }

        /** Starts the pieces, then runs the statements (the application's tables) on the new database. */
        static Rig start(String name, String... ddl) throws IOException, SQLException {
            Path work = Files.createTempDirectory("pgobserver-" + name);
            Path log = Path.of("target", name + "-observers.log");
            Files.deleteIfExists(log);
            Postgres postgres = new Postgres(work.resolve("pgdata")).start();
            WebhookReceiver hooks = WebhookReceiver.start();
            hooks.keepRequests();
            for (String statement : ddl) {
                sql(postgres, statement);
            }
            return new Rig(work, log, postgres, hooks);
        }

        /**
         * Writes a run configuration: this database and consumer, tracing and metrics off, quick polls and saves,
         * the admin port (-1: none), extra {@code listener} lines, then the {@code observers} section's body.
         */
        /**
         * actions.max_requests_per_host of the rig's observers: every event in flight may hold a request to the one
         * receiver, as the faults need (DatabaseFaultsIT holds max_in_flight, 256, open at once).
         */
        static final int REQUESTS_PER_HOST = 256;

        Path config(String file, String consumer, int adminPort, String listener, String observers)
                throws IOException {
            String yaml = """
                    database: { url: "%s", user: postgres }
                    listener:
                      consumer: %s
                      poll_interval: 200ms
                      checkpoint_interval: 100ms
                    %s
                    tracing: { enabled: false }
                    metrics: { enabled: false }
                    admin: { port: %d }
                    actions: { connect_timeout: 1s, read_timeout: 2s, max_requests_per_host: %d }
                    observers:
                    %s
                    """.formatted(postgres.jdbcUrl(), consumer, listener.indent(2).stripTrailing(), adminPort,
                    REQUESTS_PER_HOST, observers.indent(2).stripTrailing());
            return writeConfig(work, file, yaml);
        }

        /**
         * The {@code observers} body of an observer {@code items} of public.items with one webhook to the rig's
         * receiver at /hooks/items, naming the sending process ({@code OBSERVER_PROCESS}) in an
         * {@code x-observer-process} header, retried for good (1,000 attempts, 100 to 500 ms apart).
         */
        String itemsNamingTheirSender() {
            return """
                    items:
                      entity: public.items
                      actions:
                        # An id of its own: the header differs between processes, and an action without an id is
                        # keyed by a hash of its settings, which would give each process other webhook-ids.
                        - { id: notify, type: webhook, url: "%s",
                            headers: { x-observer-process: "${OBSERVER_PROCESS:-none}" } }
                      retry: { max_attempts: 1000, initial_backoff: 100ms, max_backoff: 500ms }
                    """.formatted(hooks.url("/hooks/items"));
        }

        void install(Path config, String table) throws IOException, InterruptedException {
            FaultSupport.install(config, log, table);
        }

        /** The {@code --shutdown-timeout} every {@link #run} is given. */
        static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

        /** Starts {@code run --config FILE} as a child process, with these environment variables. */
        ObserverProcess run(String name, Path config, Map<String, String> env) throws IOException {
            return run(name, config, env, SHUTDOWN_TIMEOUT);
        }

        /** Starts {@code run --config FILE --shutdown-timeout TIMEOUT} as a child process. */
        ObserverProcess run(String name, Path config, Map<String, String> env, Duration shutdownTimeout)
                throws IOException {
            return run(name, config, env, ClassArchive.with(ObserverProcess.JVM), shutdownTimeout);
        }

        /** Starts {@code run --config FILE} as a child process with these JVM options instead of the suites'. */
        ObserverProcess run(String name, Path config, Map<String, String> env, List<String> jvm) throws IOException {
            return run(name, config, env, jvm, SHUTDOWN_TIMEOUT);
        }

        private ObserverProcess run(String name, Path config, Map<String, String> env, List<String> jvm,
                                    Duration shutdownTimeout) throws IOException {
            Map<String, String> all = new java.util.HashMap<>(env);
            all.putIfAbsent("PGOBSERVER_LOG_LEVEL", "INFO");
            ObserverProcess process = ObserverProcess.start(name, log, all, jvm, "run", "--config", config.toString(),
                    "--shutdown-timeout", shutdownTimeout.toMillis() + "ms");
            processes.add(process);
            return process;
        }

        /** The rows whose action posting to {@code path} was never answered 2xx (found by the body's event_id). */
        List<Row> undelivered(List<Row> rows, String path) {
            Map<String, Integer> ok = hooks.successesBy(r -> r.eventId() + " " + r.path());
            return rows.stream().filter(r -> !ok.containsKey(r.eventId() + " " + path)).toList();
        }

        /** Waits until {@code more} further requests have been answered 2xx: the observer is at work. */
        void awaitDeliveries(int more) throws InterruptedException {
            int now = hooks.successes().size();
            await(more + " more deliveries", Duration.ofMinutes(2), () -> hooks.successes().size() >= now + more);
        }

        /**
         * Waits (while the process runs) for every row's action at {@code path} to be answered 2xx, then fails
         * naming how many never were (lost: the position passed them, or the observer stalled), with samples.
         */
        void assertAllDelivered(ObserverProcess process, List<Row> rows, String path, Duration timeout)
                throws InterruptedException {
            eventually(timeout, () -> !process.isAlive() || undelivered(rows, path).isEmpty());
            assertRunning(process);
            List<Row> missing = undelivered(rows, path);
            if (!missing.isEmpty()) {
                throw new AssertionError(missing.size() + " of " + rows.size() + " events never answered 2xx at "
                        + path + " within " + timeout.toSeconds() + " s, e.g. " + missing.stream().limit(5).toList()
                        + "; log in " + log);
            }
        }

        /**
         * Waits until a process started beside an active one is up and on standby: it asked for the consumer's lock,
         * was refused, and said so (rather than a fixed few seconds for its start).
         */
        void awaitStandby(ObserverProcess process) throws InterruptedException {
            awaitWhileRunning(process, process.name() + " on standby", Duration.ofMinutes(2),
                    () -> process.count("Standing by: another process is the active listener") > 0);
        }

        /** Fails with the process's output when it is not running: nothing but the test may end {@code run}. */
        void assertRunning(ObserverProcess process) {
            if (!process.isAlive()) {
                throw new AssertionError(process.name() + " exited by itself (exit code " + process.exitCode()
                        + "); output (also in " + log + "):\n" + process.output());
            }
        }

        /** Waits as {@link FaultSupport#await} does, but fails at once, with its output, if the process exits. */
        void awaitWhileRunning(ObserverProcess process, String what, Duration timeout, BooleanSupplier condition)
                throws InterruptedException {
            await(what, timeout, () -> !process.isAlive() || condition.getAsBoolean());
            assertRunning(process);
        }

        @Override
        public void close() throws Exception {
            List<AutoCloseable> all = new ArrayList<>(processes);
            all.add(hooks);
            all.add(postgres);
            closeAll(work, all.toArray(AutoCloseable[]::new));
        }
    }

    /**
     * An embedded PostgreSQL on a fixed port and data directory, so that it can be stopped and started again. It
     * keeps the embedded server's {@code synchronous_commit=off}: the harsher case for crash tests, since an
     * immediate shutdown then loses acknowledged commits and hands their transaction ids out again. The observer's
     * own position writes are synchronous whatever the server says.
     */
    static final class Postgres implements AutoCloseable {
        private final Path dataDir;
        private final int port;
        private EmbeddedPostgres server;

        Postgres(Path dataDir) throws IOException {
            this.dataDir = dataDir;
            this.port = freePort();
        }

        synchronized Postgres start() throws IOException {
            if (!Files.exists(dataDir.resolve("postgresql.conf"))) {
                ClusterTemplate.copyTo(dataDir); // a new cluster, without an initdb of its own
            }
            server = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false)
                    .setPort(port).start();
            return this;
        }

        /** A fast shutdown (open sessions are cut), then a start on the same files and port. */
        synchronized void restart() throws IOException {
            server.close();
            server = null;
            start();
        }

        /**
         * A shutdown by signal to the postmaster, as {@code pg_ctl stop -m fast|immediate} sends it (SIGINT: sessions
         * cut, a checkpoint; SIGQUIT: everything stops at once, crash recovery at the next start), then a start on
         * the same files and port.
         */
        synchronized void restart(Shutdown shutdown) throws IOException, InterruptedException {
            stop(shutdown);
            start();
        }

        /** A shutdown by signal to the postmaster, as {@link #restart(Shutdown)} does, without the start. */
        synchronized void stop(Shutdown shutdown) throws IOException, InterruptedException {
            long postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).getFirst().strip());
            Process kill = new ProcessBuilder("kill", "-" + shutdown.signal, Long.toString(postmaster))
                    .inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IOException("kill -" + shutdown.signal + " " + postmaster + " failed");
            }
            ProcessHandle.of(postmaster).ifPresent(p -> p.onExit().orTimeout(60, TimeUnit.SECONDS).join());
            server.close(); // its own pg_ctl stop finds no server and says so; it releases the data directory
            server = null;
        }

        /**
         * SIGSTOP (true) or SIGCONT (false) to the postmaster and every backend: a server that answers nothing, not
         * even a refusal, as one cut off by the network (a failover's old primary) looks to its clients.
         */
        synchronized void freeze(boolean frozen) throws IOException, InterruptedException {
            long postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).getFirst().strip());
            ProcessHandle root = ProcessHandle.of(postmaster).orElseThrow();
            // The postmaster first when freezing, last when waking: it forks no backend the loop would miss.
            if (frozen) {
                signalIfAlive("STOP", root);
            }
            for (ProcessHandle backend : root.descendants().toList()) {
                signalIfAlive(frozen ? "STOP" : "CONT", backend);
            }
            if (!frozen) {
                signalIfAlive("CONT", root);
            }
        }

        /** A backend may end between the listing and the signal (a session closing): that one needs none. */
        private static void signalIfAlive(String name, ProcessHandle process) throws IOException,
                InterruptedException {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (kill.waitFor() != 0 && process.isAlive()) {
                throw new IOException("kill -" + name + " " + process.pid() + " failed");
            }
        }

        enum Shutdown {
            FAST("INT"), IMMEDIATE("QUIT");

            private final String signal;

            Shutdown(String signal) {
                this.signal = signal;
            }
        }

        int port() {
            return port;
        }

        String jdbcUrl() {
            return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        }

        Connection connect(String applicationName) throws SQLException {
            return DriverManager.getConnection(jdbcUrl() + "?ApplicationName=" + applicationName, "postgres", "");
        }

        @Override
        public synchronized void close() throws IOException {
            if (server != null) {
                server.close();
                server = null;
            }
        }
    }

    /**
     * Streams row changes in small transactions: inserts, some updates (one in twelve with {@code d = 0}, which
     * makes the 'ratio' condition fail: a dead letter), one row in fifty a poison row the webhook refuses, a
     * third of the transactions inside a client trace. Errors (PostgreSQL down, session cut) are retried on a
     * new connection; the change_log is the truth of what was written.
     */
    static final class Writer implements Runnable {
        /** The table it writes to; the 'ratio' observers divide n by d. */
        static final String TABLE_DDL = "create table public.items (id bigserial primary key, n int not null, "
                + "d int not null, poison boolean not null default false)";

        private final FaultSupport.Postgres postgres;
        private final Random random;
        private final long pauseMillis;
        private Thread thread;
        volatile boolean stop;
        final AtomicLong committedTx = new AtomicLong();
        final AtomicLong committedEvents = new AtomicLong();
        final AtomicLong failures = new AtomicLong();

        /** A writer pausing this long between transactions (60 ms: a trickle; 0: as fast as one session goes). */
        Writer(FaultSupport.Postgres postgres, Random random, long pauseMillis) {
            this.postgres = postgres;
            this.random = random;
            this.pauseMillis = pauseMillis;
        }

        Writer start() {
            thread = Thread.ofPlatform().name("faults-writer").start(this);
            return this;
        }

        /** Stops writing and waits for the last transaction to end. */
        void stop() throws InterruptedException {
            stop = true;
            if (thread != null) {
                thread.join(30_000);
            }
        }

        @Override
        public void run() {
            Connection c = null;
            long maxId = 0;
            while (!stop) {
                try {
                    if (c == null) {
                        c = postgres.connect("faults-writer");
                        c.setAutoCommit(false);
                    }
                    int events = 0;
                    if (random.nextInt(3) == 0) {
                        try (Statement s = c.createStatement()) {
                            s.execute("set local pgobserver.traceparent = '" + traceparent() + "'");
                        }
                    }
                    try (PreparedStatement insert = c.prepareStatement(
                            "insert into public.items (n, d, poison) values (?, ?, ?) returning id")) {
                        for (int i = 1 + random.nextInt(3); i > 0; i--) {
                            insert.setInt(1, random.nextInt(1_000));
                            insert.setInt(2, 1 + random.nextInt(9));
                            insert.setBoolean(3, random.nextInt(50) == 0);
                            try (ResultSet rs = insert.executeQuery()) {
                                rs.next();
                                maxId = Math.max(maxId, rs.getLong(1));
                            }
                            events++;
                        }
                    }
                    if (maxId > 0 && random.nextInt(3) == 0) {
                        try (PreparedStatement update = c.prepareStatement(
                                "update public.items set n = n + 1, d = ? where id = ?")) {
                            update.setInt(1, random.nextInt(12) == 0 ? 0 : 1 + random.nextInt(9));
                            update.setLong(2, 1 + (long) random.nextInt((int) Math.min(maxId, Integer.MAX_VALUE)));
                            events += update.executeUpdate();
                        }
                    }
                    c.commit();
                    committedTx.incrementAndGet();
                    committedEvents.addAndGet(events);
                } catch (SQLException e) {
                    failures.incrementAndGet();
                    try {
                        if (c != null) {
                            c.close();
                        }
                    } catch (SQLException ignored) {
                        // already broken
                    }
                    c = null;
                    sleep(200);
                }
                sleep(pauseMillis);
            }
            try {
                if (c != null) {
                    c.close();
                }
            } catch (SQLException ignored) {
                // closing at the end
            }
        }

        private String traceparent() {
            byte[] trace = new byte[16];
            byte[] span = new byte[8];
            random.nextBytes(trace);
            random.nextBytes(span);
            trace[0] |= 1;
            span[0] |= 1;
            return "00-" + HexFormat.of().formatHex(trace) + "-" + HexFormat.of().formatHex(span) + "-01";
        }

        private static void sleep(long millis) {
            if (millis <= 0) {
                return;
            }
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
