package io.pgobserver.bootstrap.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** check-config prints what run will use: what won among the file, the variables and the flags. */
class CheckConfigCommandTest {

    private static final String DATABASE_AND_OBSERVER = """
            database: { url: "jdbc:postgresql://localhost:5432/app" }
            observers:
              orders:
                entity: public.orders
                actions:
                  - { type: webhook, url: "http://hooks.example.com/orders" }
            """;

    @TempDir
    Path dir;

    @Test
    void anOtelExporterVariableWinsOverASetFlagAndTheOutputSaysSo() throws IOException {
        Path file = Files.writeString(dir.resolve("config.yaml"), DATABASE_AND_OBSERVER);
        Cli.Result result = Cli.run(Map.of("OTEL_TRACES_EXPORTER", "otlp",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4317"),
                "check-config", "--config", file.toString(), "--set", "tracing.exporter=console");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).as(result.out()).contains("  exporter: console", "  in_effect:",
                "    exporter: otlp", "    endpoint: http://localhost:4317", "    protocol: grpc",
                "    sampler: parentbased_traceidratio", "# tracing adapter: adapters-tracing-otel");
    }

    @Test
    void anExporterFlagWhileTracingIsOffIsAWarning() throws IOException {
        Path file = Files.writeString(dir.resolve("config.yaml"), DATABASE_AND_OBSERVER);
        Cli.Result result = Cli.run(Map.of(), "check-config", "--config", file.toString(),
                "--set", "tracing.exporter=console");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("# warning: tracing.exporter (console) is set but tracing is off",
                "# tracing adapter: adapters-tracing-noop").doesNotContain("in_effect");
    }

    @Test
    void withMetricsOnTheOpenTelemetryAdapterIsChosenAndTheLineSaysTracingIsOff() throws IOException {
        // An operator missing traces reads the adapter line first: "adapters-tracing-otel" alone read as "tracing on".
        Path file = Files.writeString(dir.resolve("config.yaml"), DATABASE_AND_OBSERVER + "metrics: { enabled: true }\n");
        Cli.Result result = Cli.run(Map.of(), "check-config", "--config", file.toString());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("# tracing adapter: adapters-tracing-otel (tracing is off: nothing is traced;"
                + " turn it on with tracing.enabled: true or TRACING_ENABLED=true and an exporter other than none)");
    }

    @Test
    void tracingTurnedOffByOtelSdkDisabledIsNamedAsTheCause() throws IOException {
        // Telling the operator to set TRACING_ENABLED=true when it is set, and lost to OTEL_SDK_DISABLED, would mislead.
        Path file = Files.writeString(dir.resolve("config.yaml"), DATABASE_AND_OBSERVER);
        Cli.Result result = Cli.run(Map.of("TRACING_ENABLED", "true", "OTEL_SDK_DISABLED", "true"), "check-config",
                "--config", file.toString());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("(tracing is off: OTEL_SDK_DISABLED=true turns it off over the file and"
                + " TRACING_ENABLED; unset it, or add --set tracing.enabled=true)");
    }

    @Test
    void withTracingOnTheAdapterLineHasNoNote() throws IOException {
        Path file = Files.writeString(dir.resolve("config.yaml"), DATABASE_AND_OBSERVER + "tracing: { enabled: true }\n");
        Cli.Result result = Cli.run(Map.of(), "check-config", "--config", file.toString());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("# tracing adapter: adapters-tracing-otel\n");
    }

    @Test
    void anOtelBatchVariableOutsideTheBoundsOfItsKeyIsAConfigurationError() throws IOException {
        // The SDK reads OTEL_BSP_* itself; without the check a queue of 0 spans would start, and the file could not say it.
        Path file = Files.writeString(dir.resolve("config.yaml"), DATABASE_AND_OBSERVER + "tracing: { enabled: true }\n");
        Cli.Result result = Cli.run(Map.of("OTEL_BSP_MAX_QUEUE_SIZE", "0"), "check-config", "--config", file.toString());

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.err()).contains("OTEL_BSP_MAX_QUEUE_SIZE=0 is out of range: it must be between 1 and 10000000,"
                + " as tracing.batch.max_queue_size, which it goes over");
    }

    @Test
    void everyErrorOfTheFileIsALineOfItsOwnAndTheExitCodeIsTwo() throws IOException {
        // Fixing one typo a run, with a restart between, is how a file with three took three attempts.
        Path file = Files.writeString(dir.resolve("config.yaml"), """
                database: { url: "jdbc:postgresql://localhost:5432/app" }
                listener: { batchsize: 100 }
                observers:
                  orders:
                    entity: public.orders
                    actions:
                      - { type: webhook, url: "ftp://hooks.example.com/orders" }
                      - { type: sms, to: "+15550100" }
                  invoices:
                    actions:
                      - { type: webhook, url: "http://hooks.example.com/invoices" }
                """);
        Cli.Result result = Cli.run(Map.of(), "check-config", "--config", file.toString());

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.out()).as(result.toString()).isEmpty();
        assertThat(result.err().lines()).as(result.toString()).hasSize(4).allMatch(line ->
                line.startsWith("configuration error: "));
        assertThat(result.err().lines().toList().get(0)).contains("unknown configuration key listener.batchsize");
        assertThat(result.err().lines().toList().get(1)).contains("observers.orders.actions[0].url uses ftp://");
        assertThat(result.err().lines().toList().get(2)).contains("observers.orders.actions[1].type 'sms' is not an "
                + "action type");
        assertThat(result.err().lines().toList().get(3)).contains("observers.invoices.entity is required");
    }

    @Test
    void everyConditionThatDoesNotCompileIsNamedNotOnlyTheFirst() throws IOException {
        Path file = Files.writeString(dir.resolve("config.yaml"), """
                database: { url: "jdbc:postgresql://localhost:5432/app" }
                observers:
                  shipped:
                    entity: public.orders
                    condition: "after.status = 'shipped'"
                    actions: [ { type: webhook, url: "http://hooks.example.com/shipped" } ]
                  fine:
                    entity: public.orders
                    condition: "after.total > 100"
                    actions: [ { type: webhook, url: "http://hooks.example.com/fine" } ]
                  refunded:
                    entity: public.orders
                    condition: "after.status == 'refunded' &&"
                    actions: [ { type: webhook, url: "http://hooks.example.com/refunded" } ]
                """);
        Cli.Result result = Cli.run(Map.of(), "check-config", "--config", file.toString());

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.err().lines().toList()).as(result.toString()).satisfiesExactly(
                line -> assertThat(line).startsWith("configuration error: observers.shipped.condition does not compile"),
                line -> assertThat(line).startsWith("configuration error: observers.refunded.condition does not "
                        + "compile"));
    }
}
