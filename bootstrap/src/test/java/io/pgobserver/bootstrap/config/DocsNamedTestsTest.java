package io.pgobserver.bootstrap.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tests that {@code docs/reliability.md} and {@code docs/performance.md} give as the evidence for a guarantee or a
 * figure exist under the names they give: a renamed or deleted test would leave a claim with nothing behind it.
 */
class DocsNamedTestsTest {

    private static final Path ROOT = ExampleConfigsTest.DOCS.getParent();

    /** {@code StuckEntityIT}, {@code EventPipelineTest.aStop…} or {@code ParkedBoundIT#memory*}; not a file name. */
    private static final Pattern NAMED = Pattern.compile(
            "\\b([A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*(?:Test|IT|Benchmark))\\b(?:[.#]([a-z][A-Za-z0-9_]*)(\\*?))?");
    /** A test method named alone in backticks: camel case of four words or more, or snake case of five. */
    private static final Pattern METHOD = Pattern.compile(
            "`([a-z][a-z0-9]*(?:[A-Z][a-z0-9]*){3,}|[a-z][a-z0-9]*(?:_[a-z0-9]+){4,})`");

    @Test
    void every_test_the_reliability_and_performance_docs_name_exists() throws IOException {
        Map<String, Path> classes = sources();
        assertThat(classes).containsKeys("StuckEntityIT", "EventPipelineTest", "ProcessEventBenchmark");
        List<String> missing = new ArrayList<>();
        for (String doc : List.of("reliability.md", "performance.md")) {
            Matcher m = NAMED.matcher(Files.readString(ExampleConfigsTest.DOCS.resolve(doc)));
            while (m.find()) {
                String name = m.group(1);
                String method = m.group(2);
                if (name.startsWith("NoSuch") || "java".equals(method)) {
                    continue; // the "run no test" of a command line, or a file name
                }
                if (!classes.containsKey(name)) {
                    missing.add(doc + ": no class " + name);
                } else if (method != null && !declares(classes.get(name), method, !m.group(3).isEmpty())) {
                    missing.add(doc + ": " + name + " has no method " + method + m.group(3));
                }
            }
        }
        String reliability = Files.readString(ExampleConfigsTest.DOCS.resolve("reliability.md"));
        List<Path> tests = classes.values().stream().filter(p -> p.toString().contains("/src/test/")).toList();
        Matcher m = METHOD.matcher(reliability);
        while (m.find()) {
            String method = m.group(1);
            if (tests.stream().noneMatch(p -> declares(p, method, false))) {
                missing.add("reliability.md: no test method " + method);
            }
        }
        assertThat(missing).as("tests named in the docs that do not exist under that name").isEmpty();
    }

    /** Every class of the repository's sources by its simple name. */
    private static Map<String, Path> sources() throws IOException {
        Map<String, Path> classes = new HashMap<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/"))
                    .filter(p -> !p.toString().contains("/target/"))
                    .forEach(p -> classes.put(p.getFileName().toString().replace(".java", ""), p));
        }
        return classes;
    }

    private static boolean declares(Path source, String method, boolean prefix) {
        try {
            return Pattern.compile("void " + Pattern.quote(method) + (prefix ? "\\w*" : "") + "\\(")
                    .matcher(Files.readString(source)).find();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
