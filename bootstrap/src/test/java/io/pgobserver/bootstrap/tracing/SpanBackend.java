package io.pgobserver.bootstrap.tracing;

import java.util.List;

/** A tracing backend the tests start and read back from, and the {@code tracing:} settings that reach it. */
public interface SpanBackend extends AutoCloseable {

    /** The value of {@code tracing.exporter}. */
    String exporter();

    /** The value of {@code tracing.endpoint}. */
    String endpoint();

    /** The value of {@code tracing.protocol}. */
    String protocol();

    /** Every span of the trace that reached the backend so far; empty when none did. */
    List<ExportedSpan> spans(String traceId);

    /** The {@code service.name} of the resources that carried the trace's spans, once each. */
    List<String> serviceNames(String traceId);

    /** The {@code tracing:} block of a configuration that exports here, with the given sample rate. */
    default String tracingYaml(double sampleRate) {
        return """
                tracing:
                  enabled: true
                  service_name: pg-observer-it
                  exporter: %s
                  endpoint: %s
                  protocol: %s
                  sample_rate: %s
                  batch: { schedule_delay: 100ms }
                """.formatted(exporter(), endpoint(), protocol(), sampleRate);
    }

    @Override
    void close();
}
