package io.pgobserver.benchmarks.load;

import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Debezium peer, small, through the command as a user runs it: every change of its drain and its sustain
 * reaches the receiver, the comparison has positive rates and latencies, and the write-overhead table has its three
 * setups. Sane figures only: their values belong in docs/performance.md, measured on purpose.
 */
class DebeziumPeerIT {

    private static final String NUMBER = "([0-9]+(?:\\.[0-9]+)?)";

    @Test
    void drainsAndSustainsWithDebeziumBesideTheObserverAndMeasuresTheWriteOverhead() {
        BenchInvocation bench = BenchInvocation.run("--events", "2000", "--rate", "300", "--duration", "3s",
                "--warmup", "0", "--tracing", "off", "--backlog", "1", "--peer", "debezium", "--write-overhead", "300",
                "--chart", "none");
        int exit = bench.exit();
        String output = bench.output();

        assertThat(exit).as(output).isZero();
        assertThat(output).containsPattern("drain/1 +debezium +1 +2000 +2000/2000 ")
                .containsPattern("sustain +debezium +1 +900 +900/900 ");
        assertThat(figure(output, "drain/1 +debezium +" + NUMBER + " events/s, steady +" + NUMBER, 1)).isPositive();
        assertThat(figure(output, "drain/1 +debezium +" + NUMBER + " events/s, steady +" + NUMBER, 2)).isPositive();
        assertThat(figure(output, "drain/1 +off .*pg-observer/debezium events/s " + NUMBER, 1)).isPositive();
        for (int p = 1; p <= 3; p++) {
            assertThat(figure(output, "sustain +debezium p50 +" + NUMBER + " ms, p99 +" + NUMBER + " ms, p999 +"
                    + NUMBER + " ms", p)).isPositive();
        }
        assertThat(figure(output, "sustain +off .*pg-observer/debezium latency p50 " + NUMBER, 1)).isPositive();
        for (String setup : new String[] {"no capture", "pg-observer trigger", "pg-observer running", "debezium running"}) {
            assertThat(figure(output, setup + " +300 +" + NUMBER + " +" + NUMBER + " +" + NUMBER, 1))
                    .as(setup).isPositive();
        }
    }

    /** The {@code group}th number of the first line matching {@code pattern}. */
    private static double figure(String output, String pattern, int group) {
        Matcher matcher = Pattern.compile(pattern).matcher(output);
        assertThat(matcher.find()).as(pattern + " in\n" + output).isTrue();
        return Double.parseDouble(matcher.group(group));
    }
}
