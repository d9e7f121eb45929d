package io.pgobserver.benchmarks.load;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The span count of hand-encoded OTLP requests: nesting, other fields skipped, malformed input refused. */
class OtlpSpanCountTest {

    @Test
    void countsTheSpansOfEveryScopeOfEveryResource() {
        byte[] span = message(bytesField(1, new byte[16]), bytesField(5, "process_event".getBytes()), fixed64(7));
        byte[] scopeA = message(bytesField(1, message(bytesField(1, "pg-observer".getBytes()))), bytesField(2, span),
                bytesField(2, span), bytesField(3, "schema".getBytes()));
        byte[] scopeB = message(bytesField(2, span));
        byte[] resource = message(bytesField(1, message(varintField(3, 300))), bytesField(2, scopeA),
                bytesField(2, scopeB));
        byte[] request = message(bytesField(1, resource), bytesField(1, message(bytesField(2, scopeB))));

        assertThat(OtlpSpanCount.count(request)).isEqualTo(4);
        assertThat(OtlpSpanCount.count(new byte[0])).isZero();
    }

    @Test
    void refusesWhatIsNotProtobuf() {
        byte[] truncated = message(bytesField(1, new byte[10]));
        byte[] cut = java.util.Arrays.copyOf(truncated, truncated.length - 3);
        assertThatThrownBy(() -> OtlpSpanCount.count(cut)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OtlpSpanCount.count(new byte[] {(byte) 0x0b})).hasMessageContaining("wire type 3");
    }

    private static byte[] message(byte[]... fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] field : fields) {
            out.writeBytes(field);
        }
        return out.toByteArray();
    }

    private static byte[] bytesField(int field, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        varint(out, (long) field << 3 | 2);
        varint(out, value.length);
        out.writeBytes(value);
        return out.toByteArray();
    }

    private static byte[] varintField(int field, long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        varint(out, (long) field << 3);
        varint(out, value);
        return out.toByteArray();
    }

    private static byte[] fixed64(int field) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        varint(out, (long) field << 3 | 1);
        out.writeBytes(new byte[8]);
        return out.toByteArray();
    }

    private static void varint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7fL) != 0) {
            out.write((int) (value & 0x7f) | 0x80);
            value >>>= 7;
        }
        out.write((int) value);
    }
}
