package io.pgobserver.bootstrap.tracing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The receivers of the observers' actions, on one MockWebServer: a webhook at {@value #ORDERS}, a webhook at
 * {@value #FLAKY} that answers 503 to the first attempt of each delivery and 200 to the next, and Slack's Web API
 * at {@value #SLACK_API}{@code /chat.postMessage}. Every request is kept, in arrival order.
 */
final class HookReceiver implements AutoCloseable {

    static final String ORDERS = "/hooks/orders";
    static final String FLAKY = "/hooks/flaky";
    static final String SLACK_API = "/slack/api";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final MockWebServer server = new MockWebServer();
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final Set<String> failedOnce = ConcurrentHashMap.newKeySet();

    HookReceiver() throws IOException {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                requests.add(request);
                String path = request.getUrl().encodedPath();
                if (path.equals(ORDERS)) {
                    return new MockResponse.Builder().code(200).build();
                }
                if (path.equals(FLAKY)) {
                    boolean first = failedOnce.add(request.getHeaders().get("webhook-id"));
                    return new MockResponse.Builder().code(first ? 503 : 200).build();
                }
                if (path.equals(SLACK_API + "/chat.postMessage")) {
                    return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
                            .body("{\"ok\":true,\"channel\":\"C0123\",\"ts\":\"1700000000.000100\"}").build();
                }
                return new MockResponse.Builder().code(404).build();
            }
        });
        server.start();
    }

    /** The base URL, as {@code http://127.0.0.1:port}. */
    String baseUrl() {
        String url = server.url("/").toString();
        return url.substring(0, url.length() - 1);
    }

    int port() {
        return server.getPort();
    }

    /** The requests to {@code path}, in arrival order. */
    List<RecordedRequest> requests(String path) {
        return requests.stream().filter(r -> r.getUrl().encodedPath().equals(path)).toList();
    }

    /** The order row ({@code after}) that a webhook request carried. */
    static JsonNode after(RecordedRequest request) {
        try {
            return JSON.readTree(request.getBody().utf8()).path("after");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
