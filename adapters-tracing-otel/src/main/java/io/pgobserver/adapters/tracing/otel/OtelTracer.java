package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.TraceContext;
import io.pgobserver.domain.trace.Tracer;

import java.util.Set;
import java.util.function.Function;

/**
 * The domain tracer on an OpenTelemetry tracer. Sampling is the SDK's (parent-based trace-id ratio): a
 * writer's context decides by its sampled flag, a new root by the ratio. Spans of a switched-off component
 * are {@link PassThroughSpan}s that stand for their parent, so their children attach to it.
 */
final class OtelTracer implements Tracer {

    private static final io.opentelemetry.api.trace.SpanKind[] KINDS = kinds();

    private final io.opentelemetry.api.trace.Tracer tracer;
    private final TextMapPropagator propagator;
    private final boolean[] componentOn = new boolean[Component.values().length];
    private final Function<String, Tracer> services;

    /** A tracer whose spans propagate W3C Trace Context. */
    OtelTracer(io.opentelemetry.api.trace.Tracer tracer, Set<Component> components) {
        this(tracer, components, W3CTraceContextPropagator.getInstance());
    }

    /** @param propagator writes the headers that carry a span's context downstream ({@code OTEL_PROPAGATORS}) */
    OtelTracer(io.opentelemetry.api.trace.Tracer tracer, Set<Component> components, TextMapPropagator propagator) {
        this(tracer, components, propagator, null);
    }

    /** @param services the tracers of other services in this process ({@link #forService}); null: this one */
    OtelTracer(io.opentelemetry.api.trace.Tracer tracer, Set<Component> components, TextMapPropagator propagator,
               Function<String, Tracer> services) {
        this.tracer = tracer;
        this.propagator = propagator;
        this.services = services;
        for (Component component : components) {
            componentOn[component.ordinal()] = true;
        }
    }

    @Override
    public boolean isEnabled() {
        return true;
    }

    @Override
    public Tracer forService(String serviceName) {
        return services == null ? this : services.apply(serviceName);
    }

    @Override
    public Span startTrace(String name, TraceContext remoteParent, SpanKind kind) {
        SpanContext parent = TraceContexts.toRemote(remoteParent);
        SpanBuilder builder = tracer.spanBuilder(name).setSpanKind(otelKind(kind));
        if (parent.isValid()) {
            builder.setParent(Context.root().with(io.opentelemetry.api.trace.Span.wrap(parent)));
        } else {
            builder.setNoParent();
        }
        return new OtelSpan(builder.startSpan(), propagator);
    }

    @Override
    public Span startLinkedTrace(String name, TraceContext linkedTo, SpanKind kind) {
        SpanBuilder builder = tracer.spanBuilder(name).setSpanKind(otelKind(kind)).setNoParent();
        SpanContext link = TraceContexts.toRemote(linkedTo);
        if (link.isValid()) {
            builder.addLink(link);
        }
        return new OtelSpan(builder.startSpan(), propagator);
    }

    @Override
    public Span startSpan(String name, Span parent, SpanKind kind) {
        if (parent instanceof OtelSpan local) {
            return new OtelSpan(tracer.spanBuilder(name).setSpanKind(otelKind(kind))
                    .setParent(local.otelContext()).startSpan(), propagator);
        }
        if (parent instanceof PassThroughSpan passThrough) {
            return startSpan(name, passThrough.parent(), kind);
        }
        if (parent == Span.noop()) {
            // A child of a span that stands for nothing stands for nothing too.
            return parent;
        }
        // No parent, or a span of another tracer: continue whatever context it carries.
        return startTrace(name, parent == null ? TraceContext.NONE : parent.context(), kind);
    }

    @Override
    public Span startSpan(String name, Span parent, SpanKind kind, Component component) {
        if (component == null || componentOn[component.ordinal()]) {
            return startSpan(name, parent, kind);
        }
        if (parent instanceof OtelSpan local) {
            return local.passThrough();
        }
        if (parent == null) {
            return Span.noop();
        }
        if (parent instanceof PassThroughSpan || parent == Span.noop()) {
            return parent;
        }
        return new PassThroughSpan(parent);
    }

    private static io.opentelemetry.api.trace.SpanKind otelKind(SpanKind kind) {
        return kind == null ? io.opentelemetry.api.trace.SpanKind.INTERNAL : KINDS[kind.ordinal()];
    }

    private static io.opentelemetry.api.trace.SpanKind[] kinds() {
        io.opentelemetry.api.trace.SpanKind[] kinds = new io.opentelemetry.api.trace.SpanKind[SpanKind.values().length];
        for (SpanKind kind : SpanKind.values()) {
            kinds[kind.ordinal()] = switch (kind) {
                case INTERNAL -> io.opentelemetry.api.trace.SpanKind.INTERNAL;
                case CLIENT -> io.opentelemetry.api.trace.SpanKind.CLIENT;
                case SERVER -> io.opentelemetry.api.trace.SpanKind.SERVER;
                case PRODUCER -> io.opentelemetry.api.trace.SpanKind.PRODUCER;
                case CONSUMER -> io.opentelemetry.api.trace.SpanKind.CONSUMER;
            };
        }
        return kinds;
    }

    @Override
    public String toString() {
        return "OtelTracer";
    }
}
