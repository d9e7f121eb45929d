package io.pgobserver.benchmarks;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.common.ComponentLoader;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.MemoryMode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.pgobserver.benchmarks.load.OtlpGrpcReceiver;
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

import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What encoding and sending one batch of spans costs the OTLP exporters, in each of the SDK's memory modes
 * ({@code OTEL_JAVA_EXPORTER_MEMORY_MODE}): {@code IMMUTABLE_DATA} builds a marshaler object per span, attribute and
 * id for every export; {@code REUSABLE_DATA}, the SDK's default (and so pg-observer's), sizes and writes the batch
 * with marshalers the exporter keeps; through each of the senders ({@link #sender}). One operation is one
 * export of {@link #spans} spans shaped as an event's 7 are (names, kinds and attributes of the span tree), as the
 * batch processor hands them over, to a loopback receiver in this process that reads and drops the body
 * ({@link OtlpSink} for OTLP/HTTP, the bench's grpc-java {@link OtlpGrpcReceiver} for gRPC). The time per span is
 * the operation's divided by the batch; {@code -prof gc} gives the allocation per export.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class SpanExportBenchmark {

    @Param({"IMMUTABLE_DATA", "REUSABLE_DATA"})
    public MemoryMode memoryMode;

    /**
     * The sender. OTLP/HTTP: {@code jdk}, the SDK's on the JDK's HttpClient, which pg-observer gives the SDK
     * (SpanExporters.components), or {@code okhttp}, the SDK's on OkHttp, which it used before and which keeps
     * Nagle's algorithm on; both are on this class path, so the SDK's own switch names one (read when the exporter
     * is built). OTLP over gRPC: {@code grpc-okhttp}, the SDK's OkHttp one, which pg-observer used before, or
     * {@code grpc-nodelay}, pg-observer's own on OkHttp with TCP_NODELAY (taken from the adapter's loader).
     */
    @Param({"jdk", "okhttp", "grpc-okhttp", "grpc-nodelay"})
    public String sender;

    /** Spans per export: the recommended batch (8,190: whole events of 7) or the SDK's default (511). */
    @Param({"8190", "511"})
    public int spans;

    private OtlpSink sink;
    private OtlpGrpcReceiver grpc;
    private SpanExporter exporter;
    private List<SpanData> batch;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        batch = eventSpans(spans / 7);
        if (sender.startsWith("grpc-")) {
            grpc = OtlpGrpcReceiver.start();
            // The class path's only gRPC sender is the SDK's OkHttp one; the adapter's loader answers its own.
            exporter = OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + grpc.port())
                    .setMemoryMode(memoryMode).setComponentLoader(sender.equals("grpc-nodelay") ? adapterLoader()
                            : ComponentLoader.forClassLoader(SpanExportBenchmark.class.getClassLoader()))
                    .build();
            return;
        }
        System.setProperty("io.opentelemetry.sdk.common.export.HttpSenderProvider", sender.equals("jdk")
                ? "io.opentelemetry.exporter.sender.jdk.internal.JdkHttpSenderProvider"
                : "io.opentelemetry.exporter.sender.okhttp.internal.OkHttpHttpSenderProvider");
        sink = new OtlpSink();
        exporter = OtlpHttpSpanExporter.builder().setEndpoint(sink.endpoint() + OtlpSink.PATH)
                .setMemoryMode(memoryMode).build();
    }

    /**
     * What the adapter hands the SDK's autoconfiguration (SpanExporters.components), reached by reflection: the
     * adapter is on this module's class path at run time only, and its classes are package-private.
     */
    private static ComponentLoader adapterLoader() throws ReflectiveOperationException {
        Method components = Class.forName("io.pgobserver.adapters.tracing.otel.SpanExporters")
                .getDeclaredMethod("components", PrintStream.class);
        components.setAccessible(true);
        return (ComponentLoader) components.invoke(null, System.out);
    }

    @Benchmark
    public boolean export() {
        CompletableResultCode result = exporter.export(batch).join(30, TimeUnit.SECONDS);
        if (!result.isSuccess()) {
            throw new IllegalStateException("the export failed: " + result.getFailureThrowable());
        }
        return result.isSuccess();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        exporter.shutdown().join(10, TimeUnit.SECONDS);
        if (grpc != null) {
            System.out.printf("%n[export] %s, %s: %s%n", memoryMode, sender, grpc.stats().replace('\n', ' '));
            grpc.close();
            return;
        }
        System.out.printf("%n[export] %s, %s: %d requests, %.0f bytes per span%n", memoryMode, sender, sink.requests(),
                sink.bytes() / (double) (sink.requests() * (long) batch.size()));
        sink.close();
    }

    /** The spans of {@code events} events, made by the SDK with the names, kinds and attributes of the span tree. */
    static List<SpanData> eventSpans(int events) {
        List<SpanData> spans = new ArrayList<>(events * 7);
        SpanExporter collect = new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> ended) {
                spans.addAll(ended);
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        };
        try (SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(io.opentelemetry.api.common.Attributes.of(
                        AttributeKey.stringKey("service.name"), "pg-observer-bench"))))
                .addSpanProcessor(SimpleSpanProcessor.create(collect)).build()) {
            Tracer tracer = provider.get("io.pgobserver");
            for (int i = 0; i < events; i++) {
                Span root = tracer.spanBuilder("process_event").setSpanKind(SpanKind.CONSUMER).setNoParent()
                        .setAttribute("event_id", "bench_orders:" + (1_000_000 + i))
                        .setAttribute("entity_type", "public.bench_orders")
                        .setAttribute("entity_id", Integer.toString(i)).setAttribute("kind", "created")
                        .setAttribute("checkpoint_offset", 1_000_000L + i).startSpan();
                Context parent = Context.root().with(root);
                child(tracer, parent, "load_checkpoint", SpanKind.INTERNAL)
                        .setAttribute("recovered_from_checkpoint", false).end();
                child(tracer, parent, "evaluate_condition", SpanKind.INTERNAL).setAttribute("observer", "bench")
                        .setAttribute("condition_matched", true).end();
                Span actions = child(tracer, parent, "execute_actions", SpanKind.INTERNAL)
                        .setAttribute("observer", "bench").setAttribute("action_count", 1L);
                String url = "http://127.0.0.1:40000/hooks/0";
                tracer.spanBuilder("execute_action").setSpanKind(SpanKind.CLIENT)
                        .setParent(parent.with(actions)).startSpan()
                        .setAttribute("action_type", "webhook").setAttribute("observer", "bench")
                        .setAttribute("action_index", 0L).setAttribute("attempt", 1L)
                        .setAttribute("target_url", url).setAttribute("http_method", "POST")
                        .setAttribute("http_status", 200L).setAttribute("response_time_ms", 1L)
                        .setAttribute("http.request.method", "POST").setAttribute("url.full", url)
                        .setAttribute("http.response.status_code", 200L).end();
                actions.end();
                child(tracer, parent, "save_checkpoint", SpanKind.INTERNAL)
                        .setAttribute("checkpoint_offset", 1_000_000L + i).setAttribute("events_covered", 1L).end();
                child(tracer, parent, "export_metrics", SpanKind.INTERNAL).end();
                root.setAttribute("outcome", "matched").end();
            }
        }
        return List.copyOf(spans);
    }

    private static Span child(Tracer tracer, Context parent, String name, SpanKind kind) {
        return tracer.spanBuilder(name).setSpanKind(kind).setParent(parent).startSpan();
    }
}
