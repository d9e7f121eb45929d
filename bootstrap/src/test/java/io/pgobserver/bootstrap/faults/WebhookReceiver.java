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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A webhook target on raw sockets, so a test can script what a real one does on a bad day: 5xx, 429 with
 * {@code Retry-After}, answers slower than the observer's timeout, connection resets (RST) and bodies that
 * trickle. An HTTP library would hide exactly the misbehaviour under test.
 *
 * <p>A request counts as delivered only when it is answered 2xx at once, in full: answers the observer cannot
 * have seen as a success (late, cut, trickling) never count, so the loss check cannot be fooled by them.
 */
final class WebhookReceiver implements AutoCloseable {

    enum Mode { OK, ERROR_5XX, TOO_MANY_REQUESTS, SLOW, RESET, SLOW_BODY }

    /** One request as received; header names lower-cased. */
    record Request(String method, String path, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final ServerSocket server;
    private final ExecutorService connections = Executors.newVirtualThreadPerTaskExecutor();
    private final Thread acceptor;
    private volatile Mode mode = Mode.OK;
    private volatile Predicate<Request> reject = r -> false;
    private volatile boolean keepRequests;
    private final Map<String, AtomicInteger> delivered = new ConcurrentHashMap<>();
    private final List<Request> kept = new CopyOnWriteArrayList<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong misbehaved = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();

    private WebhookReceiver(ServerSocket server) {
        this.server = server;
        this.acceptor = Thread.ofPlatform().daemon().name("webhook-receiver").start(this::acceptLoop);
    }

    static WebhookReceiver start() throws IOException {
        return new WebhookReceiver(new ServerSocket(0, 200, InetAddress.getLoopbackAddress()));
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getLocalPort() + path;
    }

    void mode(Mode mode) {
        this.mode = mode;
    }

    /** Requests this predicate matches are answered 422, a permanent failure, whatever the mode. */
    void rejectWhen(Predicate<Request> predicate) {
        this.reject = predicate;
    }

    /** Keeps every request (bodies included) for inspection; off by default to keep memory flat. */
    void keepRequests() {
        this.keepRequests = true;
    }

    List<Request> requests() {
        return List.copyOf(kept);
    }

    /** Delivery ids answered 2xx, with how many times each was. */
    Map<String, Integer> delivered() {
        Map<String, Integer> copy = new LinkedHashMap<>();
        delivered.forEach((id, count) -> {
            int n = count.get();
            if (n > 0) {
                copy.put(id, n);
            }
        });
        return copy;
    }

    long requestCount() {
        return requests.get();
    }

    /** Requests answered with a fault (5xx, 429, late, reset, trickling body). */
    long faultedCount() {
        return misbehaved.get();
    }

    long rejectedCount() {
        return rejected.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.execute(() -> serve(socket));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (true) {
                Request request = read(in);
                if (request == null) {
                    return;
                }
                requests.incrementAndGet();
                if (keepRequests) {
                    kept.add(request);
                }
                if (!answer(socket, out, request)) {
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // The client went away (timed out, killed): nothing to answer.
        }
    }

    /** Answers one request; false when the connection is to be dropped. */
    private boolean answer(Socket socket, OutputStream out, Request request) throws IOException, InterruptedException {
        if (reject.test(request)) {
            rejected.incrementAndGet();
            write(out, 422, "Unprocessable Content", "", "rejected");
            return true;
        }
        Mode now = mode;
        if (now != Mode.OK) {
            misbehaved.incrementAndGet();
        }
        switch (now) {
            case OK -> {
                // Recorded before the answer goes out: once the observer has read the 2xx it may save a checkpoint
                // past the event at once, and a reconciliation must then find the delivery. An answer that cannot
                // be written (the observer is gone) takes the record back.
                String id = request.header("webhook-id");
                AtomicInteger count = id == null ? null : delivered.computeIfAbsent(id, k -> new AtomicInteger());
                if (count != null) {
                    count.incrementAndGet();
                }
                try {
                    write(out, 200, "OK", "", "ok");
                } catch (IOException e) {
                    if (count != null) {
                        count.decrementAndGet();
                    }
                    throw e;
                }
                return true;
            }
            case ERROR_5XX -> {
                write(out, 503, "Service Unavailable", "", "down for maintenance");
                return true;
            }
            case TOO_MANY_REQUESTS -> {
                write(out, 429, "Too Many Requests", "Retry-After: 1\r\n", "slow down");
                return true;
            }
            case SLOW -> {
                // Longer than the observer's timeout; and a 503 in case it is still listening, so a late answer
                // is never a delivery.
                Thread.sleep(2_500);
                write(out, 503, "Service Unavailable", "", "too late");
                return false;
            }
            case RESET -> {
                socket.setSoLinger(true, 0); // close() now sends RST instead of FIN
                return false;
            }
            case SLOW_BODY -> {
                byte[] body = "trickle-trickle-trickle".getBytes(StandardCharsets.US_ASCII);
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                for (byte b : body) {
                    Thread.sleep(200);
                    out.write(b);
                    out.flush();
                }
                return false;
            }
            default -> throw new IllegalStateException(now.toString());
        }
    }

    private static void write(OutputStream out, int status, String reason, String extraHeaders, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + status + " " + reason + "\r\n" + extraHeaders
                + "Content-Type: text/plain\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }

    private static Request read(InputStream in) throws IOException {
        String requestLine = line(in);
        if (requestLine == null || requestLine.isEmpty()) {
            return null;
        }
        String[] parts = requestLine.split(" ");
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        byte[] body;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            while (true) {
                String size = line(in);
                int length = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (length == 0) {
                    line(in);
                    break;
                }
                all.write(in.readNBytes(length));
                line(in);
            }
            body = all.toByteArray();
        } else {
            String length = headers.get("content-length");
            body = length == null ? new byte[0] : in.readNBytes(Integer.parseInt(length));
        }
        return new Request(parts[0], parts.length > 1 ? parts[1] : "", headers, body);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
            line.append((char) c);
        }
        return line.isEmpty() ? null : line.toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
        connections.shutdownNow();
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
