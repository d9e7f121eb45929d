package io.pgobserver.benchmarks.load;

import io.pgobserver.bootstrap.cli.HelpLines;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Bad options end before anything starts, saying what is wrong and how to put it right; the runs go in an order
 * that lets drift hit the settings and shapes they compare alike.
 */
class BenchCommandTest {

    /** As every pg-observer command's: no line of the help ends inside a key, path, URL or table name. */
    @Test
    void theHelpCutsNoKeyPathOrUrlInTwo() throws Exception {
        CommandLine bench = new CommandLine(new BenchCommand());
        assertThat(bench.getUsageHelpWidth()).as("the default width").isEqualTo(80);
        assertThat(HelpLines.cut(bench)).as("help lines that end inside a key, path or URL").isEmpty();
    }

    @Test
    void credentialsWithoutAJdbcUrlAreRefused() {
        assertThat(refusal("--user", "shop")).contains("--user and --password are for --jdbc-url",
                "add --jdbc-url jdbc:postgresql://HOST:PORT/DB or drop them");
    }

    @Test
    void aJdbcUrlOfAnotherKindIsRefused() {
        assertThat(refusal("--jdbc-url", "postgres://localhost/shop"))
                .contains("--jdbc-url takes jdbc:postgresql://HOST:PORT/DB: postgres://localhost/shop");
    }

    @Test
    void aChartFileMustBeSvg() {
        assertThat(refusal("--chart", "bench.png")).contains("--chart takes a file name ending in .svg, or none");
    }

    @Test
    void aSampleRateOutsideZeroToOneIsRefused() {
        assertThat(refusal("--sample-rate", "10")).contains("--sample-rate takes a share from 0 to 1", "not 10.0");
    }

    @Test
    void anOtlpProtocolOtherThanHttpProtobufOrGrpcIsRefused() {
        assertThat(refusal("--otlp-protocol", "http/json")).contains(
                "--otlp-protocol must be http/protobuf or grpc, not http/json");
    }

    @Test
    void anExporterMemoryModeOtherThanTheSdksTwoIsRefused() {
        assertThat(refusal("--otlp-memory-mode", "low")).contains(
                "--otlp-memory-mode must be immutable_data or reusable_data, not low");
    }

    @Test
    void aSpanExportOtherThanOtlpOrDiscardIsRefused() {
        assertThat(refusal("--span-export", "none")).contains("--span-export must be otlp or discard, not none");
    }

    @Test
    void backlogShapesTakeTurnsRoundByRoundAndSustainsFollowTheDrains() {
        assertThat(PlannedRun.order(List.of("drain", "sustain"), List.of("1", "all"), 2))
                .extracting(PlannedRun::label, PlannedRun::round)
                .containsExactly(tuple("drain/1", 1), tuple("drain/all", 1), tuple("drain/1", 2),
                        tuple("drain/all", 2), tuple("sustain", 1), tuple("sustain", 2));
    }

    @Test
    void theWarmUpDrainsEveryBacklogShapeTheRoundsDrain() {
        assertThat(PlannedRun.warmupShapes(List.of("drain"), List.of("1", "100", "all"), 30000))
                .containsExactly(1, 100, 30000);
        assertThat(PlannedRun.warmupShapes(List.of("sustain"), List.of("1"), 30000)).containsExactly(1000);
    }

    private static String refusal(String... args) {
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new BenchCommand()).setErr(new PrintWriter(err));
        assertThat(command.execute(args)).isEqualTo(2);
        return err.toString();
    }
}
