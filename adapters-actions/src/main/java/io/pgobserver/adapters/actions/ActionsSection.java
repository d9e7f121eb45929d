package io.pgobserver.adapters.actions;

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
        Duration connect = section.duration("connect_timeout", d.connectTimeout());
        Duration read = section.duration("read_timeout", d.readTimeout());
        LinkedHashSet<String> allowed = new LinkedHashSet<>(section.strings("allowed_hosts"));
        int perHost = section.integer("max_requests_per_host", d.maxRequestsPerHost(), 1, 100_000);
        section.finish();
        return new ActionsSettings(connect, read, allowed, perHost);
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
