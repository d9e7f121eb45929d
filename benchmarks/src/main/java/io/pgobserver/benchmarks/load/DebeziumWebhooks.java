package io.pgobserver.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a Debezium user writes to turn changes into webhooks: a {@link DebeziumEngine.ChangeConsumer} that POSTs each
 * change of the batch to the receiver, at most {@code maxInFlight} at once (as the observer's
 * {@code listener.max_in_flight} bounds its webhooks), waits for the whole batch, and only then marks it processed,
 * so that the offsets Debezium commits never run ahead of what was delivered.
 *
 * <p>The JDK's {@code java.net.http.HttpClient} over HTTP/1.1, what a Debezium user needs no library for. The
 * observer's webhooks go through OkHttp, which the project keeps inside adapters-actions (an architecture rule that
 * covers this module too), so the two sides use different clients. Records of other
 * destinations (Debezium's heartbeats) are marked processed without a request: they only carry offsets.
 */
final class DebeziumWebhooks implements DebeziumEngine.ChangeConsumer<ChangeEvent<String, String>> {

    private static final int ATTEMPTS = 5;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final HttpClient client;
    private final String url;
    private final String destination;
    private final Semaphore inFlight;
    private final AtomicLong heartbeats = new AtomicLong();

    /**
     * @param url         where each change is POSTed
     * @param destination the table's topic ({@code <topic.prefix>.<schema>.<table>}); other records carry no change
     * @param maxInFlight requests outstanding at most
     */
    DebeziumWebhooks(String url, String destination, int maxInFlight) {
        this.url = url;
        this.destination = destination;
        this.inFlight = new Semaphore(maxInFlight);
        // Connections are kept alive across batches by the client's own pool.
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** Heartbeats (records of another destination) seen so far: their offsets prove the engine streams. */
    long heartbeats() {
        return heartbeats.get();
    }

    @Override
    public void handleBatch(List<ChangeEvent<String, String>> records,
                            DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer)
            throws InterruptedException {
        List<Thread> posts = new ArrayList<>(records.size());
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (ChangeEvent<String, String> record : records) {
            if (!destination.equals(record.destination())) {
                heartbeats.incrementAndGet();
                continue;
            }
            if (record.value() == null) {
                continue; // a tombstone after a delete: no change to report
            }
            inFlight.acquire();
            posts.add(Thread.ofVirtual().start(() -> {
                try {
                    post(record);
                } catch (Throwable e) {
                    failures.add(e);
                } finally {
                    inFlight.release();
                }
            }));
        }
        for (Thread post : posts) {
            post.join();
        }
        if (!failures.isEmpty()) {
            // Nothing of the batch is marked: the engine stops, and the batch is read again on the next start.
            throw new IllegalStateException(failures.size() + " webhooks failed", failures.get(0));
        }
        for (ChangeEvent<String, String> record : records) {
            committer.markProcessed(record);
        }
        committer.markBatchFinished();
    }

    /** POSTs one change, retried with a growing pause as the observer's retry settings do. */
    private void post(ChangeEvent<String, String> record) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(record))).build();
        for (int attempt = 1; ; attempt++) {
            try {
                HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() / 100 == 2) {
                    return;
                }
                if (attempt == ATTEMPTS) {
                    throw new IOException("webhook answered " + response.statusCode());
                }
            } catch (IOException e) {
                if (attempt == ATTEMPTS) {
                    throw e;
                }
            }
            Thread.sleep(Math.min(1000, 100L << (attempt - 1)));
        }
    }

    /**
     * The webhook's body: the row's key as {@code entity_id} (the receiver's and the observer's field) and Debezium's
     * change event (schemas disabled) as it came.
     */
    static String body(ChangeEvent<String, String> record) {
        JsonNode key;
        try {
            key = MAPPER.readTree(record.key());
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable key " + record.key(), e);
        }
        return "{\"entity\":\"" + record.destination() + "\",\"entity_id\":\"" + key.path("id").asText()
                + "\",\"change\":" + record.value() + "}";
    }
}
