package io.pgobserver.adapters.tracing.otel;

import io.pgobserver.domain.contract.TracerContract;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.TraceContext;
import io.pgobserver.domain.trace.Tracer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;

/** The tracer port's contract, for each shape of this adapter's tracer. */
class OtelTracerContractTest {

    @Nested
    class Recording extends TracerContract {
        @Override
        protected Tracer newTracer() {
            return new InMemoryTracing().tracer;
        }
    }

    @Nested
    class EveryComponentSwitchedOff extends TracerContract {
        @Override
        protected Tracer newTracer() {
            return new InMemoryTracing(EnumSet.noneOf(Tracer.Component.class)).tracer;
        }
    }

    @Nested
    class FromSettingsWithSamplingOff extends TracerContract {
        @Override
        protected Tracer newTracer() {
            return OtelSdk.create(TestSettings.ON, TestSettings.tracing("console", null, "grpc", 0.0), TestSettings.NO_METRICS,
                    System.out).tracer();
        }

        /** The contract allows an unsampled span a context of its own; OpenTelemetry's has one, not sampled. */
        @Test
        void aNewTraceThatIsNotSampledStillHasItsOwnContextMarkedNotSampled() {
            Span root = newTracer().startTrace("process_event", TraceContext.NONE, SpanKind.INTERNAL);
            assertThat(root.isRecording()).isFalse();
            assertThat(root.context().isValid()).isTrue();
            assertThat(root.context().isSampled()).isFalse();
            root.end();
        }
    }

    @Nested
    class Untraced extends TracerContract {
        @Override
        protected Tracer newTracer() {
            return Tracer.noop();
        }
    }
}
