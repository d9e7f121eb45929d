package io.pgobserver.domain.trace;

/** The role of a span, as OpenTelemetry defines it. Outgoing HTTP calls are {@link #CLIENT}. */
public enum SpanKind {
    INTERNAL, CLIENT, SERVER, PRODUCER, CONSUMER
}
