package io.pgobserver.benchmarks;

import io.pgobserver.domain.trace.Tracer;
import io.pgobserver.application.ActionExecutors;
import io.pgobserver.application.EventCompletion;
import io.pgobserver.application.ProcessEvent;
import io.pgobserver.application.Sleeper;
import io.pgobserver.domain.config.TracingSettings;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.port.Metrics;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The uninstrumented copy does the work the real use case does: same actions, delivery ids and outgoing header. */
class BaselineTest {

    @Test
    void theUntracedCopyRunsTheSameActionsAsProcessEvent() throws Exception {
        InMemoryWebhookExecutor tracedExecutor = new InMemoryWebhookExecutor();
        InMemoryWebhookExecutor untracedExecutor = new InMemoryWebhookExecutor();
        ProcessEvent traced = new ProcessEvent(UntracedProcessEvent.CONSUMER, Tracer.noop(), Tracer.noop(),
                TracingSettings.defaults(), Fixtures.observers(3), new ActionExecutors(List.of(tracedExecutor)),
                Fixtures.NO_DEAD_LETTERS, null, Metrics.NOOP, Sleeper.SYSTEM, null, Clock.systemUTC());
        UntracedProcessEvent untraced = new UntracedProcessEvent(Fixtures.observers(3),
                new ActionExecutors(List.of(untracedExecutor)), Metrics.NOOP);

        for (int i = 1; i <= 10; i++) {
            ChangeEvent event = Fixtures.shippedOrder(i, 4);
            traced.process(event, EventCompletion.NONE);
            untraced.process(event, EventCompletion.NONE);
        }

        assertThat(untracedExecutor.executed()).isEqualTo(tracedExecutor.executed()).isEqualTo(30);
        assertThat(untracedExecutor.lastTraceparent()).isEqualTo(tracedExecutor.lastTraceparent())
                .isEqualTo(Fixtures.WRITER.traceparent());
        assertThat(untracedExecutor.lastDeliveryId()).isEqualTo(tracedExecutor.lastDeliveryId())
                .startsWith("msg_");
    }

    @Test
    void theOpenTelemetryHarnessIsBuiltFromConfigurationAndExportsOverOtlpHttp() throws Exception {
        try (OtelHarness otel = new OtelHarness()) {
            assertThat(otel.tracer().isEnabled()).isTrue();
            otel.tracer().startTrace("process_event", Fixtures.WRITER, io.pgobserver.domain.trace.SpanKind.CONSUMER)
                    .end();
            assertThat(otel.requests()).as("nothing sent before the batch is due").isZero();
            otel.close();
            // Closing flushes the batch: one export request carrying the span (resource, scope, names, ids).
            assertThat(otel.requests()).isEqualTo(1);
            assertThat(otel.bytes()).isGreaterThan(50);
        }
    }
}
