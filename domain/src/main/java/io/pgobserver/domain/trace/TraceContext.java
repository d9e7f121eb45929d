package io.pgobserver.domain.trace;

import java.util.Objects;
import java.util.Optional;

/**
 * A W3C Trace Context: the {@code traceparent} fields and the {@code tracestate} that travel with them.
 *
 * <p>{@link #parse} follows the W3C Trace Context recommendation: version {@code 00} is exactly 55
 * characters; {@code ff} is invalid; a higher version is read by its first four fields, and anything after
 * them must start with {@code -}; ids and flags are lowercase hex only; all-zero ids are invalid; spaces and
 * tabs around the value are not part of it, as in an HTTP header. Invalid input is never an error: it yields
 * {@link Optional#empty()}, and the event then starts a new trace.
 *
 * <p>Of the flags, only those the recommendation defines are kept: sampled ({@code 01}) and, from level 2,
 * random trace id ({@code 02}). The others are reserved, and "vendors MUST set those to zero": a writer's
 * {@code -ff} is sampled, and goes downstream as {@code -03}.
 */
public record TraceContext(String traceId, String spanId, byte flags, TraceState traceState) {

    /** No context: the event starts a new trace. */
    public static final TraceContext NONE = new TraceContext();

    public static final byte FLAG_SAMPLED = 0x01;
    public static final byte FLAG_RANDOM = 0x02;
    private static final byte KNOWN_FLAGS = FLAG_SAMPLED | FLAG_RANDOM;
    private static final int TRACEPARENT_LENGTH = 55;
    private static final String INVALID_TRACE_ID = "00000000000000000000000000000000";
    private static final String INVALID_SPAN_ID = "0000000000000000";
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    public TraceContext {
        Objects.requireNonNull(traceId, "traceId");
        Objects.requireNonNull(spanId, "spanId");
        traceState = traceState == null ? TraceState.EMPTY : traceState;
        // Reserved bits are dropped here, so no context this holds can send them on (webhooks, Kafka, a database).
        flags = (byte) (flags & KNOWN_FLAGS);
        boolean none = traceId.equals(INVALID_TRACE_ID) && spanId.equals(INVALID_SPAN_ID);
        if (!none && (!isValidTraceId(traceId) || !isValidSpanId(spanId))) {
            throw new IllegalArgumentException("invalid trace context: trace id '" + traceId + "', span id '" + spanId
                    + "' (32 and 16 lowercase hex digits, not all zero)");
        }
    }

    private TraceContext() {
        this(INVALID_TRACE_ID, INVALID_SPAN_ID, (byte) 0, TraceState.EMPTY);
    }

    public static TraceContext of(String traceId, String spanId, boolean sampled) {
        return new TraceContext(traceId, spanId, sampled ? FLAG_SAMPLED : 0, TraceState.EMPTY);
    }

    /** Parses {@code traceparent} and {@code tracestate}; the state is kept only beside a valid parent. */
    public static Optional<TraceContext> parse(String header, String tracestate) {
        if (header == null) {
            return Optional.empty();
        }
        String traceparent = OptionalWhitespace.strip(header);
        int length = traceparent.length();
        if (length < TRACEPARENT_LENGTH
                || traceparent.charAt(2) != '-' || traceparent.charAt(35) != '-' || traceparent.charAt(52) != '-') {
            return Optional.empty();
        }
        if (!isLowerHex(traceparent, 0, 2) || traceparent.startsWith("ff")) {
            return Optional.empty();
        }
        boolean version00 = traceparent.startsWith("00");
        if (length > TRACEPARENT_LENGTH && (version00 || traceparent.charAt(TRACEPARENT_LENGTH) != '-')) {
            return Optional.empty();
        }
        String traceId = traceparent.substring(3, 35);
        String spanId = traceparent.substring(36, 52);
        if (!isValidTraceId(traceId) || !isValidSpanId(spanId) || !isLowerHex(traceparent, 53, 55)) {
            return Optional.empty();
        }
        byte flags = (byte) Integer.parseInt(traceparent, 53, 55, 16);
        return Optional.of(new TraceContext(traceId, spanId, flags, TraceState.parse(tracestate)));
    }

    /** Parses a {@code traceparent} header without state. */
    public static Optional<TraceContext> parse(String traceparent) {
        return parse(traceparent, null);
    }

    public boolean isValid() {
        return this != NONE && !traceId.equals(INVALID_TRACE_ID);
    }

    public boolean isSampled() {
        return (flags & FLAG_SAMPLED) != 0;
    }

    /** The {@code traceparent} header value, always version {@code 00}. */
    public String traceparent() {
        char[] out = new char[TRACEPARENT_LENGTH];
        out[0] = '0';
        out[1] = '0';
        out[2] = '-';
        traceId.getChars(0, 32, out, 3);
        out[35] = '-';
        spanId.getChars(0, 16, out, 36);
        out[52] = '-';
        out[53] = HEX[(flags >> 4) & 0xf];
        out[54] = HEX[flags & 0xf];
        return new String(out);
    }

    /** The {@code tracestate} header value, or an empty string. */
    public String tracestate() {
        return traceState.format();
    }

    public TraceContext withTraceState(TraceState state) {
        return new TraceContext(traceId, spanId, flags, state);
    }

    public static boolean isValidTraceId(String id) {
        return id != null && id.length() == 32 && isLowerHex(id, 0, 32) && !id.equals(INVALID_TRACE_ID);
    }

    public static boolean isValidSpanId(String id) {
        return id != null && id.length() == 16 && isLowerHex(id, 0, 16) && !id.equals(INVALID_SPAN_ID);
    }

    private static boolean isLowerHex(CharSequence s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return isValid() ? traceparent() : "none";
    }
}
