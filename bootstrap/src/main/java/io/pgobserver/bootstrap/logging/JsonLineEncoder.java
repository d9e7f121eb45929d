package io.pgobserver.bootstrap.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Set;

/**
 * One JSON object per line, in the fields log back-ends read without a parser of their own: {@code timestamp}
 * (ISO-8601, UTC), {@code level}, {@code logger}, {@code thread}, {@code message}, the MDC's entries as top-level
 * fields ({@code trace_id} and {@code span_id} while a span is current, OpenTelemetry's names) and the exception's
 * stack trace as one string, {@code stack_trace}. Logback's own JsonEncoder writes the time in epoch milliseconds,
 * nests the MDC and splits a stack trace into frames, which back-ends do not link to a trace or show as one.
 */
public final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
            .withZone(ZoneOffset.UTC);
    /** The fields written for every line: an MDC entry of the same name does not write it twice. */
    private static final Set<String> FIELDS = Set.of("timestamp", "level", "logger", "thread", "message",
            "stack_trace");
    private static final JsonFactory JSON = new JsonFactory();

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        try (JsonGenerator json = JSON.createGenerator(line)) {
            json.writeStartObject();
            json.writeStringField("timestamp", TIME.format(event.getInstant()));
            json.writeStringField("level", event.getLevel().toString());
            json.writeStringField("logger", event.getLoggerName());
            json.writeStringField("thread", event.getThreadName());
            json.writeStringField("message", whole(event.getFormattedMessage()));
            Map<String, String> mdc = event.getMDCPropertyMap();
            for (Map.Entry<String, String> entry : mdc.entrySet()) {
                if (!FIELDS.contains(entry.getKey()) && entry.getValue() != null) {
                    json.writeStringField(entry.getKey(), whole(entry.getValue()));
                }
            }
            if (event.getThrowableProxy() != null) {
                json.writeStringField("stack_trace", whole(ThrowableProxyUtil.asString(event.getThrowableProxy())));
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a log line as JSON", e);
        }
        line.write('\n');
        return line.toByteArray();
    }

    /**
     * {@code text} with each unpaired surrogate as U+FFFD: a receiver's answer cut to its first characters may end in
     * half an emoji, and Jackson writes half a pair as bytes that are no UTF-8, which lost the rest of the line.
     */
    static String whole(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder fixed = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1));
            if (paired) {
                if (fixed != null) {
                    fixed.append(c).append(text.charAt(i + 1));
                }
                i++;
            } else if (Character.isSurrogate(c)) {
                if (fixed == null) {
                    fixed = new StringBuilder(text.length()).append(text, 0, i);
                }
                fixed.append('\uFFFD');
            } else if (fixed != null) {
                fixed.append(c);
            }
        }
        return fixed == null ? text : fixed.toString();
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }
}
