package io.pgobserver.bootstrap.tracing;

import java.util.List;
import java.util.Map;

/**
 * One span as a tracing backend received it, whatever the wire format (Zipkin JSON, OTLP protobuf).
 *
 * @param parentId   null for a span without a parent
 * @param kind       {@code INTERNAL}, {@code CLIENT}, {@code CONSUMER}, ...
 * @param error      whether the backend got the span with an error status
 * @param attributes every attribute (Zipkin: tag) as text: {@code 200}, {@code true}
 * @param events     the span's events (Zipkin: annotations, which carry the event's attributes after its name)
 * @param linkedTraces the trace ids of the span's links (OTLP; Zipkin has no links)
 */
public record ExportedSpan(String name, String traceId, String spanId, String parentId, String kind, boolean error,
                    Map<String, String> attributes, List<String> events, List<String> linkedTraces) {

    public ExportedSpan {
        attributes = Map.copyOf(attributes);
        events = List.copyOf(events);
        linkedTraces = List.copyOf(linkedTraces);
    }

    public String attribute(String key) {
        return attributes.get(key);
    }
}
