package io.pgobserver.templates;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JSON document's shape as the configuration writes it (a webhook's {@code body}, a Kafka record's {@code value}),
 * rendered per event into a JSON tree that the caller writes out. Written as YAML, not as JSON text with tags in it,
 * so that what is sent is always valid JSON, whatever a row holds: no value can close a quote or add a key.
 * <ul>
 *   <li>mappings and lists are sent as written; their keys are text, never templates;</li>
 *   <li>a string that is one tag and nothing else, {@code "{{after.total}}"}, is the value itself with its JSON type:
 *       a number stays a number with every digit, a row image ({@code "{{after}}"}) an object, a list a list. A value
 *       the event lacks, or SQL {@code NULL}, is {@code null}, and so is the row image an event has not
 *       ({@code before} of a created row), as in the event's own JSON;</li>
 *   <li>a string with more than one tag, or text around its tag ({@code "Order {{after.id}}"}), or the tag written
 *       {@code {{{x}}}}, is a {@linkplain Templates#text text template} and is sent as a JSON string;</li>
 *   <li>numbers, booleans, nulls and strings without tags are sent as written.</li>
 * </ul>
 * Compile at start-up, so a template that does not compile stops the boot; render per event.
 */
public final class JsonTemplate {

    /** One tag that names a value: not a section, comment, partial, delimiter change or unescaped {@code {{{x}}}}. */
    private static final Pattern LONE_TAG = Pattern.compile("\\{\\{\\s*([^\\s{}#^/!>&=<][^{}]*?)\\s*}}");

    private final String what;
    private final Part root;

    private JsonTemplate(String what, Part root) {
        this.what = what;
        this.root = root;
    }

    /**
     * @param what  names the document in messages, such as {@code "webhook POST https://x.example.com: body"}
     * @param shape a JSON-shaped tree: maps, lists, strings, numbers, booleans, nulls
     * @throws IllegalArgumentException naming {@code what}, where in the shape, and the error, when a string does not
     *                                  compile or a key holds a tag
     */
    static JsonTemplate compile(String what, Object shape) {
        return new JsonTemplate(what, part(what, shape, ""));
    }

    private static Part part(String what, Object shape, String where) {
        return switch (shape) {
            case null -> new Constant(null);
            case String text -> text(what, text, where);
            case Map<?, ?> map -> {
                Map<String, Part> parts = new LinkedHashMap<>();
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    String key = String.valueOf(entry.getKey());
                    String at = where.isEmpty() ? key : where + "." + key;
                    if (key.contains("{{")) {
                        throw new IllegalArgumentException(what + " at " + at + ": a key is sent as written, it "
                                + "cannot be a template; template the value instead");
                    }
                    parts.put(key, part(what, entry.getValue(), at));
                }
                yield new ObjectPart(parts);
            }
            case List<?> list -> {
                List<Part> parts = new ArrayList<>(list.size());
                for (int i = 0; i < list.size(); i++) {
                    parts.add(part(what, list.get(i), where + "[" + i + "]"));
                }
                yield new ListPart(parts);
            }
            case Number number -> new Constant(number);
            case Boolean bool -> new Constant(bool);
            default -> throw new IllegalArgumentException(what + (where.isEmpty() ? "" : " at " + where)
                    + ": a " + shape.getClass().getSimpleName() + " is no JSON value");
        };
    }

    private static Part text(String what, String text, String where) {
        Matcher lone = LONE_TAG.matcher(text);
        if (lone.matches() && !Arrays.asList(lone.group(1).split("\\.", -1)).contains("")) {
            return new ValuePart(lone.group(1));
        }
        if (!text.contains("{{")) {
            return new Constant(text);
        }
        return new TextPart(Templates.text(what + (where.isEmpty() ? "" : " at " + where), text));
    }

    /**
     * The document for one event: maps, lists and the values of {@code context}, for a JSON writer.
     *
     * @throws Templates.TemplateException naming the document when a text in it fails on this event
     */
    public Object render(Map<String, Object> context) throws Templates.TemplateException {
        return root.render(context);
    }

    /**
     * The row images' columns the document names, as {@link Templates#columns(String)} counts them.
     *
     * @param shape the document's shape, as given to {@link Templates#json}
     */
    static Set<String> columns(Object shape) {
        Set<String> columns = new TreeSet<>();
        switch (shape) {
            case String text -> {
                Matcher lone = LONE_TAG.matcher(text);
                String column = lone.matches() ? TemplateTags.column(lone.group(1)) : null;
                if (column != null) {
                    columns.add(column);
                } else {
                    columns.addAll(Templates.columns(text));
                }
            }
            case Map<?, ?> map -> map.values().forEach(value -> columns.addAll(columns(value)));
            case List<?> list -> list.forEach(value -> columns.addAll(columns(value)));
            case null, default -> { }
        }
        return columns;
    }

    @Override
    public String toString() {
        return what;
    }

    private sealed interface Part permits Constant, ValuePart, TextPart, ObjectPart, ListPart {
        Object render(Map<String, Object> context) throws Templates.TemplateException;
    }

    private record Constant(Object value) implements Part {
        @Override
        public Object render(Map<String, Object> context) {
            return value;
        }
    }

    /** {@code {{after.total}}}: the value at that name, as Mustache finds it, or null. */
    private record ValuePart(String name) implements Part {
        @Override
        public Object render(Map<String, Object> context) {
            Object value = Values.at(context, name);
            // The context holds an absent row image as an empty map, for templates' sections; JSON says null.
            boolean rowImage = name.equals("before") || name.equals("after");
            return rowImage && value instanceof Map<?, ?> map && map.isEmpty() ? null : value;
        }
    }

    private record TextPart(Templates.Template template) implements Part {
        @Override
        public Object render(Map<String, Object> context) throws Templates.TemplateException {
            return template.render(context);
        }
    }

    private record ObjectPart(Map<String, Part> parts) implements Part {
        @Override
        public Object render(Map<String, Object> context) throws Templates.TemplateException {
            Map<String, Object> out = new LinkedHashMap<>(parts.size() * 2);
            for (Map.Entry<String, Part> entry : parts.entrySet()) {
                out.put(entry.getKey(), entry.getValue().render(context));
            }
            return Collections.unmodifiableMap(out);
        }
    }

    private record ListPart(List<Part> parts) implements Part {
        @Override
        public Object render(Map<String, Object> context) throws Templates.TemplateException {
            List<Object> out = new ArrayList<>(parts.size());
            for (Part part : parts) {
                out.add(part.render(context));
            }
            return Collections.unmodifiableList(out);
        }
    }
}
