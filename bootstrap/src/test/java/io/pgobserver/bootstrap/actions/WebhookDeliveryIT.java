package io.pgobserver.bootstrap.actions;

import io.pgobserver.domain.trace.Tracer;
import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.pgobserver.adapters.actions.ActionsModule;
import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.bootstrap.config.ConfigLoader;
import io.pgobserver.bootstrap.config.Configuration;
import io.pgobserver.application.ActionExecutors;
import io.pgobserver.application.EventCompletion;
import io.pgobserver.application.ProcessEvent;
import io.pgobserver.domain.config.TracingSettings;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.observer.ActionSpec;
import io.pgobserver.domain.observer.Condition;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.observer.RetryPolicy;
import io.pgobserver.domain.port.ActionExecutor;
import io.pgobserver.domain.port.DeadLetter;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.spi.Lifecycle;
import io.pgobserver.domain.testing.Events;
import io.pgobserver.domain.testing.InMemoryDeadLetters;
import io.pgobserver.domain.testing.InMemoryDeliveries;
import io.pgobserver.domain.testing.RecordingTracer;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhook as a user meets it: the real executor from {@code ActionsModule} behind the real retry loop of
 * {@code ProcessEvent}, against MockWebServer. Waits are recorded, not slept, so the test asserts the backoff the
 * observer chose (Retry-After honoured) without timing anything.
 */
class WebhookDeliveryIT {

    private final MockWebServer server = new MockWebServer();
    private final InMemoryDeadLetters deadLetters = new InMemoryDeadLetters();
    private final RecordingTracer tracer = new RecordingTracer();
    private final List<Duration> waits = new ArrayList<>();
    private Injector actions;

    @BeforeEach
    void start() throws Exception {
        server.start();
        // The adapter's settings as the core binds them: read by the section the adapter declares.
        Configuration config = new ConfigLoader(Map.of())
                .loadYaml("actions: { connect_timeout: 2s, read_timeout: 500ms }");
        actions = Guice.createInjector(new ActionsModule(), new AbstractModule() {
            @Override
            @SuppressWarnings("unchecked")
            protected void configure() {
                // The telemetry adapter's binding in a running observer.
                bind(Metrics.class).toInstance(Metrics.NOOP);
                // The core's binding, as SettingsModule makes it: the HTTP pool is sized by listener.max_in_flight.
                bind(ListenerSettings.class).toInstance(config.listener());
                for (Configuration.AdapterSettings section : config.adapterSettings()) {
                    if (section.adapter().equals(ActionsModule.NAME)) {
                        bind((Class<Object>) section.section().type()).toInstance(section.value());
                    }
                }
            }
        });
    }

    @AfterEach
    void stop() throws Exception {
        actions.getInstance(Key.get(new TypeLiteral<Set<Lifecycle>>() { })).forEach(Lifecycle::stop);
        server.close();
    }

    private ProcessEvent processEvent(Observer observer) {
        ActionExecutors executors = new ActionExecutors(
                actions.getInstance(Key.get(new TypeLiteral<Set<ActionExecutor>>() { })));
        executors.validate(List.of(observer));
        return new ProcessEvent("it", tracer, Tracer.noop(), TracingSettings.defaults(), List.of(observer),
                executors, deadLetters, new InMemoryDeliveries(), Metrics.NOOP, waits::add, () -> 0.5,
                Clock.systemUTC());
    }

    private Observer observer(int maxAttempts) {
        // The action as a user writes it, read by the type the adapter registers (its settings are its own).
        String secret = "whsec_" + java.util.Base64.getEncoder().encodeToString("k".repeat(24).getBytes());
        ActionSpec webhook = new ConfigLoader(Map.of()).loadYaml("observers: { hook: { entity: orders, actions: [ "
                + "{ type: webhook, url: '" + server.url("/hooks") + "', secret: '" + secret + "', timeout: 1s } ] } }")
                .observers().getFirst().specs().getFirst();
        return new Observer("hook", "public.orders", Set.of(ChangeKind.UPDATED), "", Condition.ALWAYS,
                List.of(webhook), new RetryPolicy(maxAttempts, Duration.ofMillis(200), Duration.ofSeconds(5)));
    }

    private List<RecordedRequest> requests(int count) throws InterruptedException {
        List<RecordedRequest> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
            assertThat(request).as("request %d of %d", i + 1, count).isNotNull();
            out.add(request);
        }
        return out;
    }

    @Test
    void a503ThenA200IsRetriedWithTheSameWebhookIdAndSucceeds() throws Exception {
        server.enqueue(new MockResponse.Builder().code(503).build());
        server.enqueue(new MockResponse.Builder().code(200).build());
        processEvent(observer(5)).process(Events.updated(1, "o-1", "paid", "shipped"), EventCompletion.NONE);

        List<RecordedRequest> sent = requests(2);
        assertThat(sent.get(0).getHeaders().get("webhook-id")).isEqualTo(sent.get(1).getHeaders().get("webhook-id"));
        assertThat(sent.get(1).getHeaders().get("webhook-signature")).startsWith("v1,");
        assertThat(waits).containsExactly(Duration.ofMillis(100));
        assertThat(deadLetters.list("it", 10)).isEmpty();
        assertThat(tracer.named("execute_action")).extracting(s -> s.attribute("http_status"))
                .containsExactly(503L, 200L);
    }

    @Test
    void a400IsNotRetriedAndIsDeadLettered() throws Exception {
        server.enqueue(new MockResponse.Builder().code(400).body("{\"error\":\"bad payload\"}").build());
        processEvent(observer(5)).process(Events.updated(2, "o-2", "paid", "shipped"), EventCompletion.NONE);

        requests(1);
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(waits).isEmpty();
        DeadLetter letter = deadLetters.list("it", 10).getFirst();
        assertThat(letter.attempts()).isEqualTo(1);
        assertThat(letter.actionType()).isEqualTo("webhook");
        assertThat(letter.error()).contains("400");
    }

    @Test
    void a429WithRetryAfterWaitsAsTold() throws Exception {
        server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "3").build());
        server.enqueue(new MockResponse.Builder().code(200).build());
        processEvent(observer(5)).process(Events.updated(3, "o-3", "paid", "shipped"), EventCompletion.NONE);

        requests(2);
        assertThat(waits).containsExactly(Duration.ofSeconds(3));
        assertThat(deadLetters.list("it", 10)).isEmpty();
    }

    @Test
    void aTimeoutIsRetriedAndExhaustedRetriesAreDeadLettered() throws Exception {
        for (int i = 0; i < 3; i++) {
            // Headers arrive after the call's 1 s deadline.
            server.enqueue(new MockResponse.Builder().code(200).headersDelay(3, TimeUnit.SECONDS).build());
        }
        processEvent(observer(3)).process(Events.updated(4, "o-4", "paid", "shipped"), EventCompletion.NONE);

        requests(3);
        assertThat(waits).hasSize(2);
        DeadLetter letter = deadLetters.list("it", 10).getFirst();
        assertThat(letter.attempts()).isEqualTo(3);
        assertThat(tracer.named("execute_action")).allSatisfy(s -> assertThat(s.error()).isNotNull());
    }
}
