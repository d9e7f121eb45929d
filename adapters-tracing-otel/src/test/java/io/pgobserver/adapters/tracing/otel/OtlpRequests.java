package io.pgobserver.adapters.tracing.otel;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/** What an OTLP receiver of the tests got: the decoded protobuf requests, and their spans in the tests' terms. */
final class OtlpRequests {

    private final List<ExportTraceServiceRequest> requests = new CopyOnWriteArrayList<>();

    void add(ExportTraceServiceRequest request) {
        requests.add(request);
    }

    List<Span> spans(String traceId) {
        return resourceSpans().flatMap(r -> r.getScopeSpansList().stream())
                .flatMap(s -> s.getSpansList().stream())
                .filter(span -> hex(span.getTraceId()).equals(traceId)).toList();
    }

    Stream<ResourceSpans> resourceSpans() {
        return requests.stream().flatMap(r -> r.getResourceSpansList().stream());
    }

    /** The resource attributes of the batches that carried spans of {@code traceId}. */
    Map<String, String> resource(String traceId) {
        Map<String, String> attributes = new LinkedHashMap<>();
        resourceSpans().filter(r -> r.getScopeSpansList().stream().map(ScopeSpans::getSpansList)
                        .flatMap(List::stream).anyMatch(s -> hex(s.getTraceId()).equals(traceId)))
                .forEach(r -> r.getResource().getAttributesList().forEach(kv -> attributes.put(kv.getKey(), text(kv.getValue()))));
        return attributes;
    }

    List<SampleTrace.Received> received(String traceId) {
        return spans(traceId).stream().map(OtlpRequests::received).toList();
    }

    static SampleTrace.Received received(Span span) {
        Map<String, String> attributes = new LinkedHashMap<>();
        for (KeyValue kv : span.getAttributesList()) {
            attributes.put(kv.getKey(), text(kv.getValue()));
        }
        String kind = span.getKind().name().replace("SPAN_KIND_", "");
        return new SampleTrace.Received(span.getName(), hex(span.getTraceId()), hex(span.getSpanId()),
                span.getParentSpanId().isEmpty() ? null : hex(span.getParentSpanId()), kind, attributes);
    }

    private static String text(AnyValue value) {
        return switch (value.getValueCase()) {
            case STRING_VALUE -> value.getStringValue();
            case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
            case INT_VALUE -> Long.toString(value.getIntValue());
            case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
            default -> value.toString();
        };
    }

    static String hex(ByteString bytes) {
        return HexFormat.of().formatHex(bytes.toByteArray());
    }
}
