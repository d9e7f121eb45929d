package io.pgobserver.bootstrap.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads configuration text into a tree, every error one line naming the line and column.
 *
 * <p>A key given twice in one mapping is an error: Jackson would keep the last one without a word, so a second
 * {@code password:} or {@code entity:} line, pasted in and forgotten, would silently win. SnakeYAML's syntax errors
 * span several lines (a snippet and a caret under it); only their words and positions are kept.
 */
final class YamlDocuments {

    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());
    /** The start of Jackson's message for a repeated key; it has no exception type of its own. */
    private static final String DUPLICATE = "Duplicate field '";

    private YamlDocuments() {
    }

    static ObjectNode empty() {
        return YAML.createObjectNode();
    }

    /** The text as a mapping; {@code source} (a file name) starts every message. */
    static ObjectNode parse(String text, String source) {
        JsonNode node;
        try {
            node = YAML.readTree(text);
        } catch (JacksonException e) {
            throw new ConfigException(message(e, source), e);
        }
        if (node == null || node.isNull() || node.isMissingNode()) {
            return empty();
        }
        if (!node.isObject()) {
            throw new ConfigException(source + " must be a YAML mapping (keys like database:, tracing:, observers:)");
        }
        return (ObjectNode) node;
    }

    private static String message(JacksonException e, String source) {
        String original = String.valueOf(e.getOriginalMessage());
        if (original.startsWith(DUPLICATE) && e.getProcessor() instanceof JsonParser parser) {
            return source + " gives " + keyPath(parser.getParsingContext()) + " twice" + at(e)
                    + ": keep one (YAML keys are unique in their mapping, and the last would silently win)";
        }
        MarkedYAMLException marked = marked(e);
        if (marked != null && marked.getProblemMark() != null) {
            Mark problem = marked.getProblemMark();
            Mark context = marked.getContextMark();
            return source + " is not valid YAML at line " + (problem.getLine() + 1) + ", column "
                    + (problem.getColumn() + 1) + ": " + OneLine.of(marked.getProblem())
                    + (marked.getContext() == null ? "" : " (" + OneLine.of(marked.getContext())
                    + (context == null ? "" : " at line " + (context.getLine() + 1) + ", column "
                    + (context.getColumn() + 1)) + ")");
        }
        return source + " is not valid YAML" + at(e) + ": " + OneLine.of(original);
    }

    private static String at(JacksonException e) {
        return e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr();
    }

    /** SnakeYAML's exception under Jackson's wrappers, or null. */
    private static MarkedYAMLException marked(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof MarkedYAMLException marked) {
                return marked;
            }
        }
        return null;
    }

    /** The key as the other messages name it: {@code observers.o.actions[0].url}. */
    static String keyPath(JsonStreamContext context) {
        List<JsonStreamContext> outerFirst = new ArrayList<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            outerFirst.addFirst(c);
        }
        StringBuilder path = new StringBuilder();
        for (JsonStreamContext c : outerFirst) {
            if (c.inArray()) {
                path.append('[').append(c.getCurrentIndex()).append(']');
            } else if (c.getCurrentName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(c.getCurrentName());
            }
        }
        return path.toString();
    }
}
