package io.pgobserver.adapters.email;

import io.pgobserver.sockets.NoDelaySockets;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * One email, as the email action sends it: a connection of its own, the SMTP dialogue, the message, QUIT, to a
 * loopback server that answers each command in one write, as mail servers do. {@code noDelay} picks the client's
 * sockets: Jakarta Mail's default (Nagle's algorithm on, the email action's before) or {@link NoDelaySockets} (the
 * email action's now, set as {@code mail.smtp.socketFactory}). Mail writes the message through an 8 KiB buffer and
 * ends it with a short write, which, with Nagle on, waits for the server to acknowledge the data before it; the
 * server answers only at the message's end, so its kernel delays that acknowledgement (40 ms on Linux).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MailNagleBenchmark {

    @Param({"false", "true"})
    public boolean noDelay;

    @Param({"1000", "10000", "20000", "100000"})
    public int bytes;

    private ServerSocket server;
    private Thread acceptor;
    private Session session;
    private MimeMessage message;

    @Setup(Level.Trial)
    public void setUp() throws IOException, MessagingException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofPlatform().daemon().name("smtp-accept").start(this::accept);
        Properties props = new Properties();
        props.setProperty("mail.smtp.host", "127.0.0.1");
        props.setProperty("mail.smtp.port", Integer.toString(server.getLocalPort()));
        if (noDelay) {
            props.put("mail.smtp.socketFactory", new NoDelaySockets());
        }
        session = Session.getInstance(props);
        message = new MimeMessage(session);
        message.setFrom("observer@example.com");
        message.setRecipients(Message.RecipientType.TO, "ops@example.com");
        message.setSubject("order shipped");
        message.setText("x".repeat(bytes));
        message.saveChanges();
    }

    @Benchmark
    public void send() throws MessagingException {
        try (Transport transport = session.getTransport("smtp")) {
            transport.connect();
            transport.sendMessage(message, message.getAllRecipients());
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread.ofVirtual().start(() -> converse(client));
            } catch (IOException e) {
                return; // closed by tearDown
            }
        }
    }

    /** The server's side: each reply in one write, the message read to its ending dot. */
    private static void converse(Socket client) {
        try (client; BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(),
                StandardCharsets.ISO_8859_1)); OutputStream out = client.getOutputStream()) {
            reply(out, "220 bench ESMTP");
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String command = line.length() < 4 ? line : line.substring(0, 4).toUpperCase(java.util.Locale.ROOT);
                switch (command) {
                    case "DATA" -> {
                        reply(out, "354 end with <CRLF>.<CRLF>");
                        for (String data = in.readLine(); data != null && !data.equals("."); data = in.readLine()) {
                            // the message's lines: read and dropped
                        }
                        reply(out, "250 queued");
                    }
                    case "QUIT" -> {
                        reply(out, "221 bye");
                        return;
                    }
                    default -> reply(out, "250 ok");
                }
            }
        } catch (IOException e) {
            // the client hung up: the next connection is another email
        }
    }

    private static void reply(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException, InterruptedException {
        server.close();
        acceptor.join();
    }
}
