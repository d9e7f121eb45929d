package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceStateBuilder;
import io.pgobserver.domain.trace.TraceContext;
import io.pgobserver.domain.trace.TraceState;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Converts between the domain's W3C {@link TraceContext} and OpenTelemetry's {@link SpanContext}. */
final class TraceContexts {

    private TraceContexts() {
    }

    /** A remote span context for the writer's context, or the invalid one when there is none. */
    static SpanContext toRemote(TraceContext context) {
        if (context == null || !context.isValid()) {
            return SpanContext.getInvalid();
        }
        return SpanContext.createFromRemoteParent(context.traceId(), context.spanId(),
                TraceFlags.fromByte(context.flags()), toOtel(context.traceState()));
    }

    static TraceContext toDomain(SpanContext context) {
        if (!context.isValid()) {
            return TraceContext.NONE;
        }
        return new TraceContext(context.getTraceId(), context.getSpanId(), context.getTraceFlags().asByte(),
                toDomain(context.getTraceState()));
    }

    static io.opentelemetry.api.trace.TraceState toOtel(TraceState state) {
        if (state.isEmpty()) {
            return io.opentelemetry.api.trace.TraceState.getDefault();
        }
        TraceStateBuilder builder = io.opentelemetry.api.trace.TraceState.builder();
        List<Map.Entry<String, String>> entries = state.entries();
        // OpenTelemetry's builder puts each new member first (the W3C rule for a vendor updating its entry),
        // so members go in back to front to keep the header's order.
        for (int i = entries.size() - 1; i >= 0; i--) {
            builder.put(entries.get(i).getKey(), entries.get(i).getValue());
        }
        return builder.build();
    }

    static TraceState toDomain(io.opentelemetry.api.trace.TraceState state) {
        if (state.isEmpty()) {
            return TraceState.EMPTY;
        }
        List<Map.Entry<String, String>> entries = new ArrayList<>(state.size());
        state.forEach((key, value) -> entries.add(Map.entry(key, value)));
        try {
            return new TraceState(entries);
        } catch (IllegalArgumentException e) {
            // OpenTelemetry validated the same W3C rules; a disagreement must not fail a span, so the state goes.
            return TraceState.EMPTY;
        }
    }
}
