package io.pgobserver.benchmarks.load;

import io.pgobserver.benchmarks.sdkplugin.BenchDiscardExporter;

import java.util.HashMap;
import java.util.Map;

/** How a run configures the observer it boots: its configuration file, and the variables it sets. */
final class ObserverSettings {

    private ObserverSettings() {
    }

    /** The configuration of a run's observer: one bench observer on the bench table, tracing as the run asks. */
    static String yaml(BenchRun.Setup setup, String tracing, String consumer) {
        StringBuilder actions = new StringBuilder();
        for (int i = 0; i < setup.actions(); i++) {
            actions.append("      - { type: webhook, url: \"").append(setup.receivers().baseUrl()).append("/hooks/")
                    .append(i).append("\" }\n");
        }
        return setup.database().yaml() + """
                listener:
                  consumer: %s
                  batch_size: %d
                  max_in_flight: %d
                  poll_interval: 1s
                  deduplicate: %s
                tracing:
                  enabled: %s
                  service_name: pg-observer-bench
                  exporter: otlp
                  protocol: %s
                  endpoint: %s
                  sample_rate: %s
                  batch: { max_queue_size: %d, max_export_batch_size: %d }
                metrics:
                  enabled: false
                admin:
                  port: -1
                observers:
                  bench:
                    entity: %s
                    on: [created]
                    actions:
                %s    retry: { max_attempts: 5, initial_backoff: 100ms, max_backoff: 1s }
                """.formatted(consumer, setup.batchSize(), setup.maxInFlight(),
                setup.deduplicate(), tracing.equals("on"), setup.otlpProtocol(),
                setup.receivers().otlpEndpoint(setup.otlpProtocol()), setup.sampleRate(),
                setup.spanQueue(), setup.spanBatch(), BenchRun.TABLE, actions);
    }

    /** What the run sets of the variables the observer reads; {@code --span-export discard} names its exporter. */
    static Map<String, String> environment(BenchRun.Setup setup, String tracing) {
        Map<String, String> environment = new HashMap<>();
        environment.put("OTEL_EXPORTER_OTLP_COMPRESSION", setup.otlpCompression());
        if (setup.otlpMemoryMode() != null) {
            environment.put("OTEL_JAVA_EXPORTER_MEMORY_MODE", setup.otlpMemoryMode());
        }
        if (tracing.equals("on") && setup.spanExport().equals("discard")) {
            environment.put("OTEL_TRACES_EXPORTER", BenchDiscardExporter.NAME);
        }
        return environment;
    }
}
