package io.pgobserver.bootstrap.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The adapters inside the all-in-one jar: {@code adapters} says each built-in one came from the jar, so that an
 * operator can tell it from one loaded with {@code --adapters-dir} (which names its folder); and {@code check-config}
 * names the key meant for a typo in an adapter's section as it does in the core's.
 */
class AdaptersCommandIT {

    @Test
    void theBuiltInAdaptersNameTheJarTheyCameFrom() throws Exception {
        Cli.Result adapters = PackagedJar.run("adapters");
        String printed = adapters.out();
        assertThat(adapters.exitCode()).as(adapters.toString()).isZero();
        String shown = PackagedJar.JAR.toAbsolutePath().normalize().toString();
        assertThat(printed).contains("adapters-postgres").contains("  from:     " + shown + "\n");
        assertThat(printed.lines().filter(line -> line.startsWith("  from:")))
                .as(printed).isNotEmpty().allSatisfy(line -> assertThat(line).isEqualTo("  from:     " + shown));
    }

    /** Each adapter reads its own section; the hint for a misspelt key or section name is the core's all the same. */
    @Test
    void checkConfigNamesTheKeyMeantForATypoInAnAdaptersSection(@TempDir Path dir) throws Exception {
        for (List<String> typo : List.of(
                List.of("kafka: { bootstrap_server: 'localhost:9092' }",
                        "kafka.bootstrap_server (did you mean kafka.bootstrap_servers?)"),
                List.of("console: { tokn: t }", "console.tokn (did you mean console.token?)"),
                List.of("emial: { templates_dir: templates }", "emial (did you mean email?)"))) {
            Path config = Files.writeString(dir.resolve("pg-observer.yaml"),
                    "database: { url: \"jdbc:postgresql://localhost/app\" }\n" + typo.getFirst() + "\n");
            Cli.Result check = PackagedJar.run("check-config", "--config", config.toString());
            assertThat(check.exitCode()).as(check.toString()).isEqualTo(ExitCodes.USAGE);
            assertThat(check.err()).as(check.toString()).contains("configuration error: unknown configuration key "
                    + typo.getLast() + "; known keys here: [");
        }
    }

    /**
     * An {@code OTEL_*} variable the OpenTelemetry SDK cannot take stops {@code check-config} and {@code run} alike
     * with exit 2 and one line naming the variable, its value and the fix: no stack trace, and no start that exports
     * nowhere.
     */
    @Test
    void anOtelVariableTheSdkCannotTakeStopsCheckConfigAndRunInOneLine(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("pg-observer.yaml"), """
                database: { url: "jdbc:postgresql://127.0.0.1:1/app" }
                observers:
                  orders: { entity: public.orders, on: [created], actions: [ { type: webhook, url: "http://127.0.0.1:1/hook" } ] }
                """);
        Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
        String otlp = "OTEL_EXPORTER_OTLP_ENDPOINT";
        Map<Map<String, String>, String> refusals = Map.of(
                Map.of("OTEL_TRACES_EXPORTER", "otlpp"),
                "OTEL_TRACES_EXPORTER=otlpp is not known: use otlp, jaeger, zipkin, console or none",
                Map.of(otlp, "http://127.0.0.1:4318", "OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
                "OTEL_EXPORTER_OTLP_PROTOCOL=http/json is not a protocol the OpenTelemetry Java SDK speaks: use grpc"
                        + " or http/protobuf",
                Map.of(otlp, "127.0.0.1:4317"),
                otlp + "=127.0.0.1:4317: the OTLP endpoint must be a valid URL: write a URL such as",
                Map.of(otlp, "https://127.0.0.1:4317", "OTEL_EXPORTER_OTLP_CERTIFICATE", dir + "/missing.pem"),
                "OTEL_EXPORTER_OTLP_CERTIFICATE=" + dir + "/missing.pem: no such file, or not readable: give the path",
                Map.of(otlp, "https://127.0.0.1:4317", "OTEL_EXPORTER_OTLP_CERTIFICATE", notPem.toString()),
                "OTEL_EXPORTER_OTLP_CERTIFICATE=" + notPem + " is not a PEM certificate: give the certificate",
                Map.of(otlp, "http://127.0.0.1:4317", "OTEL_TRACES_SAMPLER", "parentbased_traceidratio",
                        "OTEL_TRACES_SAMPLER_ARG", "abc"),
                "OTEL_TRACES_SAMPLER_ARG=abc is not a number: give a ratio from 0.0 to 1.0",
                Map.of(otlp, "http://127.0.0.1:4317", "OTEL_EXPORTER_OTLP_HEADERS", "x-api-key"),
                "OTEL_EXPORTER_OTLP_HEADERS=(value not shown: it may hold a secret) is not a list of key=value pairs");
        Map<String, Future<Cli.Result>> commands = new LinkedHashMap<>();
        try (ExecutorService two = Executors.newFixedThreadPool(2)) {
            refusals.forEach((env, line) -> {
                // run builds the SDK as check-config does: two of them, a property the SDK parses and a file its
                // exporter's builder reads, show that it stops the same way.
                List<String> each = env.containsKey("OTEL_TRACES_SAMPLER_ARG") || line.contains("not a PEM")
                        ? List.of("check-config", "run") : List.of("check-config");
                for (String command : each) {
                    commands.put(command + " " + line, two.submit(() ->
                            PackagedJar.run(env, command, "--config", config.toString())));
                }
            });
        }
        for (Map.Entry<String, Future<Cli.Result>> command : commands.entrySet()) {
            Cli.Result result = command.getValue().get();
            String line = command.getKey().substring(command.getKey().indexOf(' ') + 1);
            assertThat(result.exitCode()).as(command.getKey() + "\n" + result).isEqualTo(ExitCodes.USAGE);
            assertThat(result.err().strip()).as(result.toString()).doesNotContain("\n")
                    .startsWith("configuration error: " + line);
        }
    }
}
