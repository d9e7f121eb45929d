package io.pgobserver.bootstrap.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A webhook target on raw sockets, so a test can script what a real one does on a bad day: 5xx, 429 with
 * {@code Retry-After}, answers slower than the observer's timeout, connection resets (RST) and bodies that
 * trickle. An HTTP library would hide exactly the misbehaviour under test.
 *
 * <p>A request counts as delivered only when it is answered 2xx at once, in full: answers the observer cannot
 * have seen as a success (late, cut, trickling) never count, so the loss check cannot be fooled by them.
 *
 * <p>Beyond the global {@link Mode}, requests can be scripted one by one ({@link #script}), held for a while
 * before their answer ({@link #hold}) to tell whether two requests for one entity were ever open at once.
 */
final class WebhookReceiver implements AutoCloseable {

    enum Mode { OK, ERROR_5XX, TOO_MANY_REQUESTS, SLOW, RESET, SLOW_BODY }

    /** A scripted answer for the requests a predicate matches, whatever the mode. */
    enum Answer {
        /** 422: a permanent failure, dead-lettered at once. */
        REFUSE_422,
        /** 308 to the request's path with {@code -v2} appended: a moved receiver, never followed for a POST. */
        MOVED_308,
        /** 503: a transient failure, retried. */
        UNAVAILABLE_503,
        /**
         * A status line with a NUL byte in it: the HTTP client gives up on it with an error that quotes the line,
         * so the error text the observer keeps (and dead-letters) holds a NUL, which PostgreSQL text refuses. The
         * response body would not do: its snippet is stripped of control characters.
         */
        NUL_IN_STATUS_LINE
    }

    /** Two requests for one entity open at once, each sender named by its {@code x-observer-process} header. */
    record Overlap(String entityId, String firstProcess, String secondProcess) {
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One request as received; header names lower-cased; the body parsed once (an empty object if not JSON). */
    record Request(String method, String path, Map<String, String> headers, byte[] body, JsonNode json) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String eventId() {
            return json.path("event_id").asText();
        }

        String entityId() {
            return json.path("entity_id").asText();
        }

        private static JsonNode parse(byte[] body) {
            try {
                return body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
            } catch (IOException e) {
                return JSON.createObjectNode();
            }
        }
    }

    private final ServerSocket server;
    private final ExecutorService connections = Executors.newVirtualThreadPerTaskExecutor();
    private final Thread acceptor;
    private volatile Mode mode = Mode.OK;
    private final List<Map.Entry<Predicate<Request>, Answer>> scripts = new CopyOnWriteArrayList<>();
    private volatile boolean keepRequests;
    private volatile Duration hold = Duration.ZERO;
    private volatile Predicate<Request> heldUntilReleased;
    private final Map<String, AtomicInteger> delivered = new ConcurrentHashMap<>();
    /** Arrival order and 2xx order; plain lists under a lock, since tens of thousands are kept. */
    private final List<Request> kept = new ArrayList<>();
    private final List<Request> succeeded = new ArrayList<>();
    /** When each kept request was answered 2xx (wall clock, ms), for latencies measured from the row's commit. */
    private final Map<Request, Long> answeredAt = new java.util.IdentityHashMap<>();
    private final Map<String, List<Request>> open = new HashMap<>();
    private final List<Overlap> overlaps = new CopyOnWriteArrayList<>();
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
        script(predicate, Answer.REFUSE_422);
    }

    /** Requests this predicate matches get this answer, whatever the mode; the first matching script wins. */
    void script(Predicate<Request> predicate, Answer answer) {
        scripts.add(Map.entry(predicate, answer));
    }

    /** Drops every script: requests are answered by the mode again. */
    void unscript() {
        scripts.clear();
    }

    /**
     * Holds each request this long before answering it, and records every {@link Overlap}: a request for an
     * entity arriving while another for the same entity is still held. A request whose client hangs up while
     * held stops being open at once (an observer that cancels its call is not processing the entity anymore).
     */
    void hold(Duration duration) {
        this.hold = duration;
    }

    /**
     * Holds the requests this predicate matches open, unanswered, until {@link #release} or until the client hangs
     * up: a receiver still working on a request while the sender is told to stop.
     */
    void holdUntilReleased(Predicate<Request> which) {
        this.heldUntilReleased = which;
    }

    /** Answers the requests held by {@link #holdUntilReleased}, and holds no more. */
    void release() {
        this.heldUntilReleased = null;
    }

    List<Overlap> overlaps() {
        return List.copyOf(overlaps);
    }

    /** Requests being held open now (by {@link #hold} or {@link #holdUntilReleased}). */
    int openRequests() {
        synchronized (open) {
            return open.values().stream().mapToInt(List::size).sum();
        }
    }

    /** Keeps every request (bodies included) for inspection; off by default to keep memory flat. */
    void keepRequests() {
        this.keepRequests = true;
    }

    /** The requests received, in arrival order. */
    List<Request> requests() {
        synchronized (kept) {
            return List.copyOf(kept);
        }
    }

    /**
     * The requests received after the first {@code mark} (a {@code requests().size()} taken before), in arrival order:
     * one copy, taken under the lock. Two calls, {@code requests().subList(mark, requests().size())}, took two copies,
     * and a request arriving between them made the second longer than the first: an IndexOutOfBoundsException.
     */
    List<Request> requestsSince(int mark) {
        synchronized (kept) {
            return List.copyOf(kept.subList(mark, kept.size()));
        }
    }

    /** The requests answered 2xx, in the order they were. */
    List<Request> successes() {
        synchronized (succeeded) {
            return List.copyOf(succeeded);
        }
    }

    /** When a request of {@link #successes()} was answered (epoch ms). */
    long answeredAt(Request request) {
        synchronized (succeeded) {
            return answeredAt.get(request);
        }
    }

    /** How many times each key (of a request answered 2xx) was answered 2xx. */
    Map<String, Integer> successesBy(Function<Request, String> key) {
        Map<String, Integer> counts = new HashMap<>();
        successes().forEach(r -> counts.merge(key.apply(r), 1, Integer::sum));
        return counts;
    }

    /** Extra 2xx answers for one {@code webhook-id}: each is an action delivered again. */
    long duplicates() {
        return delivered().values().stream().mapToLong(n -> n - 1).sum();
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
            // Without it, a response written in more than one piece waits for the client's delayed ACK (Nagle):
            // 40 ms a request, which capped every test using this receiver at max_in_flight / 40 ms.
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (true) {
                Request request = read(in);
                if (request == null) {
                    return;
                }
                requests.incrementAndGet();
                if (keepRequests) {
                    synchronized (kept) {
                        kept.add(request);
                    }
                }
                boolean untilReleased = held(request);
                if ((!hold.isZero() || untilReleased) && !holdOpen(request, socket, in) && untilReleased) {
                    return; // hung up on while held: nobody to answer, nothing delivered
                }
                if (!answer(socket, out, request)) {
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // The client went away (timed out, killed): nothing to answer.
        }
    }

    /**
     * Keeps the request open for the hold, or until the client hangs up; records overlaps per entity. False when the
     * client hung up.
     */
    private boolean holdOpen(Request request, Socket socket, InputStream in) throws IOException, InterruptedException {
        String entity = request.entityId();
        String process = String.valueOf(request.header("x-observer-process"));
        synchronized (open) {
            List<Request> same = open.computeIfAbsent(entity, k -> new ArrayList<>());
            for (Request other : same) {
                overlaps.add(new Overlap(entity, String.valueOf(other.header("x-observer-process")), process));
            }
            same.add(request);
        }
        socket.setSoTimeout(10);
        try {
            long end = System.nanoTime() + hold.toNanos();
            while (System.nanoTime() < end || held(request)) {
                if (in.available() == 0 && hungUp(in)) {
                    return false;
                }
            }
            return true;
        } finally {
            socket.setSoTimeout(0);
            synchronized (open) {
                open.get(entity).remove(request);
            }
        }
    }

    private boolean held(Request request) {
        Predicate<Request> which = heldUntilReleased;
        return which != null && which.test(request);
    }

    /** Whether the client closed the connection (a read that ends the stream), without consuming data. */
    private static boolean hungUp(InputStream in) throws IOException {
        in.mark(1);
        try {
            if (in.read() == -1) {
                return true;
            }
            in.reset();
            return false;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        }
    }

    /** Answers one request; false when the connection is to be dropped. */
    private boolean answer(Socket socket, OutputStream out, Request request) throws IOException, InterruptedException {
        Answer scripted = scripts.stream().filter(e -> e.getKey().test(request)).map(Map.Entry::getValue)
                .findFirst().orElse(null);
        if (scripted == Answer.REFUSE_422) {
            rejected.incrementAndGet();
            write(out, 422, "Unprocessable Content", "", "rejected");
            return true;
        }
        if (scripted == Answer.MOVED_308) {
            rejected.incrementAndGet();
            write(out, 308, "Permanent Redirect", "Location: " + request.path() + "-v2\r\n", "moved");
            return true;
        }
        if (scripted == Answer.UNAVAILABLE_503) {
            misbehaved.incrementAndGet();
            write(out, 503, "Service Unavailable", "", "scripted outage");
            return true;
        }
        if (scripted == Answer.NUL_IN_STATUS_LINE) {
            misbehaved.incrementAndGet();
            out.write(("HTTP/1.1 4" + (char) 0 + "00 Bad" + (char) 0 + "Request\r\nContent-Length: 0\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return false;
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
                if (keepRequests) {
                    synchronized (succeeded) {
                        succeeded.add(request);
                        answeredAt.put(request, System.currentTimeMillis());
                    }
                }
                try {
                    write(out, 200, "OK", "", "ok");
                } catch (IOException e) {
                    if (count != null) {
                        count.decrementAndGet();
                    }
                    if (keepRequests) {
                        synchronized (succeeded) {
                            succeeded.remove(request);
                        }
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
                // A 503: a 2xx is a delivery whatever its body then does, so only a failure's body can be a fault.
                byte[] body = "trickle-trickle-trickle".getBytes(StandardCharsets.US_ASCII);
                out.write(("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
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
        byte[] head = ("HTTP/1.1 " + status + " " + reason + "\r\n" + extraHeaders
                + "Content-Type: text/plain\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] whole = java.util.Arrays.copyOf(head, head.length + bytes.length);
        System.arraycopy(bytes, 0, whole, head.length, bytes.length);
        out.write(whole); // one write: one segment
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
        return new Request(parts[0], parts.length > 1 ? parts[1] : "", headers, body, Request.parse(body));
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
