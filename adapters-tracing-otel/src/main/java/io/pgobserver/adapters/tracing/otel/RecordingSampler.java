package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;

import java.util.List;

/**
 * The configured sampler (the file's {@code sample_rate}, or {@code OTEL_TRACES_SAMPLER}) under
 * {@code tracing.only_errors}: its decision stands as the span's sampled flag, which is propagated downstream, but a
 * span it drops is still recorded ("record only"), so that {@link OnlyErrorsProcessor} can keep the event's tree if
 * it goes wrong.
 */
final class RecordingSampler implements Sampler {

    private final Sampler sampler;

    RecordingSampler(Sampler sampler) {
        this.sampler = sampler;
    }

    @Override
    public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
                                       Attributes attributes, List<LinkData> parentLinks) {
        SamplingResult result = sampler.shouldSample(parentContext, traceId, name, spanKind, attributes, parentLinks);
        if (result.getDecision() != SamplingDecision.DROP) {
            return result;
        }
        return new SamplingResult() {
            @Override
            public SamplingDecision getDecision() {
                return SamplingDecision.RECORD_ONLY;
            }

            @Override
            public Attributes getAttributes() {
                return result.getAttributes();
            }

            @Override
            public TraceState getUpdatedTraceState(TraceState parentTraceState) {
                return result.getUpdatedTraceState(parentTraceState);
            }
        };
    }

    @Override
    public String getDescription() {
        return "RecordingSampler{" + sampler.getDescription() + "}";
    }

    @Override
    public CompletableResultCode shutdown() {
        return sampler.shutdown();
    }
}
