package io.pgobserver.adapters.actions;

import io.pgobserver.domain.config.Durations;
import io.pgobserver.domain.spi.ConfigReader;
import io.pgobserver.domain.spi.ConfigSection;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * The {@code actions:} section: HTTP timeouts and allowed hosts shared by webhook and Slack actions. Always bound:
 * absent keys take their defaults.
 */
final class ActionsSection implements ConfigSection<ActionsSettings> {

    /** Keys this section held before email became an adapter of its own, and where they are now. */
    /*
     * OkHttp reads 0 as "no timeout": a receiver that never answers would hold a place for ever, so 0 and negatives
     * are refused. Under 100 ms a healthy receiver across a network misses its TLS handshake; over 10 minutes a
     * stuck receiver holds its places longer than any retry policy would want to wait.
     */
    static final Duration MIN_TIMEOUT = Duration.ofMillis(100);
    static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);

    private static final Map<String, String> MOVED = Map.of("smtp", "email.smtp", "templates_dir", "email.templates_dir");

    @Override
    public String key() {
        return "actions";
    }

    @Override
    public Class<ActionsSettings> type() {
        return ActionsSettings.class;
    }

    @Override
    public ActionsSettings read(ConfigReader section) {
        MOVED.forEach((key, now) -> {
            if (section.has(key)) {
                throw new IllegalArgumentException(section.key(key) + " is now " + now + ", read by the adapter "
                        + "adapters-email: move it there");
            }
        });
        ActionsSettings d = ActionsSettings.defaults();
        Duration connect = timeout(section, "connect_timeout", d.connectTimeout());
        Duration read = timeout(section, "read_timeout", d.readTimeout());
        LinkedHashSet<String> allowed = new LinkedHashSet<>(section.strings("allowed_hosts"));
        int perHost = section.integer("max_requests_per_host", d.maxRequestsPerHost(), 1, 100_000);
        section.finish();
        return new ActionsSettings(connect, read, allowed, perHost);
    }

    private static Duration timeout(ConfigReader section, String name, Duration fallback) {
        return section.duration(name, fallback, MIN_TIMEOUT, MAX_TIMEOUT, "e.g. " + Durations.format(fallback));
    }

    @Override
    public Map<String, Object> render(ActionsSettings a) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("connect_timeout", a.connectTimeout());
        out.put("read_timeout", a.readTimeout());
        out.put("allowed_hosts", a.allowedHosts().stream().sorted().toList());
        out.put("max_requests_per_host", a.maxRequestsPerHost());
        return out;
    }
}
