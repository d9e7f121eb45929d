package io.pgobserver.adapters.email;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A small SMTP server that speaks the protocol (RFC 5321) and answers every {@code RCPT TO} with a scripted
 * reply, so tests can see how the executor treats a recipient the server refuses (550) or defers (451) —
 * something GreenMail does not do.
 */
final class ScriptedSmtpServer implements AutoCloseable {

    private final ServerSocket socket;
    private final String rcptReply;
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    ScriptedSmtpServer(String rcptReply) throws IOException {
        this.socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        this.rcptReply = rcptReply;
        this.acceptor = Thread.ofPlatform().daemon().name("scripted-smtp").start(this::acceptLoop);
    }

    int port() {
        return socket.getLocalPort();
    }

    /** Every command received, in order. */
    List<String> commands() {
        return List.copyOf(commands);
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try (Socket client = socket.accept()) {
                client.setSoTimeout(30_000);
                converse(client);
            } catch (IOException e) {
                // closed by the test, or the client hung up: wait for the next connection
            }
        }
    }

    private void converse(Socket client) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
        OutputStream out = client.getOutputStream();
        reply(out, "220 scripted.test ESMTP");
        String line;
        while ((line = in.readLine()) != null) {
            commands.add(line);
            String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(Locale.ROOT) : line;
            switch (verb) {
                case "EHLO", "HELO" -> reply(out, "250-scripted.test\r\n250 8BITMIME");
                case "MAIL", "RSET", "NOOP" -> reply(out, "250 2.0.0 OK");
                case "RCPT" -> reply(out, rcptReply);
                case "DATA" -> {
                    reply(out, "354 End data with <CR><LF>.<CR><LF>");
                    while ((line = in.readLine()) != null && !line.equals(".")) {
                        // the message is not kept
                    }
                    reply(out, "250 2.0.0 queued");
                }
                case "QUIT" -> {
                    reply(out, "221 2.0.0 bye");
                    return;
                }
                default -> reply(out, "502 5.5.2 command not recognized");
            }
        }
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
        try {
            acceptor.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
