package io.pgobserver.adapters.postgres;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How many rows the listener's cursor fetches at a time, from the largest event seen lately. */
class PageSizeTest {

    @Test
    void oneRowBeforeAnyIsSeenThenAsManyAsFitInThePage() {
        PageSize size = new PageSize(8_000_000);
        assertThat(size.rows(500)).isEqualTo(1);
        size.saw(100_000);
        assertThat(size.rows(500)).isEqualTo(80);
        assertThat(size.rows(30)).as("no more than are left to read").isEqualTo(30);
        size.saw(2_000);
        assertThat(size.rows(500)).as("the largest counts").isEqualTo(80);
        size.saw(20_000_000);
        assertThat(size.rows(500)).as("one row at least, however large").isEqualTo(1);
        assertThat(size.rows(0)).isEqualTo(1);
    }

    @Test
    void theLargestDecaysByAnEighthAPageWithEventsAndIdlePollsKeepIt() {
        PageSize size = new PageSize(8_000_000);
        size.saw(1_000_000);
        assertThat(size.rows(500)).isEqualTo(8);
        size.pageRead(false);
        assertThat(size.rows(500)).as("an empty page forgets nothing").isEqualTo(8);
        size.pageRead(true);
        assertThat(size.rows(500)).isEqualTo(9); // 875,000 bytes
        for (int page = 0; page < 60; page++) {
            size.saw(1_000);
            size.pageRead(true);
        }
        assertThat(size.rows(500)).as("small rows again: whole pages").isEqualTo(500);
    }

    @Test
    void aPageIsFullAtItsBytes() {
        PageSize size = new PageSize(1_000);
        assertThat(size.full(999)).isFalse();
        assertThat(size.full(1_000)).isTrue();
    }
}
