package io.pgobserver.bootstrap.faults;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/** Shared pieces of the fault and bad-input suites: ports, polling, a restartable PostgreSQL, the jar. */
final class FaultSupport {

    /** The packaged jar: failsafe runs after {@code package}, in the module's directory. */
    static final Path JAR = Path.of("target", "pg-observer.jar");

    private FaultSupport() {
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Polls until the condition holds; fails with the message after {@code timeout}. No timing is asserted. */
    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(100);
        }
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
     * How many change_log rows the consumer's saved checkpoint does not yet cover; -1 while the database is
     * unreachable.
     */
    static long uncovered(Postgres postgres, String consumer) {
        try (Connection c = postgres.connect("faults-admin");
             java.sql.PreparedStatement s = c.prepareStatement("select count(*) from pgobserver.change_log l "
                     + "where not exists (select 1 from pgobserver.checkpoints k where k.consumer = ? "
                     + "and (l.txid, l.id) <= (k.txid, k.\"offset\"))")) {
            s.setString(1, consumer);
            try (java.sql.ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            return -1;
        }
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

    /** An embedded PostgreSQL on a fixed port and data directory, so that it can be stopped and started again. */
    static final class Postgres implements AutoCloseable {
        private final Path dataDir;
        private final int port;
        private EmbeddedPostgres server;

        Postgres(Path dataDir) throws IOException {
            this.dataDir = dataDir;
            this.port = freePort();
        }

        synchronized Postgres start() throws IOException {
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
}
