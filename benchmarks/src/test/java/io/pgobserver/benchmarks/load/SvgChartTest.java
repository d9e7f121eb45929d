package io.pgobserver.benchmarks.load;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SvgChartTest {

    @Test
    void writesWellFormedSvgWithASeriesPerRunAndAPeerAsOneMore() throws Exception {
        List<BenchResult> results = List.of(
                result("drain/all", "off", new long[0], 250),
                result("drain/all", "on", new long[0], 200),
                result("sustain", "off", new long[] {1000, 2000, 30_000}, 500),
                result("sustain", "on", new long[] {1500, 2500, 40_000}, 500),
                // A peer's run: a mode of its own, no tracing setting.
                result("debezium", "", new long[] {800, 900, 1000}, 400));
        String svg = BenchCharts.of(results, "PostgreSQL 17 <test> & more").render();
        // Kept for a look in a browser: target/ is the module's build directory when the build runs the test.
        java.nio.file.Files.writeString(java.nio.file.Path.of("target", "svg-chart-test.svg"), svg);

        Document document = parse(svg);
        Element root = document.getDocumentElement();
        assertThat(root.getNamespaceURI()).isEqualTo("http://www.w3.org/2000/svg");
        assertThat(root.getTagName()).isEqualTo("svg");
        assertThat(document.getElementsByTagNameNS("*", "g").getLength()).isEqualTo(3);
        assertThat(attributes(document, "polyline", "data-label")).containsExactly("drain/all off", "drain/all on",
                "sustain off", "sustain on", "debezium");
        List<String> bars = attributes(document, "rect", "data-group");
        // Latency: p50, p99, p999 of each sustain run; events/s: the whole run of each, the steady rate of drains.
        assertThat(bars.stream().filter(g -> g.startsWith("sustain"))).hasSize(2 * 3 + 2);
        assertThat(bars.stream().filter(g -> g.startsWith("drain"))).hasSize(2 * 2);
        assertThat(bars.stream().filter(g -> g.equals("debezium"))).hasSize(3 + 1);
        assertThat(root.getTextContent()).contains("PostgreSQL 17 <test> & more", "p999",
                "drain/all: tracing on runs at 80.0% of tracing off's events/s");
    }

    @Test
    void severalRoundsMakeOneLineAndOneBarPerSettingAtTheirMedian() throws Exception {
        List<BenchResult> results = List.of(result("drain/1", "off", 1, 300), result("drain/1", "off", 2, 100),
                result("drain/1", "off", 3, 200), result("drain/1", "debezium", 1, 500));
        Document document = parse(BenchCharts.of(results, "rounds").render());

        assertThat(attributes(document, "polyline", "data-label"))
                .containsExactly("drain/1 off (median)", "drain/1 debezium (median)");
        assertThat(document.getDocumentElement().getTextContent()).contains("200", "240")
                .doesNotContain("#1", "#2");
    }

    @Test
    void anEmptyRunStillDrawsAValidChart() throws Exception {
        String svg = new SvgChart("empty", "").lines("none", "x", "y", List.of(
                new SvgChart.Series("nothing", new double[0], new double[0]))).bars("no bars", "y", List.of("a"),
                List.of(), List.of()).render();
        assertThat(parse(svg).getElementsByTagNameNS("*", "polyline").getLength()).isEqualTo(1);
    }

    /** 1000 events at {@code rate} per second; a steady rate for drains only, as the bench measures it. */
    private static BenchResult result(String mode, String tracing, long[] latencies, double rate) {
        return result(mode, tracing, 1, latencies, rate);
    }

    private static BenchResult result(String mode, String tracing, int round, double rate) {
        return result(mode, tracing, round, new long[0], rate);
    }

    private static BenchResult result(String mode, String tracing, int round, long[] latencies, double rate) {
        return new BenchResult(mode, tracing, round, 0.5, 1000, 1000, 1000, 1000 / rate, latencies, 1, 10, 5, 3, 0,
                mode.startsWith("drain") ? 1.2 * rate : Double.NaN, 0.2, new int[] {100, 250, 250, 250, 150});
    }

    private static Document parse(String svg) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> attributes(Document document, String tag, String attribute) {
        NodeList nodes = document.getElementsByTagNameNS("*", tag);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            String value = ((Element) nodes.item(i)).getAttribute(attribute);
            if (!value.isEmpty()) {
                values.add(value);
            }
        }
        return values;
    }
}
