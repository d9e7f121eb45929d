package io.pgobserver.domain.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Durations as the configuration writes them: printed in the units that read well (a long one in days and hours,
 * not a count of hours or milliseconds), and read back as printed.
 */
class DurationsTest {

    @ParameterizedTest(name = "{0} prints as {1}")
    @CsvSource(delimiter = '|', textBlock = """
            PT0S        | 0s
            PT0.1S      | 100ms
            PT0.5S      | 500ms
            PT1S        | 1s
            PT1.5S      | 1.5s
            PT1.25S     | 1.25s
            PT30S       | 30s
            PT90S       | 1m 30s
            PT1M1.5S    | 1m 1.5s
            PT10M       | 10m
            PT1H        | 1h
            PT90M       | 1h 30m
            PT24H       | 24h
            PT25H       | 1d 1h
            PT36H       | 1d 12h
            PT48H       | 2d
            PT169H30M   | 7d 1h 30m
            PT-5S       | -5s
            """)
    void formatsInTheUnitsThatReadWellAndReadsItBack(String iso, String printed) {
        Duration duration = Duration.parse(iso);
        assertThat(Durations.format(duration)).isEqualTo(printed);
        assertThat(printed.startsWith("-") || Durations.parse("key", printed).equals(duration))
                .as("%s reads back as %s", printed, iso).isTrue();
    }

    @Test
    void readsSeveralUnitsWithOrWithoutSpaces() {
        assertThat(Durations.parse("k", "1d 12h")).isEqualTo(Duration.ofHours(36));
        assertThat(Durations.parse("k", "1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("k", "1h 0.5m")).isEqualTo(Duration.ofSeconds(3630));
        assertThat(Durations.parse("k", "2ms")).isEqualTo(Duration.ofMillis(2));
        assertThatThrownBy(() -> Durations.parse("listener.retention", "1d and 12h"))
                .hasMessage("listener.retention must be a duration such as 500ms, 1s, 2m or 1h, was '1d and 12h'");
    }

    @ParameterizedTest(name = "{0} rounds to {1}")
    @CsvSource(delimiter = '|', textBlock = """
            PT0.4S      | 0s
            PT12.9S     | 12s
            PT4M10S     | 4m 10s
            PT2H3M5S    | 2h 3m
            PT36H5M     | 1d 12h
            PT-3S       | 0s
            """)
    void roundsAMeasuredDurationToItsTwoLargestUnits(String iso, String printed) {
        assertThat(Durations.rounded(Duration.parse(iso))).isEqualTo(printed);
    }

    @Test
    void aBoundNamesTheRangeInTheSameUnits() {
        assertThatThrownBy(() -> Durations.within("listener.capture_check_interval", Duration.ofHours(36),
                Duration.ofSeconds(1), Duration.ofHours(24), "e.g. 1m"))
                .hasMessage("listener.capture_check_interval must be between 1s and 24h (e.g. 1m), was 1d 12h");
    }
}
