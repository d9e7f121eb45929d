package io.pgobserver.adapters.actions;

import com.sun.net.httpserver.HttpServer;
import io.pgobserver.domain.port.Metrics;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code actions.max_requests_per_host} against a real server: never more requests at once, none lost. */
class HostLimitsIT {

    private static final int LIMIT = 3;
    private static final int REQUESTS = 40;

    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger mostAtOnce = new AtomicInteger();
    private final AtomicInteger served = new AtomicInteger();
    private final CountDownLatch open = new CountDownLatch(1);
    private HttpServer server;
    private HttpTransport http;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", exchange -> {
            try (exchange) {
                mostAtOnce.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                exchange.getRequestBody().readAllBytes();
                // The first requests are held until every request has been sent, so the limit is what stops the rest.
                open.await();
                inFlight.decrementAndGet();
                served.incrementAndGet();
                exchange.sendResponseHeaders(204, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        ActionsSettings settings = new ActionsSettings(Duration.ofSeconds(5), Duration.ofSeconds(30), null, LIMIT);
        http = new HttpTransport(settings, Metrics.NOOP);
    }

    @AfterEach
    void stop() {
        open.countDown();
        http.stop();
        server.stop(0);
    }

    @Test
    @Timeout(60)
    void neverMoreRequestsAtOnceToOneHostThanTheLimitAndEveryOneIsServed() throws Exception {
        String url = "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + "/hook";
        List<Future<Integer>> answers = new ArrayList<>();
        try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < REQUESTS; i++) {
                Request request = new Request.Builder().url(url)
                        .post(RequestBody.create("{}", MediaType.get("application/json"))).build();
                answers.add(senders.submit(() -> http.send(request, Duration.ofSeconds(30), false).status()));
            }
            while (inFlight.get() < LIMIT) {
                Thread.onSpinWait();
            }
            open.countDown();
            for (Future<Integer> answer : answers) {
                assertThat(answer.get()).isEqualTo(204);
            }
        }
        assertThat(served.get()).isEqualTo(REQUESTS);
        assertThat(mostAtOnce.get()).isEqualTo(LIMIT);
    }

    @Test
    @Timeout(60)
    void aRequestWaitingForItsTurnEndsWhenItsThreadIsInterrupted() throws Exception {
        HostLimits limits = new HostLimits(1);
        HostLimits.Permit held = limits.acquire("receiver", 80);
        AtomicInteger outcome = new AtomicInteger();
        Thread waiter = Thread.ofVirtual().start(() -> {
            try (HostLimits.Permit ignored = limits.acquire("receiver", 80)) {
                outcome.set(1);
            } catch (InterruptedIOException e) {
                outcome.set(Thread.currentThread().isInterrupted() ? 2 : 3);
            }
        });
        while (waiter.getState() != Thread.State.WAITING) {
            Thread.onSpinWait();
        }
        waiter.interrupt();
        waiter.join();
        assertThat(outcome.get()).as("interrupted, with the interrupt kept for the caller").isEqualTo(2);
        held.close();
        try (HostLimits.Permit again = limits.acquire("receiver", 80)) {
            assertThat(again).isNotNull();
        }
        // another host has slots of its own
        try (HostLimits.Permit other = limits.acquire("receiver", 81)) {
            assertThat(other).isNotNull();
        }
        assertThatThrownBy(() -> new HostLimits(0)).hasMessageContaining("actions.max_requests_per_host");
    }
}
