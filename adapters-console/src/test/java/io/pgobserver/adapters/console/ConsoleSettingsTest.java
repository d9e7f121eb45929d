package io.pgobserver.adapters.console;

import io.pgobserver.domain.observer.Secret;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code console:} settings: defaults, and each bad value refused naming its key and the fix. */
class ConsoleSettingsTest {

    private static ConsoleSettings settings(String bind, String token, String traceUrl, int recent) {
        return new ConsoleSettings(true, bind, Secret.ofNullable(token), traceUrl, recent, null);
    }

    @Test
    void theDefaultsAreAReadOnlyConsoleOnThisHostOnly() throws Exception {
        ConsoleSettings s = settings(null, null, null, 500);

        assertThat(s.bind()).isEqualTo("127.0.0.1");
        assertThat(s.writable()).isFalse();
        assertThat(s.window()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.accepts(InetAddress.getByName("127.0.0.1"))).isTrue();
        assertThat(s.accepts(InetAddress.getByName("10.1.2.3"))).isFalse();
        assertThat(settings("0.0.0.0", null, null, 500).accepts(InetAddress.getByName("10.1.2.3"))).isTrue();
        assertThat(settings("10.1.2.3", null, null, 500).accepts(InetAddress.getByName("10.1.2.4"))).isFalse();
    }

    @Test
    void badValuesNameTheirKeyAndTheFix() {
        assertThatThrownBy(() -> settings("console.example.com", null, null, 500))
                .hasMessageContaining("console.bind").hasMessageContaining("127.0.0.1");
        assertThatThrownBy(() -> settings(null, "short", null, 500))
                .hasMessageContaining("console.token").hasMessageContaining("16 characters");
        assertThatThrownBy(() -> settings(null, null, "http://jaeger:16686/trace/", 500))
                .hasMessageContaining("console.trace_url").hasMessageContaining("{trace_id}");
        assertThatThrownBy(() -> settings(null, null, "javascript:alert(1)//{trace_id}", 500))
                .hasMessageContaining("console.trace_url");
        assertThatThrownBy(() -> settings(null, null, null, 5))
                .hasMessageContaining("console.recent_events");
        assertThatThrownBy(() -> new ConsoleSettings(true, null, null, null, 500, Duration.ofHours(2)))
                .hasMessage("console.window must be between 10s and 1h (e.g. 5m), was 2h");
    }

    @Test
    void aTraceLinkPutsTheTraceIdInTheTemplate() {
        ConsoleSettings s = settings(null, null, "http://localhost:9411/zipkin/traces/{trace_id}", 500);

        assertThat(s.traceLink("4bf92f3577b34da6a3ce929d0e0e4736"))
                .isEqualTo("http://localhost:9411/zipkin/traces/4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(s.traceLink(null)).isNull();
        assertThat(settings(null, null, null, 500).traceLink("4bf92f3577b34da6a3ce929d0e0e4736")).isNull();
    }

    @Test
    void theSectionMasksTheToken() {
        ConsoleSettings s = settings(null, "0123456789abcdef0123", null, 500);

        assertThat(new ConsoleSection().render(s).get("token")).hasToString(Secret.MASK);
        assertThat(new ConsoleSection().environment()).containsEntry("CONSOLE_TOKEN", "token")
                .containsEntry("CONSOLE_TRACE_URL", "trace_url");
    }
}
