package io.pgobserver.bootstrap.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
}
