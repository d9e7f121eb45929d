package io.pgobserver.bootstrap.config;

import io.pgobserver.bootstrap.cli.PgObserverCommand;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every configuration key the loader reads, and every environment variable the code reads, is explained in
 * {@code docs/guide.md}, and the guide's tables name no key or variable the code does not read. Keys are written
 * as paths, the observers' names as {@code <name>} and list items as {@code []}:
 * {@code observers.<name>.actions[].url}.
 */
class DocsCoverageTest {

    private static final Path GUIDE = ExampleConfigsTest.DOCS.resolve("guide.md");

    /**
     * The keys come from the loader itself: each mapping is given one key nobody reads, and its error lists the keys
     * that mapping read ("known keys here"), down every nested mapping. So a key read but never printed, or one the
     * guide's tables name that no reader asks for (renamed, or never written), is found as surely as a key printed
     * by {@code check-config}.
     */
    @Test
    void the_guide_names_every_configuration_key_the_loader_reads_and_no_other() throws IOException {
        Set<String> read = new ConfigKeyProbe(ConfigKeys.RICH).keys();
        assertThat(read).as("keys the loader reads").contains("listener.batch_size", "email.smtp.password",
                "observers.<name>.actions[].webhook_url", "observers.<name>.retry.multiplier", "admin.port");
        Set<String> named = GuideTables.settingKeys(Files.readString(GUIDE));
        assertThat(named).as("keys of the guide's settings tables").contains("listener.consumer", "admin.port");
        List<String> wrong = new ArrayList<>();
        read.stream().filter(key -> !named.contains(key))
                .forEach(key -> wrong.add("read by the loader, missing from the settings tables: " + key));
        named.stream().filter(key -> !read.contains(key))
                .forEach(key -> wrong.add("named in the settings tables, read by nothing: " + key));
        assertThat(wrong).as("docs/guide.md's settings tables against the configuration's readers (write each key "
                + "as `key.path` in the first column)").isEmpty();
    }

    @Test
    void every_environment_variable_is_in_the_guide() throws IOException {
        Set<String> variables = new LinkedHashSet<>(EnvironmentOverrides.VARIABLES);
        variables.addAll(ConfigSchema.classPath().variables());
        assertThat(variables).as("the adapters' own variables").contains("DATABASE_URL");
        variables.addAll(logbackVariables());
        assertThat(variables).contains("PGOBSERVER_LOG_LEVEL");
        variables.add(PgObserverCommand.ADAPTERS_DIR_VARIABLE);
        variables.add(LogFormatVariable.NAME);
        String guide = Files.readString(GUIDE);
        assertThat(variables.stream().filter(v -> !guide.contains("`" + v + "`")).toList())
                .as("environment variables missing from docs/guide.md (write each as `NAME`)")
                .isEmpty();
        // The OTEL_* variables of the table are the SDK's, read by it and not by pg-observer's code.
        assertThat(GuideTables.variables(guide).stream().filter(v -> !v.startsWith("OTEL_"))
                .filter(v -> !variables.contains(v)).toList())
                .as("variables docs/guide.md's table names that the code does not read")
                .isEmpty();
    }

    /**
     * The repository explains itself: no source, build file or document cites a design document that is not in
     * it ({@code docs/architecture.md} is the design reference).
     */
    @Test
    void nothing_cites_a_design_document_outside_the_repository() throws IOException {
        Path root = ExampleConfigsTest.DOCS.getParent();
        String outside = "DESIGN" + ".md";
        try (var files = Files.walk(root)) {
            List<Path> citing = files.filter(Files::isRegularFile)
                    .filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/.git/"))
                    .filter(p -> p.toString().matches(".*\\.(java|md|xml|yaml|yml|sh|properties)$"))
                    .filter(p -> {
                        try {
                            return Files.readString(p).contains(outside);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }).toList();
            assertThat(citing).as("files citing " + outside).isEmpty();
        }
    }

    /** The {@code ${NAME:-default}} variables of logback.xml. */
    private static List<String> logbackVariables() throws IOException {
        try (InputStream in = DocsCoverageTest.class.getResourceAsStream("/logback.xml")) {
            assertThat(in).as("logback.xml on the class path").isNotNull();
            Matcher m = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(?::-[^}]*)?}")
                    .matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            return m.results().map(r -> r.group(1)).toList();
        }
    }
}
