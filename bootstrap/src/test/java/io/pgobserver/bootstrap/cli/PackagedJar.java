package io.pgobserver.bootstrap.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs a one-shot command on the packaged all-in-one jar, as a user does ({@code java -jar pg-observer.jar ...}):
 * for what only the real jar shows, such as its adapters found inside it and its exit codes through the launcher.
 */
final class PackagedJar {

    static final Path JAR = Path.of("target", "pg-observer.jar");

    private PackagedJar() {
    }

    /** Runs the command to its end (two minutes at most) with the environment of this JVM less what steers it. */
    static Cli.Result run(String... args) throws IOException, InterruptedException {
        return run(Map.of(), args);
    }

    /** As {@link #run(String...)}, with {@code env} added to the environment, as a user exports variables. */
    static Cli.Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        assertThat(JAR).as("the packaged jar (mvn package builds it before the integration tests)").exists();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("pg-observer-jar", ".out");
        Path err = Files.createTempFile("pg-observer-jar", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            // Whatever the CI environment exports must not steer the command: only the arguments the test gives.
            builder.environment().keySet().removeIf(k -> k.startsWith("OTEL_") || k.startsWith("TRACING_")
                    || k.startsWith("JAEGER_") || k.startsWith("ZIPKIN_") || k.equals("DATABASE_URL")
                    || k.startsWith("PGOBSERVER_") || k.startsWith("JAVA_TOOL_OPTIONS"));
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("java -jar pg-observer.jar " + String.join(" ", args)
                        + " did not end within 2 minutes");
            }
            return new Cli.Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
