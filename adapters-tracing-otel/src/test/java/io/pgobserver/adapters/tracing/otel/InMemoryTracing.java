package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.pgobserver.domain.trace.Tracer;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** An {@link OtelTracer} whose spans end up in memory as soon as they end. */
final class InMemoryTracing implements AutoCloseable {

    final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    final SdkTracerProvider provider;
    final OtelTracer tracer;

    InMemoryTracing() {
        this(EnumSet.allOf(Tracer.Component.class));
    }

    InMemoryTracing(Set<Tracer.Component> components) {
        provider = SdkTracerProvider.builder()
                .setSampler(Sampler.parentBased(Sampler.alwaysOn()))
                .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
        tracer = new OtelTracer(provider.get("test"), components);
    }

    List<SpanData> spans() {
        return exporter.getFinishedSpanItems();
    }

    SpanData named(String name) {
        return spans().stream().filter(s -> s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no span " + name + " in " + spans()));
    }

    @Override
    public void close() {
        provider.close();
    }
}
