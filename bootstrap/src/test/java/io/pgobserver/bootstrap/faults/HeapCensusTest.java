package io.pgobserver.bootstrap.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HeapCensusTest {

    /** The shape {@code jcmd PID GC.class_histogram} prints, with the collector's fillers among the rows. */
    private static final String HISTOGRAM = """
            12345:
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:         59441        5230808  [B (java.base@25)
               2:          1245        7340032  [Ljdk.internal.vm.FillerElement; (java.base@25)
               3:         52685        1264440  java.lang.String (java.base@25)
               4:         12473         399136  java.util.HashMap$Node (java.base@25)
               5:             3             72  io.pgobserver.application.Lane
            Total        125847       14234488
            """;

    @Test
    void counts_live_objects_by_class_and_leaves_the_collectors_fillers_out() {
        HeapCensus census = HeapCensus.parse(HISTOGRAM);

        assertThat(census.liveBytes()).isEqualTo(14_234_488L - 7_340_032L);
        assertThat(census.count("java.util.HashMap$Node")).isEqualTo(12_473);
        assertThat(census.count("io.pgobserver.application.Lane")).isEqualTo(3);
        assertThat(census.instances()).doesNotContainKey("[Ljdk.internal.vm.FillerElement;");
    }

    @Test
    void names_the_product_classes_that_grew_past_the_slack() {
        HeapCensus before = HeapCensus.parse(HISTOGRAM);
        HeapCensus after = HeapCensus.parse(HISTOGRAM.replace("    3             72  io.pgobserver",
                "   63           1512  io.pgobserver"));

        assertThat(after.productGrowthPast(before, 50)).containsEntry("io.pgobserver.application.Lane", "3 -> 63");
        assertThat(after.productGrowthPast(before, 60)).isEmpty();
    }

    @Test
    void a_histogram_without_its_total_is_refused() {
        assertThatThrownBy(() -> HeapCensus.parse("   1:  10  160  java.lang.String\n"))
                .hasMessageContaining("no Total line");
    }
}
