package io.pgobserver.bootstrap.cli;

import io.pgobserver.domain.port.ChangeSource;
import io.pgobserver.domain.port.ParkedEvents;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code status} says of parked rows when a receiver down for every row has parked a great many: the totals
 * of all of them, and by name only those parked longest (it used to read and print every one).
 */
class StatusReportTest {

    private static StatusCommand.Report report(ParkedEvents.Summary parked) {
        return new StatusCommand.Report("default", Optional.empty(), ChangeSource.Lag.NONE, Map.of(), parked, true,
                List.of());
    }

    @Test
    void manyParkedRowsAreCountedAndOnlyThoseParkedLongestNamed() {
        Map<String, Long> oldest = new LinkedHashMap<>();
        for (int row = 1; row <= StatusCommand.PARKED_LISTED; row++) {
            oldest.put("public.orders\u0000" + row, row == 1 ? 3L : 1L);
        }
        StatusCommand.Report report = report(new ParkedEvents.Summary(250_002, 250_000, oldest));

        assertThat(StatusCommand.human(report)).contains("parked:        250002 event(s) of 250000 stuck entities "
                + "(parked longest: public.orders 1: 3, public.orders 2: 1, public.orders 3: 1, public.orders 4: 1, "
                + "public.orders 5: 1, …; they run in order once their receivers recover)");
        String json = StatusCommand.json(report);
        assertThat(json).contains("\"parked\":{\"total\":250002,\"entities\":250000,\"by_entity\":{"
                + "\"public.orders 1\":3,\"public.orders 2\":1,").contains("\"public.orders 100\":1}")
                .doesNotContain("\"public.orders 101\"");
    }

    @Test
    void aFewParkedRowsAreAllNamed() {
        Map<String, Long> both = new LinkedHashMap<>();
        both.put("public.orders\u00007", 2L);
        both.put("public.orders\u00009", 1L);
        assertThat(StatusCommand.human(report(new ParkedEvents.Summary(3, 2, both))))
                .contains("3 event(s) of 2 stuck entities (public.orders 7: 2, public.orders 9: 1; they run");
        assertThat(StatusCommand.human(report(new ParkedEvents.Summary(0, 0, Map.of()))))
                .contains("parked:        none");
    }
}
