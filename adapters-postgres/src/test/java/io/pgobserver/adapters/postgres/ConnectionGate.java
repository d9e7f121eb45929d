package io.pgobserver.adapters.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A port in front of a real PostgreSQL that lets new connections through, holds them unanswered (a server slow to
 * take a session), or hangs up on them (a server going away: the connections already through are cut too).
 */
final class ConnectionGate implements AutoCloseable {

    enum Mode { THROUGH, HOLD, HANG_UP }

    private final ServerSocket server;
    private final int postgresPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger held = new AtomicInteger();
    private final AtomicInteger hungUp = new AtomicInteger();
    private volatile Mode mode = Mode.THROUGH;

    private ConnectionGate(int postgresPort) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.postgresPort = postgresPort;
        Thread.ofPlatform().daemon().name("connection gate").start(this::admit);
    }

    static ConnectionGate to(int postgresPort) throws IOException {
        return new ConnectionGate(postgresPort);
    }

    /** The URL of {@code database} through the gate. */
    String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + server.getLocalPort() + "/" + database;
    }

    void mode(Mode next) {
        mode = next;
        if (next == Mode.HANG_UP) {
            sockets.forEach(ConnectionGate::closeQuietly);
        }
    }

    /** How many connections it holds unanswered. */
    int held() {
        return held.get();
    }

    /** How many connections it hung up on. */
    int hungUp() {
        return hungUp.get();
    }

    private void admit() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                switch (mode) {
                    case THROUGH -> through(client);
                    case HOLD -> {
                        sockets.add(client);
                        held.incrementAndGet();
                    }
                    case HANG_UP -> {
                        client.close();
                        hungUp.incrementAndGet();
                    }
                }
            } catch (IOException e) {
                if (!server.isClosed()) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    private void through(Socket client) throws IOException {
        Socket postgres = new Socket(InetAddress.getLoopbackAddress(), postgresPort);
        sockets.add(client);
        sockets.add(postgres);
        pump(client.getInputStream(), postgres.getOutputStream(), client, postgres);
        pump(postgres.getInputStream(), client.getOutputStream(), client, postgres);
    }

    private static void pump(InputStream from, OutputStream to, Socket one, Socket other) {
        Thread.ofVirtual().start(() -> {
            try {
                from.transferTo(to);
            } catch (IOException e) {
                // cut: the other side learns it as the sockets close
            } finally {
                closeQuietly(one);
                closeQuietly(other);
            }
        });
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        sockets.forEach(ConnectionGate::closeQuietly);
    }
}
