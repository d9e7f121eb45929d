package io.pgobserver.adapters.actions;

import com.sun.net.httpserver.HttpServer;
import io.pgobserver.sockets.NoDelaySockets;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
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

import javax.net.SocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * One request and its answer on a kept-alive loopback connection, with Nagle's algorithm on (the sockets' default)
 * and off ({@code TCP_NODELAY}). {@code post}: OkHttp sends {@code bytes} of body, as a webhook does, to the JDK's
 * {@code HttpServer}, which answers with no body; {@code noDelay} picks the client's sockets: the default factory's
 * (OkHttp's own, the webhook client's before) or {@link NoDelaySockets} (the webhook and Slack client's now).
 * {@code get}: the JDK's {@code HttpServer} answers with {@code bytes} of body, as the health, metrics and console
 * endpoints do; {@code noDelay} sets {@code sun.net.httpserver.nodelay}, as the jar's entry point now does (read once
 * per JVM; JMH forks one per parameter set). With Nagle on, a message sent in several writes holds its last short one
 * until the peer acknowledges the ones before, which the peer's kernel delays on a connection in steady
 * request-and-response use (40 ms on Linux).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class NagleBenchmark {

    private static final MediaType JSON = MediaType.get("application/json");

    @Param({"false", "true"})
    public boolean noDelay;

    @Param({"1000", "10000", "40000", "200000"})
    public int bytes;

    private HttpServer server;
    private OkHttpClient client;
    private byte[] body;
    private String base;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        System.setProperty("sun.net.httpserver.nodelay", Boolean.toString(noDelay));
        body = new byte[bytes];
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hooks", exchange -> {
            try (exchange; InputStream in = exchange.getRequestBody()) {
                in.transferTo(OutputStream.nullOutputStream());
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.createContext("/page", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        client = new OkHttpClient.Builder()
                .socketFactory(noDelay ? new NoDelaySockets() : SocketFactory.getDefault()).build();
    }

    @Benchmark
    public int post() throws IOException {
        try (Response response = client.newCall(new Request.Builder().url(base + "/hooks")
                .post(RequestBody.create(body, JSON)).build()).execute()) {
            return response.code();
        }
    }

    @Benchmark
    public int get() throws IOException {
        try (Response response = client.newCall(new Request.Builder().url(base + "/page").build()).execute()) {
            return response.body().bytes().length;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
        server.stop(0);
    }
}
