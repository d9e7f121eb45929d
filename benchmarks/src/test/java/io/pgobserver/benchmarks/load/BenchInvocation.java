package io.pgobserver.benchmarks.load;

import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code bench} run in the test's JVM as a user runs it, its standard output captured (and echoed, for the build log).
 *
 * @param exit   the command's exit code
 * @param output what it printed
 */
record BenchInvocation(int exit, String output) {

    static BenchInvocation run(String... args) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int exit;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            exit = new CommandLine(new BenchCommand()).execute(args);
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        original.print(output);
        return new BenchInvocation(exit, output);
    }
}
