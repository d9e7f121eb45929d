package io.pgobserver.bootstrap.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code adapters} on the all-in-one jar: each built-in adapter says it came from the jar, so that an operator can
 * tell it from one loaded with {@code --adapters-dir} (which names its folder).
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
}
