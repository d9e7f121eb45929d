package io.pgobserver.bootstrap.faults;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A front to a real SMTP server (GreenMail) that defers one recipient ({@code 452}, as a full mailbox does) while
 * told to, and passes every other line through: the server takes the mail for the others only, a partial send.
 * SMTP without pipelining is one line, one answer, so a refused line is answered here and never reaches the server.
 */
final class DeferringSmtp implements AutoCloseable {

    private final ServerSocket socket;
    private final int serverPort;
    private final String deferred;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean deferring = true;

    private DeferringSmtp(int serverPort, String deferred) throws IOException {
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.serverPort = serverPort;
        this.deferred = "<" + deferred.toLowerCase(Locale.ROOT) + ">";
        threads.submit(this::accept);
    }

    /** Starts a front to the server on {@code serverPort}, deferring {@code recipient}. */
    static DeferringSmtp start(int serverPort, String recipient) throws IOException {
        return new DeferringSmtp(serverPort, recipient);
    }

    int port() {
        return socket.getLocalPort();
    }

    /** From now on every recipient goes through: the mailbox has room again. */
    void stopDeferring() {
        deferring = false;
    }

    private Void accept() throws IOException {
        while (!socket.isClosed()) {
            Socket client = socket.accept();
            Socket server = new Socket(InetAddress.getLoopbackAddress(), serverPort);
            OutputStream toClient = client.getOutputStream();
            threads.submit(() -> pump(server.getInputStream(), toClient, client));
            threads.submit(() -> filter(new BufferedInputStream(client.getInputStream()), server.getOutputStream(), toClient, server));
        }
        return null;
    }

    private Void pump(InputStream from, OutputStream to, Socket closeAfter) throws IOException {
        try (closeAfter) {
            byte[] buffer = new byte[8192];
            for (int n; (n = from.read(buffer)) > 0; ) {
                synchronized (to) {
                    to.write(buffer, 0, n);
                    to.flush();
                }
            }
        }
        return null;
    }

    private Void filter(InputStream client, OutputStream server, OutputStream toClient, Socket closeAfter)
            throws IOException {
        try (closeAfter) {
            for (byte[] line; (line = line(client)) != null; ) {
                String text = new String(line, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
                if (deferring && text.startsWith("rcpt to:") && text.contains(deferred)) {
                    synchronized (toClient) {
                        toClient.write("452 4.2.2 Mailbox full, try again later\r\n".getBytes(StandardCharsets.US_ASCII));
                        toClient.flush();
                    }
                } else {
                    server.write(line);
                    server.flush();
                }
            }
        }
        return null;
    }

    /** The next line with its line end, or null at the end of the stream. */
    private static byte[] line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) >= 0; ) {
            line.write(b);
            if (b == '\n') {
                return line.toByteArray();
            }
        }
        return line.size() == 0 ? null : line.toByteArray();
    }

    @Override
    public void close() throws IOException {
        socket.close();
        threads.shutdownNow();
    }
}
