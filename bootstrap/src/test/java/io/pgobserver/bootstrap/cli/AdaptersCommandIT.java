package io.pgobserver.bootstrap.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code adapters} on the all-in-one jar: each built-in adapter says it came from the jar, so that an operator can
 * tell it from one loaded with {@code --adapters-dir} (which names its folder).
 */
class AdaptersCommandIT {

    @Test
    void theBuiltInAdaptersNameTheJarTheyCameFrom() throws Exception {
        Path jar = Path.of("target", "pg-observer.jar");
        assertThat(jar).as("the packaged jar (mvn package builds it before the integration tests)").exists();
        Process adapters = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar",
                jar.toString(), "adapters").redirectErrorStream(true).start();
        String printed = new String(adapters.getInputStream().readAllBytes());
        assertThat(adapters.waitFor()).as(printed).isZero();
        String shown = jar.toAbsolutePath().normalize().toString();
        assertThat(printed).contains("adapters-postgres").contains("  from:     " + shown + "\n");
        assertThat(printed.lines().filter(line -> line.startsWith("  from:")))
                .as(printed).isNotEmpty().allSatisfy(line -> assertThat(line).isEqualTo("  from:     " + shown));
    }
}
