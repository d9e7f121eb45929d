package io.pgobserver.benchmarks.load;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The load run, small: every event of both modes reaches the webhook receiver, in a process of its own, with
 * tracing off and on, and the charts are written. It asserts delivery and the report's shape, not timings: those
 * belong in docs/performance.md, measured on purpose, not in a build.
 */
class BenchCommandIT {

    @Test
    void drainsAndSustainsWithTracingOffAndOnDeliveringEveryWebhook(@TempDir Path directory) throws Exception {
        Path chart = directory.resolve("charts/bench.svg");
        BenchInvocation bench = BenchInvocation.run("--events", "2000", "--rate", "500", "--duration", "2s",
                "--warmup", "0", "--tracing", "off,on", "--backlog", "1,all", "--otlp-compression", "gzip",
                "--chart", chart.toString());
        int exit = bench.exit();
        String output = bench.output();

        assertThat(exit).as(output).isZero();
        assertThat(output).containsPattern("drain/1 +off +1 +2000 +2000/2000 ")
                .containsPattern("drain/1 +on +1 +2000 +2000/2000 ")
                .containsPattern("drain/all +off +1 +2000 +2000/2000 ")
                .containsPattern("drain/all +on +1 +2000 +2000/2000 ")
                .containsPattern("one-row transactions drain at [0-9.]+ of one transaction's rate, tracing off")
                .containsPattern("sustain +off +1 +1000 +1000/1000 ")
                .containsPattern("sustain +on +1 +1000 +1000/1000 ")
                .containsPattern(" steady/s +p50 ms +p95 ms +p99 ms +p999 ms +max ms +cpu s +cpu ms/1k +rcv cpu s ")
                // A sustain run has a p999 (the fourth latency) and a drain a steady rate.
                .containsPattern("sustain +off +1 +1000 +1000/1000 +[0-9]+ +- +([0-9.]+ +){4}")
                .containsPattern("drain/all +off +1 +2000 +2000/2000 +[0-9]+ +[0-9]+ +- ")
                // Spans arrived gzip-compressed and were counted (the default queue may drop some at drain rates).
                .containsPattern("(?m)^drain/1 +on +1 +2000 +2000/2000 .* [1-9][0-9]* +[1-9]\\.[0-9]{2} +[0-9.]+$");

        Matcher pids = Pattern.compile("receivers: pid ([0-9]+) at http://\\S+; observer: pid ([0-9]+)").matcher(output);
        assertThat(pids.find()).as(output).isTrue();
        assertThat(pids.group(2)).isEqualTo(Long.toString(ProcessHandle.current().pid()));
        assertThat(pids.group(1)).isNotEqualTo(pids.group(2));
        assertThat(ProcessHandle.of(Long.parseLong(pids.group(1))).map(ProcessHandle::isAlive)).as("receivers ended")
                .isNotEqualTo(java.util.Optional.of(true));

        assertThat(output).contains("[bench] charts: " + chart);
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        Document svg = factory.newDocumentBuilder().parse(chart.toFile());
        assertThat(svg.getDocumentElement().getLocalName()).isEqualTo("svg");
        assertThat(svg.getElementsByTagNameNS("*", "polyline").getLength()).isEqualTo(6);
    }

    @Test
    void aDiscardingExporterIsHandedTheSpansAndNothingIsSent() throws Exception {
        BenchInvocation bench = BenchInvocation.run("--events", "500", "--mode", "drain", "--backlog", "1",
                "--warmup", "0", "--tracing", "on", "--span-export", "discard", "--span-queue", "65536",
                "--span-batch", "8192", "--chart", "none");
        String output = bench.output();

        assertThat(bench.exit()).as(output).isZero();
        // Spans were made and handed to the exporter (spans/ev), and no byte of them reached the OTLP endpoint.
        assertThat(output).containsPattern("(?m)^drain/1 +on +1 +500 +500/500 .* 0 +[1-9]\\.[0-9]{2} +[0-9.]+$");
    }
}
