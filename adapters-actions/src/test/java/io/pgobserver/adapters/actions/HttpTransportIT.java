package io.pgobserver.adapters.actions;

import io.pgobserver.domain.port.Metrics;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The transport's clients, one per dispatcher, against a real HTTP server (OkHttp's MockWebServer). */
class HttpTransportIT {

    private final MockWebServer server = new MockWebServer();
    private HttpTransport http;

    @BeforeEach
    void start() throws IOException {
        server.start();
        http = new HttpTransport(ActionsSettings.defaults(), Metrics.NOOP);
    }

    @AfterEach
    void stop() {
        http.stop();
        server.close();
    }

    /**
     * A call takes its thread's dispatcher, and so its own client; were each client's pool its own too, every
     * receiver would get sixteen times the connections, and a call would miss the idle one another client gave back.
     */
    @Test
    void callsThroughEveryDispatcherShareOnePoolOfConnections() throws Exception {
        Set<Long> dispatchersUsed = new TreeSet<>();
        int calls = 0;
        // One thread after another, so that each finds the connection the one before gave back; a thread of its
        // own for each, until every dispatcher has had a call (a thread's dispatcher is its id's low bits).
        while (dispatchersUsed.size() < HttpTransport.DISPATCHERS && calls < 1_000) {
            server.enqueue(new MockResponse.Builder().code(calls % 2 == 0 ? 204 : 200).build());
            boolean post = calls % 2 == 0;
            AtomicReference<Object> answer = new AtomicReference<>();
            Thread caller = Thread.ofVirtual().start(() -> {
                Request.Builder request = new Request.Builder().url(server.url("/hook"));
                if (post) {
                    request.post(RequestBody.create("{}", MediaType.get("application/json")));
                }
                try {
                    // GETs go through the clients that follow redirects: they share the pool too.
                    answer.set(http.send(request.build(), Duration.ofSeconds(10), !post).status());
                } catch (IOException e) {
                    answer.set(e);
                }
            });
            caller.join();
            dispatchersUsed.add(caller.threadId() & (HttpTransport.DISPATCHERS - 1));
            assertThat(answer.get()).isEqualTo(post ? 204 : 200);
            calls++;
        }

        assertThat(dispatchersUsed).hasSize(HttpTransport.DISPATCHERS);
        List<Integer> connections = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            RecordedRequest request = server.takeRequest(10, TimeUnit.SECONDS);
            assertThat(request).isNotNull();
            connections.add(request.getConnectionIndex());
        }
        assertThat(connections).as("the connection of each of the %d calls", calls).containsOnly(0);
    }
}
