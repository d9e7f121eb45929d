package io.pgobserver.adapters.tracing.otel;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.pgobserver.domain.config.MetricsSettings;
import io.pgobserver.domain.config.TracingSettings;
import io.pgobserver.domain.port.CaptureInstaller;
import io.pgobserver.domain.port.CaptureInstaller.Problem.Kind;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.spi.Lifecycle;
import io.pgobserver.domain.trace.Tracer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Metrics recorded through the domain port appear on the Prometheus endpoint the lifecycle opens. */
class PrometheusIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static String scrape(int port) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    @Test
    void recordedMetricsAreScrapedFromTheEndpoint() throws Exception {
        ExportSettings export = TestSettings.tracing("console", null, "grpc", 1.0);
        Injector injector = Guice.createInjector(new OtelTracingModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(TracingSettings.class).toInstance(TestSettings.ON);
                bind(ExportSettings.class).toInstance(export);
                bind(MetricsSettings.class).toInstance(new MetricsSettings(true, 0));
            }
        });
        Set<Lifecycle> lifecycles = injector.getInstance(Key.get(new TypeLiteral<Set<Lifecycle>>() { }));
        Lifecycle lifecycle = lifecycles.iterator().next();
        lifecycle.start();
        int port = ((OtelLifecycle) lifecycle).sdk().prometheusPort();
        assertThat(port).isPositive();
        try {
            Metrics metrics = injector.getInstance(Metrics.class);
            metrics.eventProcessed("public.orders", "matched", 12_000_000L);
            metrics.eventProcessed("public.orders", "matched", 3_000_000L);
            metrics.eventProcessed("public.customers", "unmatched", 1_000_000L);
            metrics.actionExecuted("order_shipped", "webhook", "success", null, 8_000_000L);
            metrics.actionExecuted("order_shipped", "webhook", "retry", "503", 30_000_000L);
            metrics.actionExecuted("order_shipped", "slack", "failed", "java.net.ConnectException", 2_000_000_000L);
            metrics.actionExecuted("order_refunded", "webhook", "success", null, 9_000_000L);
            metrics.actionExecuted("order_refunded", "webhook", "success", null, 7_000_000L);
            metrics.deadLettered("order_shipped", "slack");
            metrics.listenerLag(17, 1_500);
            metrics.openTransactionAge(7_384_000);
            metrics.parkedEntities(() -> 12);
            metrics.captureProblems(List.of(new CaptureInstaller.Problem("public.gone", Kind.MISSING, "gone"),
                    new CaptureInstaller.Problem("public.parts", Kind.ID_COLUMN, "id column renamed")));
            metrics.captureProblems(List.of(new CaptureInstaller.Problem("public.parts", Kind.ID_COLUMN, "id")));
            metrics.eventRetried("public.orders");
            metrics.checkpointSaved();
            metrics.httpClientRequest("POST", "hooks.example.com", 443, 503, "503", 40_000_000L);
            metrics.httpClientRequest("POST", "hooks.example.com", 443, 0, "timeout", 5_000_000_000L);
            SampleTrace.run(injector.getInstance(Tracer.class), SampleTrace.writer(true));

            String body = scrape(port);
            assertThat(body)
                    .containsPattern("pgobserver_events_processed_total\\{entity_type=\"public.orders\",[^}]*outcome=\"matched\"[^}]*} 2(\\.0)?\\n")
                    .containsPattern("pgobserver_events_processed_total\\{entity_type=\"public.customers\",[^}]*outcome=\"unmatched\"[^}]*} 1(\\.0)?\\n")
                    .containsPattern("pgobserver_event_duration_seconds_bucket\\{entity_type=\"public.orders\",[^}]*le=\"0.005\"[^}]*} 1\\n")
                    .containsPattern("pgobserver_event_duration_seconds_count\\{entity_type=\"public.orders\",[^}]*} 2\\n")
                    .containsPattern("pgobserver_event_duration_seconds_sum\\{entity_type=\"public.orders\",[^}]*} 0.015")
                    .containsPattern("pgobserver_action_duration_seconds_count\\{action_type=\"webhook\",[^}]*observer=\"order_shipped\",[^}]*outcome=\"success\"[^}]*} 1\\n")
                    .containsPattern("pgobserver_action_duration_seconds_count\\{action_type=\"webhook\",[^}]*observer=\"order_refunded\",[^}]*outcome=\"success\"[^}]*} 2\\n")
                    .doesNotContainPattern("pgobserver_action_duration_seconds_count\\{[^}]*error_type=[^}]*outcome=\"success\"")
                    .containsPattern("pgobserver_action_duration_seconds_count\\{action_type=\"webhook\",error_type=\"503\",[^}]*observer=\"order_shipped\",[^}]*outcome=\"retry\"[^}]*} 1\\n")
                    .containsPattern("pgobserver_action_failures_total\\{action_type=\"webhook\",error_type=\"503\",[^}]*outcome=\"retry\"[^}]*} 1(\\.0)?\\n")
                    .containsPattern("pgobserver_action_failures_total\\{action_type=\"slack\",error_type=\"java.net.ConnectException\",[^}]*outcome=\"failed\"[^}]*} 1(\\.0)?\\n")
                    .doesNotContainPattern("pgobserver_action_failures_total\\{[^}]*outcome=\"success\"")
                    .containsPattern("pgobserver_dead_letters_total\\{action_type=\"slack\",[^}]*observer=\"order_shipped\"[^}]*} 1(\\.0)?\\n")
                    .containsPattern("pgobserver_listener_lag\\{[^}]*} 17(\\.0)?\\n")
                    .containsPattern("pgobserver_listener_lag_age_seconds\\{[^}]*} 1.5\\n")
                    .containsPattern("pgobserver_listener_open_transaction_age_seconds\\{[^}]*} 7384(\\.0)?\\n")
                    .containsPattern("pgobserver_parked_entities\\{[^}]*} 12(\\.0)?\\n")
                    // The latest check's problems only: public.gone was created or installed since.
                    .containsPattern("pgobserver_capture_problems\\{[^}]*problem=\"id_column\",table=\"public.parts\"} 1(\\.0)?\\n")
                    .doesNotContain("public.gone")
                    .containsPattern("pgobserver_events_retried_total\\{entity_type=\"public.orders\"[^}]*} 1(\\.0)?\\n")
                    .containsPattern("pgobserver_checkpoint_age_seconds\\{[^}]*} \\d")
                    .containsPattern("http_client_request_duration_seconds_count\\{error_type=\"503\",http_request_method=\"POST\",http_response_status_code=\"503\",[^}]*server_address=\"hooks.example.com\",server_port=\"443\"[^}]*} 1\\n")
                    .containsPattern("http_client_request_duration_seconds_bucket\\{error_type=\"timeout\",http_request_method=\"POST\",[^}]*le=\"5.0\"[^}]*} 1\\n")
                    // The SDK's own counters, kept with metrics on (one trace of 7 spans, its root's parent remote).
                    .containsPattern("otel_sdk_span_started_total\\{[^}]*otel_span_parent_origin=\"local\",otel_span_sampling_result=\"RECORD_AND_SAMPLE\"} 6(\\.0)?\\n")
                    .containsPattern("otel_sdk_span_live\\{[^}]*} 0(\\.0)?\\n")
                    .containsPattern("otel_sdk_processor_span_processed_total\\{[^}]*} 7(\\.0)?\\n")
                    .contains("service_name=\"pg-observer-test\"");
        } finally {
            lifecycle.stop();
        }
        assertThatThrownBy(() -> scrape(port)).as("the port closes with the lifecycle").isInstanceOf(IOException.class);
    }

    @Test
    void aTakenPortIsAStartErrorNamingTheSetting() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            OtelSdk sdk = OtelSdk.create(TestSettings.ON, TestSettings.tracing("none", null, "grpc", 1.0),
                    new MetricsSettings(true, taken.getLocalPort()), System.out);
            OtelLifecycle lifecycle = new OtelLifecycle(sdk);
            // IllegalArgumentException: a setting to change, which the start reports as a configuration error.
            assertThatThrownBy(lifecycle::start).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("metrics.port " + taken.getLocalPort() + " on 0.0.0.0 is already in use by another "
                            + "process: choose another port (0 picks a free one), or set metrics.enabled: false");
            lifecycle.stop();
        }
    }

    @Test
    void aHostThisMachineDoesNotHaveIsAStartErrorNamingTheSetting() {
        OtelSdk sdk = OtelSdk.create(TestSettings.ON, TestSettings.tracing("none", null, "grpc", 1.0),
                new MetricsSettings(true, 0, "prometheus", "192.0.2.1"), System.out);
        OtelLifecycle lifecycle = new OtelLifecycle(sdk);
        assertThatThrownBy(lifecycle::start).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("metrics.host 192.0.2.1 is not an address of this machine: use 0.0.0.0");
        lifecycle.stop();
    }
}
