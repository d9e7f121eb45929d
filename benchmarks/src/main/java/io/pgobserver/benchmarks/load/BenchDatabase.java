package io.pgobserver.benchmarks.load;

import io.pgobserver.domain.spi.ApplicationDatabase.Statement;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The database the bench runs against: the embedded server it started (its own, to empty at will), or one named
 * with {@code --jdbc-url}, where other rows may live and only the bench's own are ever removed.
 *
 * @param jdbcUrl  {@code jdbc:postgresql://host:port/database}
 * @param user     the role to connect as
 * @param password null for none
 * @param external true when the bench did not start this server
 */
record BenchDatabase(String jdbcUrl, String user, String password, boolean external) {

    /** pgobserver's tables whose rows belong to one consumer (column {@code consumer}). */
    private static final List<String> PER_CONSUMER = List.of("checkpoints", "batches", "deliveries",
            "parked_events", "dead_letters", "snapshot_takers");

    static BenchDatabase embedded(int port) {
        return new BenchDatabase("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", null, false);
    }

    /**
     * Statements that leave no row a run of {@code consumer} could read or skip: TRUNCATE fires no capture. On the
     * embedded server, every table is emptied. On another server, the bench's table (the bench created it and owns
     * it), the change_log rows captured from it, and the rows of this consumer only: other applications' changes
     * and other consumers' positions stay as they were.
     */
    List<Statement> reset(String table, String consumer) {
        if (!external) {
            return List.of(Statement.of("truncate " + table + ", pgobserver.change_log, pgobserver.deliveries, "
                            + "pgobserver.batches, pgobserver.dead_letters, pgobserver.parked_events, "
                            + "pgobserver.snapshot_takers"),
                    Statement.of("delete from pgobserver.checkpoints"));
        }
        List<Statement> statements = new java.util.ArrayList<>();
        statements.add(Statement.of("truncate " + table));
        statements.add(Statement.of("delete from pgobserver.change_log where entity_type = ?", table));
        for (String perConsumer : PER_CONSUMER) {
            statements.add(Statement.of("delete from pgobserver." + perConsumer + " where consumer = ?", consumer));
        }
        return statements;
    }

    /** The host of {@link #jdbcUrl}, for a peer that is configured by parts (Debezium). */
    String host() {
        return address().getHost();
    }

    /** The port of {@link #jdbcUrl}; PostgreSQL's 5432 when it names none. */
    int port() {
        return address().getPort() < 0 ? 5432 : address().getPort();
    }

    /** The database name of {@link #jdbcUrl}. */
    String name() {
        String path = address().getPath();
        return path == null || path.length() < 2 ? user : path.substring(1);
    }

    private java.net.URI address() {
        return java.net.URI.create(jdbcUrl.substring("jdbc:".length()));
    }

    /** The {@code database:} section of the observer's configuration. */
    String yaml() {
        return "database:\n  url: " + quoted(jdbcUrl) + "\n  user: " + quoted(user) + "\n"
                + (password == null ? "" : "  password: " + quoted(password) + "\n");
    }

    /** A YAML double-quoted scalar: any password or URL survives it. */
    private static String quoted(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    @Override
    public String toString() {
        // Never the password: this is printed in the report.
        return (external ? "" : "embedded ") + jdbcUrl + " as " + user;
    }

    /**
     * Stock settings: the embedded binaries default to synchronous_commit=off, which no production server runs and
     * which would flatter every commit the writer and the observer make. Logical WAL for the whole run, so that the
     * observer and a logical-decoding peer are measured on one server configuration.
     */
    static EmbeddedPostgres startEmbedded(PrintStream out, Path data) throws java.io.IOException {
        out.println("[bench] starting an embedded PostgreSQL...");
        return EmbeddedPostgres.builder().setDataDirectory(data.resolve("pg"))
                .setServerConfig("synchronous_commit", "on").setServerConfig("wal_level", "logical")
                .setServerConfig("max_replication_slots", "4").setServerConfig("max_wal_senders", "4")
                .setCleanDataDirectory(true).start();
    }
}
