package io.pgobserver.benchmarks.load;

import picocli.CommandLine;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The load run, small: every event of both modes reaches the webhook receiver with tracing off and on. It
 * asserts delivery, not timings: those belong in docs/performance.md, measured on purpose, not in a build.
 */
class BenchCommandIT {

    @Test
    void drainsAndSustainsWithTracingOffAndOnDeliveringEveryWebhook() {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int exit;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            exit = new CommandLine(new BenchCommand()).execute("--events", "2000", "--rate", "500",
                    "--duration", "2s", "--warmup", "0", "--tracing", "off,on", "--backlog", "1,all");
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        original.print(output);

        assertThat(exit).as(output).isZero();
        assertThat(output).containsPattern("drain/1 +off +1 +2000 +2000/2000 ")
                .containsPattern("drain/1 +on +1 +2000 +2000/2000 ")
                .containsPattern("drain/all +off +1 +2000 +2000/2000 ")
                .containsPattern("drain/all +on +1 +2000 +2000/2000 ")
                .containsPattern("one-row transactions drain at [0-9.]+ of one transaction's rate, tracing off")
                .containsPattern("sustain +off +1 +1000 +1000/1000 ")
                .containsPattern("sustain +on +1 +1000 +1000/1000 ");
    }
}
