package io.pgobserver.benchmarks.load;

/**
 * Counts the spans in an OTLP/HTTP protobuf body ({@code ExportTraceServiceRequest}) by walking the wire format, so
 * that the bench can show every span arrived (no drops in the observer's queue) without decoding a span: resource
 * spans (field 1) hold scope spans (field 2), which hold spans (field 2). Anything else is skipped by its wire type.
 */
final class OtlpSpanCount {

    private static final int LENGTH_DELIMITED = 2;

    private OtlpSpanCount() {
    }

    /** The spans in {@code body}; throws IllegalArgumentException when it is not well-formed protobuf. */
    static int count(byte[] body) {
        return count(body, 0, body.length, 0);
    }

    /** @param depth 0: the request, 1: a ResourceSpans, 2: a ScopeSpans, whose field 2 entries are spans */
    private static int count(byte[] body, int from, int to, int depth) {
        int spans = 0;
        int[] at = {from};
        while (at[0] < to) {
            long key = varint(body, at, to);
            int field = (int) (key >>> 3);
            int wireType = (int) (key & 7);
            if (wireType == LENGTH_DELIMITED) {
                int length = (int) varint(body, at, to);
                int end = at[0] + length;
                if (length < 0 || end > to) {
                    throw new IllegalArgumentException("a field runs past its message");
                }
                boolean wanted = depth == 0 ? field == 1 : field == 2;
                if (wanted) {
                    spans += depth == 2 ? 1 : count(body, at[0], end, depth + 1);
                }
                at[0] = end;
            } else {
                skip(body, at, to, wireType);
            }
        }
        return spans;
    }

    private static void skip(byte[] body, int[] at, int to, int wireType) {
        switch (wireType) {
            case 0 -> varint(body, at, to);
            case 1 -> at[0] += 8;
            case 5 -> at[0] += 4;
            default -> throw new IllegalArgumentException("wire type " + wireType + " is not used by OTLP");
        }
        if (at[0] > to) {
            throw new IllegalArgumentException("a field runs past its message");
        }
    }

    private static long varint(byte[] body, int[] at, int to) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (at[0] >= to) {
                throw new IllegalArgumentException("a varint runs past its message");
            }
            byte b = body[at[0]++];
            value |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("a varint longer than 10 bytes");
    }
}
