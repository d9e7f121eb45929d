package io.pgobserver.templates;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.port.ActionRequest;
import io.pgobserver.domain.port.EventBody;
import io.pgobserver.domain.testing.Events;
import io.pgobserver.domain.testing.TestAction;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTemplateTest {

    private static Map<String, Object> context(ChangeKind kind, Map<String, Object> before, Map<String, Object> after) {
        ChangeEvent event = Events.event(3, "42", kind, before, after);
        return new ActionRequest(event, "crm", new TestAction("webhook", "x"), 0, 1, "d").templateContext();
    }

    private static Map<String, Object> row() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", 42L);
        row.put("name", "Ann \"the\" <admin>\n");
        row.put("total", new BigDecimal("12.10"));
        row.put("tags", List.of("a", "b"));
        row.put("note", null);
        row.put("vip", true);
        return row;
    }

    private static String json(String shapeYamlAsTree, Object shape, Map<String, Object> context) throws Exception {
        return new String(EventBody.write(Templates.json(shapeYamlAsTree, shape).render(context)),
                StandardCharsets.UTF_8);
    }

    /** A lone tag keeps its JSON type; text around a tag makes a string; constants go as written. */
    @Test
    void aLoneTagIsTheValueItselfAndTextAroundATagMakesAString() throws Exception {
        Map<String, Object> shape = new LinkedHashMap<>();
        shape.put("id", "{{after.id}}");
        shape.put("total", "{{ after.total }}");
        shape.put("label", "Order {{after.id}} for {{after.name}}");
        shape.put("id_as_text", "{{{after.id}}}");
        shape.put("vip", "{{after.vip}}");
        shape.put("tags", "{{after.tags}}");
        shape.put("first_tag", "{{after.tags.0}}");
        shape.put("note", "{{after.note}}");
        shape.put("missing", "{{after.nothing}}");
        shape.put("kind", "{{event.kind}}");
        shape.put("observer", "{{observer}}");
        shape.put("source", "pg-observer");
        shape.put("version", 2L);
        shape.put("flags", Arrays.asList("{{after.id}}", false, null, Map.of("n", "{{after.name}}")));

        String body = json("body", shape, context(ChangeKind.UPDATED, Map.of("id", 42L), row()));

        assertThat(body).isEqualTo("{\"id\":42,\"total\":12.10,"
                + "\"label\":\"Order 42 for Ann \\\"the\\\" <admin>\\n\",\"id_as_text\":\"42\",\"vip\":true,"
                + "\"tags\":[\"a\",\"b\"],\"first_tag\":\"a\",\"note\":null,\"missing\":null,\"kind\":\"updated\","
                + "\"observer\":\"crm\",\"source\":\"pg-observer\",\"version\":2,"
                + "\"flags\":[42,false,null,{\"n\":\"Ann \\\"the\\\" <admin>\\n\"}]}");
    }

    /** The whole row, as a REST receiver's PUT wants it; a row image the event has not is null, as in the event. */
    @Test
    void aRowImageIsAnObjectAndAnAbsentOneIsNull() throws Exception {
        Map<String, Object> created = context(ChangeKind.CREATED, Map.of(), row());
        assertThat(json("body", "{{after}}", created))
                .isEqualTo("{\"id\":42,\"name\":\"Ann \\\"the\\\" <admin>\\n\",\"total\":12.10,"
                        + "\"tags\":[\"a\",\"b\"],\"note\":null,\"vip\":true}");
        assertThat(json("body", Map.of("old", "{{before}}"), created)).isEqualTo("{\"old\":null}");
        assertThat(json("body", Map.of("e", "{{event}}"), created)).startsWith("{\"e\":{\"id\":");
    }

    /** A value is data: a row holding template text or JSON text is sent as that text, never evaluated or spliced. */
    @Test
    void aValueIsNeverEvaluatedOrSplicedIntoTheDocument() throws Exception {
        Map<String, Object> row = Map.of("id", 1L, "name", "\",\"admin\":true,\"x\":\"{{after.id}}");
        String body = json("body", Map.of("name", "{{after.name}}"), context(ChangeKind.UPDATED, Map.of(), row));
        assertThat(body).isEqualTo("{\"name\":\"\\\",\\\"admin\\\":true,\\\"x\\\":\\\"{{after.id}}\"}");
    }

    @Test
    void aKeyCannotBeATemplateAndATextThatDoesNotCompileIsNamedWhereItIs() {
        assertThatThrownBy(() -> Templates.json("webhook x: body", Map.of("{{after.id}}", "x")))
                .hasMessage("webhook x: body at {{after.id}}: a key is sent as written, it cannot be a template; "
                        + "template the value instead");
        assertThatThrownBy(() -> Templates.json("webhook x: body",
                Map.of("order", Map.of("lines", List.of("ok", "{{#after.lines}}open")))))
                .hasMessageStartingWith("webhook x: body at order.lines[1] does not compile:");
    }
}
