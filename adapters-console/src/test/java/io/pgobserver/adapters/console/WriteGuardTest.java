package io.pgobserver.adapters.console;

import io.pgobserver.domain.observer.Secret;
import io.pgobserver.domain.spi.AdminRoute;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Who may replay and discard: the token, from the console's own origin. */
class WriteGuardTest {

    private static final String TOKEN = "0123456789abcdef-operator";
    private final WriteGuard guard = new WriteGuard(new ConsoleSettings(true, null, new Secret(TOKEN), null, 500,
            null));

    private static AdminRoute.Request post(Map<String, String> headers) {
        Map<String, String> all = new HashMap<>(headers);
        all.put("host", "127.0.0.1:8081");
        return new AdminRoute.Request("POST", "/console/dead-letters/replay", "", all, new byte[0],
                new InetSocketAddress("127.0.0.1", 8081), new InetSocketAddress("127.0.0.1", 50000));
    }

    @Test
    void theConsolesOwnFormWithTheTokenMayWrite() {
        assertThat(guard.refusal(post(Map.of("origin", "http://127.0.0.1:8081", "sec-fetch-site", "same-origin")),
                Form.parse("id=1&token=" + TOKEN))).isNull();
    }

    @Test
    void aScriptOutsideABrowserMayWriteWithTheTokenInAHeader() {
        assertThat(guard.refusal(post(Map.of(WriteGuard.TOKEN_HEADER, TOKEN)), Form.parse("id=1"))).isNull();
    }

    @Test
    void aMissingOrWrongTokenIsRefused() {
        assertThat(guard.refusal(post(Map.of("origin", "http://127.0.0.1:8081")), Form.parse("id=1")))
                .contains("token");
        assertThat(guard.refusal(post(Map.of("origin", "http://127.0.0.1:8081")), Form.parse("id=1&token=x")))
                .contains("token");
    }

    @Test
    void anotherOriginIsRefusedEvenWithTheToken() {
        assertThat(guard.refusal(post(Map.of("origin", "http://evil.example")), Form.parse("token=" + TOKEN)))
                .contains("another origin");
        assertThat(guard.refusal(post(Map.of("origin", "null")), Form.parse("token=" + TOKEN)))
                .contains("another origin");
        assertThat(guard.refusal(post(Map.of("sec-fetch-site", "cross-site")), Form.parse("token=" + TOKEN)))
                .contains("another site");
        assertThat(guard.refusal(post(Map.of("sec-fetch-site", "same-site")), Form.parse("token=" + TOKEN)))
                .contains("another site");
    }

    @Test
    void withoutATokenConfiguredTheConsoleIsReadOnly() {
        WriteGuard readOnly = new WriteGuard(new ConsoleSettings(true, null, null, null, 500, null));

        assertThat(readOnly.refusal(post(Map.of()), Form.parse("token=anything-at-all-here"))).contains("read-only");
    }
}
