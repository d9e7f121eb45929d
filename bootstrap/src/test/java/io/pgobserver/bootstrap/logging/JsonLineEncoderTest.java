package io.pgobserver.bootstrap.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class JsonLineEncoderTest {

    private static final LoggerContext CONTEXT = new LoggerContext();

    private static JsonNode encode(LoggingEvent event) throws Exception {
        String line = new String(new JsonLineEncoder().encode(event), StandardCharsets.UTF_8);
        assertThat(line).as("one line").endsWith("\n").doesNotContain("\n\n");
        assertThat(line.strip()).doesNotContain("\n");
        return new ObjectMapper().readTree(line);
    }

    private static LoggingEvent event(String message, Throwable thrown, Map<String, String> mdc, Object... arguments) {
        LoggingEvent event = new LoggingEvent("test", CONTEXT.getLogger("io.pgobserver.Example"), Level.WARN, message,
                thrown, arguments);
        event.setThreadName("pgobserver-pipeline");
        event.setInstant(Instant.parse("2026-03-01T10:15:30.123456Z"));
        event.setMDCPropertyMap(mdc);
        return event;
    }

    @Test
    void aLineHasTheFieldsBackEndsReadAndTheTraceIdsAtTheTop() throws Exception {
        JsonNode line = encode(event("webhook {} answered \"{}\"\n", null,
                Map.of("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736", "span_id", "00f067aa0ba902b7"), "orders", 503));
        assertThat(line.path("timestamp").asText()).isEqualTo("2026-03-01T10:15:30.123Z");
        assertThat(line.path("level").asText()).isEqualTo("WARN");
        assertThat(line.path("logger").asText()).isEqualTo("io.pgobserver.Example");
        assertThat(line.path("thread").asText()).isEqualTo("pgobserver-pipeline");
        assertThat(line.path("message").asText()).isEqualTo("webhook orders answered \"503\"\n");
        assertThat(line.path("trace_id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(line.path("span_id").asText()).isEqualTo("00f067aa0ba902b7");
        assertThat(line.has("stack_trace")).isFalse();
    }

    @Test
    void anExceptionsStackTraceIsOneFieldWithItsCause() throws Exception {
        Exception thrown = new IllegalStateException("cannot deliver", new java.io.IOException("connection reset"));
        JsonNode line = encode(event("delivery failed", thrown, Map.of()));
        assertThat(line.has("trace_id")).as("no span current").isFalse();
        assertThat(line.path("stack_trace").asText())
                .startsWith("java.lang.IllegalStateException: cannot deliver")
                .contains("\tat io.pgobserver.bootstrap.logging.JsonLineEncoderTest")
                .contains("Caused by: java.io.IOException: connection reset");
    }

    @Test
    void aMessageCutInsideAnEmojiOrHoldingControlCharactersIsStillALine() throws Exception {
        // A receiver's answer cut to its first characters may end in half an emoji (a lone surrogate).
        String cut = "HTTP 503: down \uD83D\uDE80 again \uD83D";
        JsonNode line = encode(event("{}\u0000\u001b[31m\tend", null, Map.of("consumer", "c\uD83D"), cut));
        assertThat(line.path("message").asText()).isEqualTo("HTTP 503: down \uD83D\uDE80 again \uFFFD\u0000\u001b[31m\tend");
        assertThat(line.path("consumer").asText()).isEqualTo("c\uFFFD");
    }
}
