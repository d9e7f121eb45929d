package io.pgobserver.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a Debezium user writes to turn changes into webhooks: a {@link DebeziumEngine.ChangeConsumer} that POSTs each
 * change of the batch to the receiver, at most {@code maxInFlight} at once (as the observer's
 * {@code listener.max_in_flight} bounds its webhooks), waits for the whole batch, and only then marks it processed,
 * so that the offsets Debezium commits never run ahead of what was delivered.
 *
 * <p>OkHttp, not {@code java.net.http.HttpClient}: the observer's webhooks go through OkHttp, so both sides pay
 * the same HTTP client and the comparison measures capture and delivery, not two clients. Records of other
 * destinations (Debezium's heartbeats) are marked processed without a request: they only carry offsets.
 */
final class DebeziumWebhooks implements DebeziumEngine.ChangeConsumer<ChangeEvent<String, String>> {

    private static final MediaType JSON = MediaType.get("application/json");
    private static final int ATTEMPTS = 5;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final OkHttpClient client;
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
        // The observer's pool size: connections kept alive across batches instead of a handshake per request.
        this.client = new OkHttpClient.Builder().connectionPool(new ConnectionPool(64, 5, TimeUnit.MINUTES)).build();
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
        Request request = new Request.Builder().url(url).post(RequestBody.create(body(record), JSON)).build();
        for (int attempt = 1; ; attempt++) {
            try (Response response = client.newCall(request).execute()) {
                if (response.isSuccessful()) {
                    return;
                }
                if (attempt == ATTEMPTS) {
                    throw new IOException("webhook answered " + response.code());
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
