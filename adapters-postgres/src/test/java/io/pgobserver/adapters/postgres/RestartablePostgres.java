package io.pgobserver.adapters.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** An embedded PostgreSQL on a fixed port and data directory: it can be stopped, or crashed, and started again. */
final class RestartablePostgres implements AutoCloseable {

    private final Path dataDirectory;
    private final int port;
    private EmbeddedPostgres server;

    private RestartablePostgres(Path dataDirectory, int port) {
        this.dataDirectory = dataDirectory;
        this.port = port;
    }

    static RestartablePostgres start(Path dataDirectory) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        RestartablePostgres postgres = new RestartablePostgres(dataDirectory, port);
        postgres.start();
        return postgres;
    }

    EmbeddedPostgres server() {
        return server;
    }

    void start() throws IOException {
        server = EmbeddedPostgres.builder().setDataDirectory(dataDirectory).setCleanDataDirectory(false)
                .setPort(port).start();
    }

    /** A fast shutdown. */
    void stop() throws IOException {
        server.close();
    }

    /** SIGQUIT to the postmaster: every process stops at once, unflushed WAL is lost; crash recovery at the start. */
    void crashAndStart() throws IOException, InterruptedException {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        long postmaster = Long.parseLong(Files.readAllLines(pidFile).getFirst().strip());
        Process kill = new ProcessBuilder("kill", "-QUIT", Long.toString(postmaster)).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -QUIT " + postmaster + " failed");
        }
        ProcessHandle.of(postmaster).ifPresent(p -> p.onExit().orTimeout(60, TimeUnit.SECONDS).join());
        server.close(); // its own stop finds no server; this releases the data directory
        start();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
