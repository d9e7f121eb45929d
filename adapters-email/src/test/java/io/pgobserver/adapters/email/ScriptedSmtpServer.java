package io.pgobserver.adapters.email;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A small SMTP server that speaks the protocol (RFC 5321) and answers with scripted replies, so tests can see how
 * the executor treats what real servers answer and GreenMail does not: a recipient refused (550) or deferred (451)
 * among accepted ones, a greeting of 421 or 554, a login deferred (454), a sender refused until STARTTLS (530), a
 * message deferred at the end of DATA, a TLS certificate (SMTPS from the first byte, or after STARTTLS).
 */
final class ScriptedSmtpServer implements AutoCloseable {

    static final String OK = "250 2.0.0 OK";

    /**
     * The replies: to the connection, {@code EHLO}, {@code MAIL FROM}, each {@code RCPT TO} (by its address), and
     * the end of {@code DATA}.
     */
    record Script(String greeting, String auth, String mailFrom, Function<String, String> rcpt, String dataEnd) {

        /** Every recipient answered with the reply given by {@code rcpt}; everything else accepted. */
        static Script recipients(Function<String, String> rcpt) {
            return new Script("220 scripted.test ESMTP", null, OK, rcpt, "250 2.0.0 queued");
        }

        /** Every command accepted. */
        static Script acceptingAll() {
            return recipients(address -> OK);
        }

        /** Greets with {@code reply}; null: the server accepts the connection and never answers. */
        Script greeting(String reply) {
            return new Script(reply, auth, mailFrom, rcpt, dataEnd);
        }

        /** Offers AUTH and answers its first line with {@code reply}. */
        Script auth(String reply) {
            return new Script(greeting, reply, mailFrom, rcpt, dataEnd);
        }

        Script mailFrom(String reply) {
            return new Script(greeting, auth, reply, rcpt, dataEnd);
        }

        /** Answers the end of the data with {@code reply}; null: takes the data and never answers. */
        Script dataEnd(String reply) {
            return new Script(greeting, auth, mailFrom, rcpt, reply);
        }

        String ehlo(boolean startTls) {
            return "250-scripted.test\r\n" + (startTls ? "250-STARTTLS\r\n" : "")
                    + (auth == null ? "" : "250-AUTH PLAIN LOGIN\r\n") + "250 8BITMIME";
        }
    }

    /** How the server speaks TLS with its certificate: from the first byte (SMTPS), or after STARTTLS. */
    enum Tls { SMTPS, STARTTLS }

    private final ServerSocket socket;
    private final Script script;
    private final SSLContext certificate;
    private final Tls tls;
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final List<List<String>> deliveries = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    /** Every {@code RCPT TO} answered with {@code rcptReply}. */
    ScriptedSmtpServer(String rcptReply) throws IOException {
        this(Script.recipients(address -> rcptReply));
    }

    ScriptedSmtpServer(Script script) throws IOException {
        this(script, null, null);
    }

    /** Speaks TLS with the key and certificate of {@code certificate}, as {@code tls} says. */
    ScriptedSmtpServer(Script script, SSLContext certificate, Tls tls) throws IOException {
        this.socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        this.script = script;
        this.certificate = certificate;
        this.tls = tls;
        this.acceptor = Thread.ofPlatform().daemon().name("scripted-smtp").start(this::acceptLoop);
    }

    int port() {
        return socket.getLocalPort();
    }

    /** Every command received, in order. */
    List<String> commands() {
        return List.copyOf(commands);
    }

    /** The recipients of each message the server took (a 250 at the end of DATA), in order. */
    List<List<String>> deliveries() {
        return List.copyOf(deliveries);
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try (Socket client = socket.accept()) {
                client.setSoTimeout(30_000);
                converse(tls == Tls.SMTPS ? serverTls(client) : client, true);
            } catch (IOException e) {
                // closed by the test, the client hung up or refused the certificate: wait for the next connection
            }
        }
    }

    private SSLSocket serverTls(Socket client) throws IOException {
        SSLSocket secured = (SSLSocket) certificate.getSocketFactory().createSocket(client,
                client.getInetAddress().getHostAddress(), client.getPort(), true);
        secured.setUseClientMode(false);
        secured.startHandshake();
        return secured;
    }

    /** @param greet false after STARTTLS, where the conversation goes on with a new EHLO */
    private void converse(Socket client, boolean greet) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
        OutputStream out = client.getOutputStream();
        if (script.greeting() == null) {
            // A server that never answers: the client's timeout ends the conversation.
            while (in.read() >= 0) {
                // nothing is answered
            }
            return;
        }
        if (greet) {
            reply(out, script.greeting());
        }
        if (!script.greeting().startsWith("220")) {
            return;
        }
        List<String> accepted = new ArrayList<>();
        String line;
        while ((line = in.readLine()) != null) {
            commands.add(line);
            String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(Locale.ROOT) : line;
            switch (verb) {
                case "EHLO", "HELO" -> reply(out, script.ehlo(tls == Tls.STARTTLS && !(client instanceof SSLSocket)));
                case "STAR" -> {
                    reply(out, "220 2.0.0 Ready to start TLS");
                    converse(serverTls(client), false);
                    return;
                }
                case "MAIL" -> {
                    accepted.clear();
                    reply(out, script.mailFrom());
                }
                case "RSET" -> {
                    accepted.clear();
                    reply(out, OK);
                }
                case "NOOP" -> reply(out, OK);
                case "AUTH" -> reply(out, script.auth() == null ? "502 5.5.2 no AUTH here" : script.auth());
                case "RCPT" -> {
                    String address = line.substring(line.indexOf('<') + 1, line.lastIndexOf('>'));
                    String answer = script.rcpt().apply(address);
                    if (answer.startsWith("2")) {
                        accepted.add(address);
                    }
                    reply(out, answer);
                }
                case "DATA" -> {
                    reply(out, "354 End data with <CR><LF>.<CR><LF>");
                    while ((line = in.readLine()) != null && !line.equals(".")) {
                        // the message is not kept
                    }
                    if (script.dataEnd() == null) {
                        while (in.read() >= 0) {
                            // whether the mail was taken is never said: the client's timeout ends the conversation
                        }
                        return;
                    }
                    if (script.dataEnd().startsWith("2")) {
                        deliveries.add(List.copyOf(accepted));
                    }
                    accepted.clear();
                    reply(out, script.dataEnd());
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
