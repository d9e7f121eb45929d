package io.pgobserver.benchmarks.load;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad options end before anything starts, saying what is wrong and how to put it right. */
class BenchCommandTest {

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

    private static String refusal(String... args) {
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new BenchCommand()).setErr(new PrintWriter(err));
        assertThat(command.execute(args)).isEqualTo(2);
        return err.toString();
    }
}
