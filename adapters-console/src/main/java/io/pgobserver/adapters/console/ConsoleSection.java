package io.pgobserver.adapters.console;

import io.pgobserver.domain.observer.Secret;
import io.pgobserver.domain.spi.ConfigReader;
import io.pgobserver.domain.spi.ConfigSection;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code console:} section: {@code enabled}, {@code bind}, {@code token} (also {@code CONSOLE_TOKEN}),
 * {@code trace_url} (also {@code CONSOLE_TRACE_URL}), {@code recent_events}, {@code window}. Always bound: an absent section is the defaults, a
 * read-only console on this host.
 */
final class ConsoleSection implements ConfigSection<ConsoleSettings> {

    @Override
    public String key() {
        return "console";
    }

    @Override
    public Class<ConsoleSettings> type() {
        return ConsoleSettings.class;
    }

    @Override
    public Map<String, String> environment() {
        return Map.of("CONSOLE_TOKEN", "token", "CONSOLE_TRACE_URL", "trace_url");
    }

    @Override
    public ConsoleSettings read(ConfigReader section) {
        ConsoleSettings settings = new ConsoleSettings(section.bool("enabled", true),
                section.string("bind", ConsoleSettings.DEFAULT_BIND),
                Secret.ofNullable(blankToNull(section.string("token", null))),
                section.string("trace_url", null),
                section.integer("recent_events", ConsoleSettings.DEFAULT_RECENT_EVENTS, 10, 100_000),
                section.duration("window", ConsoleSettings.DEFAULT_WINDOW));
        section.finish();
        return settings;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    @Override
    public Map<String, Object> render(ConsoleSettings settings) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("enabled", settings.enabled());
        out.put("bind", settings.bind());
        out.put("token", settings.token());
        out.put("trace_url", settings.traceUrl());
        out.put("recent_events", settings.recentEvents());
        out.put("window", settings.window());
        return out;
    }
}
