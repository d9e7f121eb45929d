package io.pgobserver.bootstrap.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's second command, as a user runs it: the packaged jar's {@code demo}, in its own JVM, with no
 * database and no configuration. It must exit 0 after the events and print span trees whose traces are the
 * writer's, and the webhook receiver must get those same traces and continue them.
 */
class DemoIT {

    private static final Pattern WRITER_TRACE = Pattern.compile("committed in trace ([0-9a-f]{32})");
    private static final Pattern RECEIVED = Pattern.compile("traceparent=00-([0-9a-f]{32})-([0-9a-f]{16})-0[0-9a-f]");

    @Test
    void theDemoPrintsSpanTreesAndExitsZero(@TempDir Path work) throws IOException, InterruptedException {
        Path jar = Path.of("target", "pg-observer.jar");
        assertThat(jar).as("the packaged jar (failsafe runs after package)").exists();
        Path out = work.resolve("demo.out");
        Path err = work.resolve("demo.err");
        // The demo's temporary directory, which holds the embedded server's unpacked binaries (some 60 MB) as well as
        // what the demo must remove itself; JUnit removes the whole of it after the test.
        Path tmp = Files.createDirectory(work.resolve("tmp"));
        Process process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + tmp, "-jar", jar.toString(), "demo", "--events", "4", "--interval", "200ms"))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            boolean exited = process.waitFor(3, TimeUnit.MINUTES);
            assertThat(exited).as("demo exits by itself after --events").isTrue();
            String stdout = Files.readString(out);
            assertThat(process.exitValue()).as("exit code; stderr:%n%s", Files.readString(err)).isZero();

            assertThat(stdout).contains("process_event", "├─ evaluate_condition", "execute_action",
                    "save_checkpoint", "[demo] done: 4 events processed");
            List<String> writerTraces = WRITER_TRACE.matcher(stdout).results().map(m -> m.group(1)).toList();
            List<String> receivedTraces = RECEIVED.matcher(stdout).results().map(m -> m.group(1)).toList();
            assertThat(writerTraces).hasSize(4);
            // Every webhook carried the trace of the transaction that wrote its row.
            assertThat(receivedTraces).isNotEmpty().allSatisfy(t -> assertThat(writerTraces).contains(t));
            for (String trace : writerTraces) {
                Matcher tree = Pattern.compile("trace " + trace + " \\(parent [0-9a-f]{16}\\) service pg-observer-demo\\Rprocess_event")
                        .matcher(stdout);
                assertThat(tree.find()).as("a process_event tree continuing writer trace %s", trace).isTrue();
                assertThat(stdout).as("the writer's own span, as its service")
                        .containsPattern("trace " + trace + " service demo-shop\\Rdemo\\.(place|ship)_order ");
            }
            // The receiver continues each webhook: its SERVER span, of its own service, is the child of the span
            // that sent the webhook (the traceparent's parent id). Writer, observer, receiver: one trace.
            RECEIVED.matcher(stdout).results().forEach(received -> assertThat(stdout)
                    .as("the receiver's span under webhook span %s", received.group(2))
                    .containsPattern("trace " + received.group(1) + " \\(parent " + received.group(2)
                            + "\\) service demo-receiver\\RPOST /hooks/orders \\[[^]]+] SERVER "));
            try (var left = Files.list(tmp)) {
                assertThat(left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("pg-observer-demo")))
                        .as("the demo's database and templates, removed when it exits").isEmpty();
            }
        } finally {
            process.destroyForcibly();
        }
    }
}
