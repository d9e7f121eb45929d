package io.pgobserver.adapters.actions;

import io.pgobserver.domain.config.Durations;
import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.spi.Lifecycle;
import io.pgobserver.sockets.NoDelaySockets;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okio.Buffer;
import okio.BufferedSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The one HTTP client of the webhook and Slack executors: one connection pool for every action, TLS
 * verification as OkHttp does it by default, and redirects off (a redirected POST would silently turn into a
 * GET or lose its body). OkHttp's own quiet retry stays on: it repeats a request only when a pooled connection
 * turned out stale (or once on a 408), which spares an attempt and its backoff; receivers de-duplicate by
 * {@code webhook-id} anyway. Response bodies are read up to {@link #BODY_LIMIT} and never further, so a receiver
 * that answers with a huge or endless body costs at most that much memory. What an unsuccessful call means for the
 * action is decided in {@link HttpFailures}.
 */
@Singleton
final class HttpTransport implements Lifecycle {

    /** How much of a response body is read: enough for Slack's JSON and a useful error snippet. */
    static final int BODY_LIMIT = 64 * 1024;
    /** How much of a response body an error message quotes. */
    private static final int SNIPPET_LENGTH = 200;
    private static final Logger LOG = LoggerFactory.getLogger(HttpTransport.class);
    /** The pool's floor: enough for a handful of receivers when few events are in flight. */
    private static final int MIN_IDLE_CONNECTIONS = 64;
    /** How many dispatchers the calls are spread over (a power of two: a thread's is its id's low bits). */
    static final int DISPATCHERS = 16;

    /**
     * One client per dispatcher, all on one connection pool, one configuration. OkHttp's dispatcher lists every
     * call under way, a synchronous one too, under one lock: the call is added as it starts and looked for in that
     * list as it ends, so with dozens of webhooks in flight at thousands a second every call end waited on that lock
     * (a tenth of a drain's samples, docs/performance.md, "Change 12"). A call takes its thread's dispatcher. Their
     * limits apply to asynchronous calls only, which these clients do not make: {@link HostLimits} keeps the limit
     * per host.
     */
    private final OkHttpClient[] clients = new OkHttpClient[DISPATCHERS];
    /** The same, following redirects; used only for GET, where following a redirect is safe. */
    private final OkHttpClient[] redirecting = new OkHttpClient[DISPATCHERS];
    private final Metrics metrics;
    private final HostLimits limits;
    private final CallDeadlines deadlines;
    private final Duration readTimeout;

    @Inject
    HttpTransport(ActionsSettings settings, ListenerSettings listener, Metrics metrics) {
        this(settings, Math.max(MIN_IDLE_CONNECTIONS, Math.min(listener.maxInFlight(), settings.maxRequestsPerHost())),
                metrics);
    }

    /** With the default pool: tests. */
    HttpTransport(ActionsSettings settings, Metrics metrics) {
        this(settings, MIN_IDLE_CONNECTIONS, metrics);
    }

    /**
     * @param idleConnections how many idle connections the pool keeps: as many as may be busy at once to one host
     *                        (events in flight, up to {@code actions.max_requests_per_host}). With fewer, each wave of
     *                        responses closes the surplus and the next wave opens them again, a TCP connect per
     *                        request: at 256 in flight against a pool of 64 that was a third of the pipeline's CPU
     *                        (docs/performance.md).
     */
    HttpTransport(ActionsSettings settings, int idleConnections, Metrics metrics) {
        this.metrics = metrics;
        this.limits = new HostLimits(settings.maxRequestsPerHost());
        this.readTimeout = settings.readTimeout();
        this.deadlines = new CallDeadlines(readTimeout);
        OkHttpClient client = new OkHttpClient.Builder()
                .connectionPool(new ConnectionPool(idleConnections, 5, TimeUnit.MINUTES))
                .connectTimeout(settings.connectTimeout())
                .socketFactory(new NoDelaySockets())
                // OkHttp keeps a read or write timeout with Okio's watchdog: every socket read and write enters
                // and leaves one priority queue under one process-wide lock. With dozens of calls in flight that
                // lock was the largest cost of the webhook client (a tenth to a sixth of a drain's CPU per event,
                // docs/performance.md). The read timeout and the whole-call deadline are CallDeadlines', told by
                // OkHttp's events when a call waits for its server; a send the receiver stops reading is ended by
                // the whole-call deadline, which every call has.
                .readTimeout(Duration.ZERO)
                .writeTimeout(Duration.ZERO)
                .eventListener(deadlines.progress())
                .followRedirects(false)
                .followSslRedirects(false)
                .addNetworkInterceptor(chain -> {
                    // Requests tagged with an allow-list (webhooks) are checked on every hop, redirects included.
                    HostAllowList allowList = chain.request().tag(HostAllowList.class);
                    if (allowList != null) {
                        allowList.check(chain.request().url().host());
                    }
                    return chain.proceed(chain.request());
                })
                .build();
        for (int i = 0; i < DISPATCHERS; i++) {
            clients[i] = client.newBuilder().dispatcher(new Dispatcher()).build();
            redirecting[i] = clients[i].newBuilder().followRedirects(true).build();
        }
    }

    /** The factory of the client's plain sockets, which every request, redirected or not, goes out on: tests. */
    javax.net.SocketFactory sockets() {
        return redirecting[0].socketFactory();
    }

    /**
     * One response: the url that answered, status, headers, and the first {@link #BODY_LIMIT} bytes of the body as
     * UTF-8, or, when the body broke off (the receiver reset the connection, or stopped sending it for the read
     * timeout), an empty body and {@code cutOff}, why. The status line is the receiver's word whatever followed it.
     */
    record Exchange(HttpUrl url, int status, Headers headers, String body, IOException cutOff, long elapsedMillis) {

        boolean isSuccessful() {
            return status >= 200 && status < 300;
        }

        /** The start of the body on one line, for error messages. */
        String snippet() {
            String oneLine = body.replaceAll("[\\p{Cntrl}\\s]+", " ").strip();
            return oneLine.length() <= SNIPPET_LENGTH ? oneLine : oneLine.substring(0, SNIPPET_LENGTH) + "...";
        }
    }

    /**
     * Sends a request and reads a bounded part of the answer, all within {@code deadline}.
     *
     * @throws IOException when no status arrived (connection refused or closed unanswered, timeout, TLS failure,
     *                     host not allowed); a body that broke off after the status is the exchange's
     *                     {@link Exchange#cutOff()}
     */
    Exchange send(Request request, Duration deadline, boolean followRedirects) throws IOException {
        return send(request.url(), () -> request, deadline, followRedirects);
    }

    /**
     * Sends the request that {@code build} makes once {@code url}'s host has a free request slot, so that what says
     * when the request left (a webhook's timestamp, and the signature over it) is not aged by the wait for the slot:
     * behind a slow receiver that wait has no bound, and receivers refuse old timestamps as replays.
     */
    Exchange send(HttpUrl url, Supplier<Request> build, Duration deadline, boolean followRedirects)
            throws IOException {
        try (HostLimits.Permit ignored = limits.acquire(url.host(), url.port())) {
            return execute(build.get(), deadline, followRedirects);
        }
    }

    private Exchange execute(Request request, Duration deadline, boolean followRedirects) throws IOException {
        int own = (int) (Thread.currentThread().threadId() & (DISPATCHERS - 1));
        Call call = (followRedirects ? redirecting : clients)[own].newCall(request);
        long started = System.nanoTime();
        int status = 0;
        String errorType = null;
        try (CallDeadlines.Watch watch = deadlines.watch(call, deadline)) {
            Response response;
            try {
                response = call.execute();
            } catch (IOException e) {
                throw explained(e, watch, deadline);
            }
            try (response) {
                status = response.code();
                errorType = status >= 400 ? Integer.toString(status) : null;
                String body = "";
                IOException cutOff = null;
                try {
                    body = readBounded(response.body().source());
                } catch (IOException e) {
                    cutOff = explained(e, watch, deadline);
                    errorType = HttpFailures.errorType(cutOff);
                }
                return new Exchange(response.request().url(), status, response.headers(), body, cutOff,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            }
        } catch (IOException | RuntimeException e) {
            errorType = HttpFailures.errorType(e);
            throw e;
        } finally {
            metrics.httpClientRequest(request.method(), request.url().host(), request.url().port(), status, errorType,
                    System.nanoTime() - started);
        }
    }

    /** A failure of the call, reported as the timeout it is when the watchdog cancelled it. */
    private IOException explained(IOException e, CallDeadlines.Watch watch, Duration deadline) {
        if (watch.readTimedOut()) {
            // Reported as the socket's read timeout was: the same exception type, error type and message.
            SocketTimeoutException timeout = new SocketTimeoutException("read timed out: no answer from the "
                    + "server within the read timeout of " + Durations.format(readTimeout));
            timeout.initCause(e);
            return timeout;
        }
        if (watch.expired()) {
            // Cancelled by the watchdog: report it as the timeout it is, as OkHttp's call timeout did.
            InterruptedIOException timeout = new InterruptedIOException("timeout: no complete response within "
                    + "the deadline of " + Durations.format(deadline));
            timeout.initCause(e);
            return timeout;
        }
        return e;
    }

    private static String readBounded(BufferedSource source) throws IOException {
        source.request(BODY_LIMIT);
        Buffer buffer = source.getBuffer();
        return buffer.readString(Math.min(buffer.size(), BODY_LIMIT), StandardCharsets.UTF_8);
    }

    @Override
    public String name() {
        return "http client (webhook and slack actions)";
    }

    @Override
    public int order() {
        return ORDER_ACTIONS;
    }

    @Override
    public void start() {
        // Nothing to open: connections are made on first use and pooled.
    }

    @Override
    public void stop() {
        clients[0].connectionPool().evictAll();
        deadlines.close();
        LOG.debug("closed the actions' HTTP connection pool");
    }
}
