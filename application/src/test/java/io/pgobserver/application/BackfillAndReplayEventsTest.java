package io.pgobserver.application;

import io.pgobserver.domain.config.TracingSettings;
import io.pgobserver.domain.event.BackfillMark;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.observer.Condition;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.observer.RetryPolicy;
import io.pgobserver.domain.port.ActionRequest;
import io.pgobserver.domain.port.EventOutcomes;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.testing.Events;
import io.pgobserver.domain.testing.InMemoryDeadLetters;
import io.pgobserver.domain.testing.InMemoryDeliveries;
import io.pgobserver.domain.testing.RecordingTracer;
import io.pgobserver.domain.trace.TraceContext;
import io.pgobserver.domain.testing.TestAction;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** A backfill's read events reach only the observer they are for; a replay runs one observer, linked and marked. */
class BackfillAndReplayEventsTest {

    private static final TraceContext WRITER =
            TraceContext.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").orElseThrow();

    private final RecordingTracer tracer = new RecordingTracer();
    private final InMemoryDeliveries deliveries = new InMemoryDeliveries();
    private final ScriptedExecutor webhook = new ScriptedExecutor("webhook");
    private final Observer shop = observer("shop", "http://shop/hook");
    private final Observer warehouse = observer("warehouse", "http://warehouse/hook");
    private final ProcessEvent processEvent = new ProcessEvent("test", tracer, tracer, TracingSettings.defaults(),
            List.of(shop, warehouse), new ActionExecutors(List.of(webhook)), new InMemoryDeadLetters(deliveries),
            deliveries, Metrics.NOOP, duration -> { }, () -> 0.5, Clock.systemUTC());

    private static Observer observer(String name, String url) {
        Condition always = event -> true;
        return new Observer(name, "public.orders", Set.of(ChangeKind.values()), "", always,
                List.of(new TestAction("webhook", url)), RetryPolicy.DEFAULT);
    }

    private static ChangeEvent read(long offset, String observer) {
        ChangeEvent row = Events.event(offset, "o-" + offset, ChangeKind.READ, null, Map.of("id", offset));
        return new ChangeEvent(row.id(), row.position(), row.entityType(), row.entityId(), row.kind(), row.before(),
                row.after(), row.occurredAt(), row.traceContext(), new BackfillMark(3, observer));
    }

    @Test
    void aReadEventForOneObserverRunsThatObserverOnlyAndNamesItsBackfill() throws Exception {
        processEvent.process(read(1, "warehouse"), EventCompletion.NONE);
        processEvent.process(read(2, null), EventCompletion.NONE);

        List<String> observers = webhook.requests.stream().map(ActionRequest::observer).toList();
        assertThat(observers.getFirst()).isEqualTo("warehouse"); // the first event is the warehouse's alone
        // The second is both observers', whose actions run side by side: in either order.
        assertThat(observers.subList(1, observers.size())).containsExactlyInAnyOrder("shop", "warehouse");
        assertThat(tracer.named("process_event")).allSatisfy(root -> {
            assertThat(root.attribute("backfill")).isEqualTo(3L);
            assertThat(root.attribute("kind")).isEqualTo("read");
        });
    }

    @Test
    void aReplayRunsOneObserverInANewTraceLinkedToTheOriginalAndMarksItsRequests() throws Exception {
        ChangeEvent event = Events.updated(7, "o-1", "paid", "shipped").withTraceContext(WRITER);
        processEvent.replaying(shop, EventOutcomes.NONE).process(event, EventCompletion.NONE);

        assertThat(webhook.requests).singleElement().satisfies(r -> {
            assertThat(r.observer()).isEqualTo("shop");
            assertThat(r.replay()).isTrue();
        });
        assertThat(tracer.roots()).singleElement().satisfies(root -> {
            assertThat(root.link).isEqualTo(WRITER);
            assertThat(root.traceId).isNotEqualTo(WRITER.traceId());
            assertThat(root.attribute("replay")).isEqualTo(true);
        });
        assertThat(deliveries.lookups()).isZero();
        assertThat(deliveries.isSettled(webhook.requests.getFirst().deliveryId()))
                .as("a replay writes no delivery record").isFalse();

        processEvent.process(event, EventCompletion.NONE);
        assertThat(webhook.requests.get(1).replay()).as("the live stream is not a replay").isFalse();
    }
}
