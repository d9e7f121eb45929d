package io.pgobserver.benchmarks;

import io.pgobserver.domain.spi.ObserverHost;
import io.pgobserver.domain.trace.Tracer;

import java.util.Map;
import java.util.ServiceLoader;

/**
 * The OpenTelemetry adapter as a deployment gets it: built by the core from the {@code tracing:} keys a user
 * writes (100% parent-based sampling, the batch span processor with its default queue and batch), exporting
 * OTLP/HTTP to an {@link OtlpSink} in this process. The benchmarks name no class of the core or of the adapter:
 * the core is found as {@link ObserverHost} with {@link ServiceLoader}, and it picks the adapter as {@code run}
 * does.
 */
final class OtelHarness implements AutoCloseable {

    static final String ADAPTER = "adapters-tracing-otel";

    private final OtlpSink sink;
    private final ObserverHost.StartedTracer started;

    OtelHarness() throws Exception {
        ObserverHost host = ServiceLoader.load(ObserverHost.class).findFirst().orElseThrow(() ->
                new IllegalStateException("no pg-observer core on the class path (the bootstrap module)"));
        sink = new OtlpSink();
        try {
            // The harness's own settings only: OTEL_* in the environment must not change what is measured.
            started = host.tracer(configuration(sink.endpoint()), Map.of());
        } catch (Exception | Error e) {
            sink.close();
            throw e;
        }
        if (!started.adapter().equals(ADAPTER)) {
            started.close();
            sink.close();
            throw new IllegalStateException("the configuration chose " + started.adapter() + ", not " + ADAPTER
                    + ": is the adapter on the class path?");
        }
    }

    /** The deployment's defaults (queue 2048, batch 512, 5 s delay), everything sampled, OTLP/HTTP to the sink. */
    static String configuration(String endpoint) {
        return """
                metrics: { enabled: false }
                tracing:
                  enabled: true
                  service_name: pg-observer-bench
                  exporter: otlp
                  protocol: http/protobuf
                  endpoint: "%s"
                  sample_rate: 1.0
                """.formatted(endpoint);
    }

    Tracer tracer() {
        return started.tracer();
    }

    /** OTLP export requests the sink answered so far. */
    long requests() {
        return sink.requests();
    }

    /** Protobuf bytes the sink received so far. */
    long bytes() {
        return sink.bytes();
    }

    /** Exports what is queued, stops the adapter, then the sink. */
    @Override
    public void close() {
        try {
            started.close();
        } finally {
            sink.close();
        }
    }
}
