package io.pgobserver.adapters.console;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The parameters of a query string or an {@code application/x-www-form-urlencoded} body. */
final class Form {

    private final Map<String, List<String>> values;

    private Form(Map<String, List<String>> values) {
        this.values = values;
    }

    static Form parse(String encoded) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        if (encoded != null && !encoded.isEmpty()) {
            for (String pair : encoded.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            }
        }
        return new Form(values);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The first value, trimmed; empty when absent. */
    String get(String name) {
        List<String> list = values.get(name);
        return list == null || list.isEmpty() ? "" : list.getFirst().trim();
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    /** A non-negative number, or {@code fallback} when absent or not one. */
    long number(String name, long fallback) {
        try {
            long n = Long.parseLong(get(name));
            return n < 0 ? fallback : n;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
