package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;

/** A metric reader that collects when asked (a scrape, a check), with running totals. */
abstract class PullReader implements MetricReader {

    private volatile CollectionRegistration registration;

    /** The meter provider's handle, or null before registration and after shutdown. */
    final CollectionRegistration registration() {
        return registration;
    }

    @Override
    public final void register(CollectionRegistration registration) {
        this.registration = registration;
    }

    @Override
    public final AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
        return AggregationTemporality.CUMULATIVE;
    }

    @Override
    public final CompletableResultCode forceFlush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        registration = null;
        return CompletableResultCode.ofSuccess();
    }
}
