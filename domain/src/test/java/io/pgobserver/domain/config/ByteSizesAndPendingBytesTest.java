package io.pgobserver.domain.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code listener.max_pending_bytes}: how it is written, its default from the heap, and the values refused. */
class ByteSizesAndPendingBytesTest {

    private static final String KEY = "listener.max_pending_bytes";

    @Test
    void amountsAreWrittenWithBinaryOrDecimalUnitsOrAsPlainBytes() {
        assertThat(ByteSizes.parse(KEY, "64MiB")).isEqualTo(64L << 20);
        assertThat(ByteSizes.parse(KEY, "64 mib")).isEqualTo(64L << 20);
        assertThat(ByteSizes.parse(KEY, "512KiB")).isEqualTo(512L << 10);
        assertThat(ByteSizes.parse(KEY, "1.5GiB")).isEqualTo(3L << 29);
        assertThat(ByteSizes.parse(KEY, "64MB")).isEqualTo(64_000_000L);
        assertThat(ByteSizes.parse(KEY, "2GB")).isEqualTo(2_000_000_000L);
        assertThat(ByteSizes.parse(KEY, "67_108_864")).isEqualTo(64L << 20);
        assertThat(ByteSizes.parse(KEY, "100b")).isEqualTo(100);
    }

    @Test
    void anythingElseIsAnErrorNamingTheKeyAndHowToWriteIt() {
        for (String bad : new String[] {"lots", "64 megabytes", "-1MiB", "", "1e9"}) {
            assertThatThrownBy(() -> ByteSizes.parse(KEY, bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(KEY).hasMessageContaining("such as 64MiB");
        }
    }

    @Test
    void formatsAsPeopleReadIt() {
        assertThat(ByteSizes.format(812)).isEqualTo("812 bytes");
        assertThat(ByteSizes.format(300 << 10)).isEqualTo("300 KiB");
        assertThat(ByteSizes.format(64L << 20)).isEqualTo("64 MiB");
        assertThat(ByteSizes.format(3L << 29)).isEqualTo("1.5 GiB");
    }

    @Test
    void theDefaultIsAQuarterOfTheHeapAndThePageAnEighthOfIt() {
        ListenerSettings defaults = ListenerSettings.defaults();
        long quarter = Math.max(ListenerSettings.MIN_PENDING_BYTES, Runtime.getRuntime().maxMemory() / 4);
        assertThat(defaults.maxPendingBytes()).isZero();
        assertThat(defaults.pendingBytesLimit()).isEqualTo(quarter);
        assertThat(defaults.pageBytes()).isEqualTo(quarter / 8);
        assertThat(withBytes(32L << 20).pendingBytesLimit()).isEqualTo(32L << 20);
        assertThat(withBytes(32L << 20).pageBytes()).isEqualTo(4L << 20);
    }

    @Test
    void tooSmallOrNotBelowTheHeapIsRefusedWithTheFix() {
        assertThatThrownBy(() -> withBytes(64)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(KEY + " must be at least 1MiB").hasMessageContaining("64MiB")
                .hasMessageContaining("was 64 bytes");
        assertThatThrownBy(() -> withBytes(-5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(KEY);
        long heap = Runtime.getRuntime().maxMemory();
        assertThatThrownBy(() -> withBytes(heap)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(KEY).hasMessageContaining("is not below this JVM's heap")
                .hasMessageContaining("-Xmx");
        assertThat(withBytes(ListenerSettings.MIN_PENDING_BYTES).pendingBytesLimit())
                .isEqualTo(ListenerSettings.MIN_PENDING_BYTES);
    }

    private static ListenerSettings withBytes(long bytes) {
        return new ListenerSettings("c", 500, Duration.ofSeconds(1), 256, 10_000, Duration.ofMillis(200), null,
                Duration.ofSeconds(30), 0, bytes);
    }
}
