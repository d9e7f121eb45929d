package io.pgobserver.bootstrap.tracing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A trace back-end that takes every connection and never reads or answers: a hung collector, or a load balancer that
 * holds connections with no healthy target behind it. Unlike a closed port, an exporter learns nothing until its own
 * timeout.
 */
final class HangingBackend implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> held = new CopyOnWriteArrayList<>();

    private HangingBackend(ServerSocket server) {
        this.server = server;
        Thread.ofPlatform().daemon().name("hanging-backend-" + server.getLocalPort()).start(this::accept);
    }

    static HangingBackend start() throws IOException {
        return new HangingBackend(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                held.add(server.accept());
            } catch (IOException closed) {
                return;
            }
        }
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** Connections taken so far. */
    int accepted() {
        return held.size();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : held) {
            socket.close();
        }
    }
}
