package io.pgobserver.domain.trace;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The W3C {@code tracestate} header: vendor entries carried beside {@code traceparent}, in order.
 *
 * <p>Parsing follows the W3C Trace Context recommendation: members are {@code key=value}, separated by
 * commas with optional spaces and tabs; empty members are skipped; keys are a simple key or a
 * {@code tenant@system} multi-tenant key; values are printable ASCII without {@code ,} and {@code =}
 * and not ending in a space. A header with an invalid member or a duplicate key is discarded whole, as the
 * recommendation asks. More than 32 members are cut to the first 32.
 */
public record TraceState(List<Map.Entry<String, String>> entries) {

    public static final int MAX_MEMBERS = 32;
    public static final TraceState EMPTY = new TraceState(List.of());

    private static final Pattern SIMPLE_KEY = Pattern.compile("[a-z][a-z0-9_\\-*/]{0,255}");
    private static final Pattern TENANT_KEY = Pattern.compile("[a-z0-9][a-z0-9_\\-*/]{0,240}@[a-z][a-z0-9_\\-*/]{0,13}");
    private static final Pattern VALUE = Pattern.compile("[\\x20-\\x2b\\x2d-\\x3c\\x3e-\\x7e]{0,255}[\\x21-\\x2b\\x2d-\\x3c\\x3e-\\x7e]");

    public TraceState {
        if (entries.size() > MAX_MEMBERS) {
            throw new IllegalArgumentException("tracestate holds at most " + MAX_MEMBERS + " members");
        }
        // Entries are copied into immutable ones: a caller's mutable entry cannot change a validated state.
        List<Map.Entry<String, String>> copy = new ArrayList<>(entries.size());
        Set<String> keys = new HashSet<>();
        for (Map.Entry<String, String> entry : entries) {
            String key = entry.getKey();
            String value = entry.getValue();
            if (!isValidKey(key) || !isValidValue(value) || !keys.add(key)) {
                throw new IllegalArgumentException("invalid tracestate member: " + key);
            }
            copy.add(Map.entry(key, value));
        }
        entries = List.copyOf(copy);
    }

    /** Parses a header; an absent, blank or invalid header is {@link #EMPTY}, never an error. */
    public static TraceState parse(String header) {
        if (header == null || header.isBlank()) {
            return EMPTY;
        }
        List<Map.Entry<String, String>> members = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        for (String raw : header.split(",", -1)) {
            String member = OptionalWhitespace.strip(raw);
            if (member.isEmpty()) {
                continue;
            }
            int eq = member.indexOf('=');
            if (eq <= 0) {
                return EMPTY;
            }
            String key = member.substring(0, eq);
            String value = member.substring(eq + 1);
            if (!isValidKey(key) || !isValidValue(value) || !keys.add(key)) {
                return EMPTY;
            }
            if (members.size() < MAX_MEMBERS) {
                members.add(Map.entry(key, value));
            }
        }
        return members.isEmpty() ? EMPTY : new TraceState(Collections.unmodifiableList(members));
    }

    public static boolean isValidKey(String key) {
        return key != null && (SIMPLE_KEY.matcher(key).matches() || TENANT_KEY.matcher(key).matches());
    }

    public static boolean isValidValue(String value) {
        return value != null && VALUE.matcher(value).matches();
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public Optional<String> get(String key) {
        for (Map.Entry<String, String> entry : entries) {
            if (entry.getKey().equals(key)) {
                return Optional.of(entry.getValue());
            }
        }
        return Optional.empty();
    }

    /** The header value: members joined by commas, or an empty string. */
    public String format() {
        if (entries.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> entry : entries) {
            if (!out.isEmpty()) {
                out.append(',');
            }
            out.append(entry.getKey()).append('=').append(entry.getValue());
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return format();
    }
}
