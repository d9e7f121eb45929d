package io.pgobserver.bootstrap.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The original tracing design's configuration, as a user following its text writes it: its {@code config.yaml}
 * verbatim (plus a database and one observer) and its environment variables pass {@code check-config}, which
 * prints what they amount to today and one warning naming today's keys.
 */
class SeedConfigurationTest {

    /** The tracing design's {@code config.yaml}, as it wrote it. */
    static final String SEED = """
            tracing:
              enabled: true
              service_name: "pg-observer"
              jaeger:
                agent_host: "localhost"
                agent_port: 6831
                sample_rate: 1.0
                batch_size: 100
              components:
                listener: true
                executor: true
                cache: true
                dlq: true
            """;

    private static final String DATABASE_AND_OBSERVER = """
            database: { url: "jdbc:postgresql://localhost:5432/app", user: app }
            observers:
              orders:
                entity: public.orders
                actions:
                  - { type: webhook, url: "http://hooks.example.com/orders" }
            """;

    @TempDir
    Path dir;

    private static long warnings(String out) {
        return out.lines().filter(line -> line.startsWith("# warning: ")).count();
    }

    @Test
    void theSeedsConfigYamlPassesWithItsValuesMappedAndOneWarning() throws IOException {
        Path file = Files.writeString(dir.resolve("config.yaml"), SEED + DATABASE_AND_OBSERVER);
        Cli.Result result = Cli.run(Map.of(), "check-config", "--config", file.toString());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("  enabled: true", "  service_name: pg-observer",
                "  endpoint: http://localhost:4317", "  protocol: grpc", "  sample_rate: 1.0",
                "    max_export_batch_size: 100", "    listener: true", "    dlq: true",
                "# tracing adapter: adapters-tracing-otel");
        assertThat(warnings(result.out())).as(result.out()).isEqualTo(1);
        assertThat(result.out()).contains("# warning: tracing.jaeger is the retired Jaeger client's section",
                "tracing.endpoint: http://localhost:4317", "tracing.sample_rate: 1.0",
                "tracing.batch.max_export_batch_size: 100", "agent_port 6831");
    }

    @Test
    void theSeedsEnvironmentVariablesPassLikewise() throws IOException {
        Path file = Files.writeString(dir.resolve("config.yaml"), DATABASE_AND_OBSERVER);
        Cli.Result result = Cli.run(Map.of("TRACING_ENABLED", "true", "TRACING_SERVICE_NAME", "orders-observer",
                "JAEGER_ENDPOINT", "http://jaeger:14268/api/traces", "JAEGER_SAMPLE_RATE", "0.5",
                "JAEGER_AGENT_HOST", "jaeger-agent", "JAEGER_AGENT_PORT", "6831"),
                "check-config", "--config", file.toString());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("  enabled: true", "  service_name: orders-observer", "  exporter: jaeger",
                "  endpoint: http://jaeger:4318", "  protocol: http/protobuf", "  sample_rate: 0.5");
        assertThat(warnings(result.out())).as(result.out()).isEqualTo(1);
        assertThat(result.out()).contains("# warning: JAEGER_ENDPOINT http://jaeger:14268/api/traces is Jaeger's"
                + " Thrift collector");

        Cli.Result agent = Cli.run(Map.of("TRACING_ENABLED", "true", "JAEGER_AGENT_HOST", "jaeger-agent",
                "JAEGER_AGENT_PORT", "6831"), "check-config", "--config", file.toString());
        assertThat(agent.exitCode()).as(agent.toString()).isZero();
        assertThat(agent.out()).contains("  endpoint: http://jaeger-agent:4317", "  protocol: grpc");
        assertThat(warnings(agent.out())).isEqualTo(1);
    }

    @Test
    void aJaegerEndpointThatIsNoUrlExitsTwoWithTheFix() throws IOException {
        Path file = Files.writeString(dir.resolve("config.yaml"), DATABASE_AND_OBSERVER);
        Cli.Result result = Cli.run(Map.of("TRACING_ENABLED", "true", "JAEGER_ENDPOINT", "jaeger:14268"),
                "check-config", "--config", file.toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("JAEGER_ENDPOINT", "http://jaeger:4318");
    }
}
