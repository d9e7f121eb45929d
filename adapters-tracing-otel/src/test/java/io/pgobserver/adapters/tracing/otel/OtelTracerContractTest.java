package io.pgobserver.adapters.tracing.otel;

import io.pgobserver.domain.contract.TracerContract;
import io.pgobserver.domain.trace.Tracer;
import org.junit.jupiter.api.Nested;

import java.util.EnumSet;

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
    }

    @Nested
    class Untraced extends TracerContract {
        @Override
        protected Tracer newTracer() {
            return Tracer.noop();
        }
    }
}
