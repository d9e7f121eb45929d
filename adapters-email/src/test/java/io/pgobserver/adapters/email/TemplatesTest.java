package io.pgobserver.adapters.email;

import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.port.ActionRequest;
import io.pgobserver.domain.testing.Events;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Email's templates: subjects and text bodies insert values as they are, HTML bodies escape them. */
class TemplatesTest {

    private static Map<String, Object> withNote(String note) {
        return new ActionRequest(Events.event(3, "42", ChangeKind.UPDATED, Map.of("id", 42), Map.of("note", note)),
                "order_shipped", new EmailAction(List.of("a@example.com"), null, null, "s", null, "t", null), 0, 1,
                "d").templateContext();
    }

    @Test
    void textIsNotEscapedHtmlIs() throws Exception {
        Map<String, Object> context = withNote("<b>\"Tom & Jerry\"</b>");
        assertThat(Templates.text("t", "{{after.note}} by {{observer}}").render(context))
                .isEqualTo("<b>\"Tom & Jerry\"</b> by order_shipped");
        assertThat(Templates.html("t", "<p>{{after.note}}</p>").render(context))
                .isEqualTo("<p>&lt;b&gt;&quot;Tom &amp; Jerry&quot;&lt;/b&gt;</p>");
    }

    @Test
    void valuesAreNeverEvaluatedAsTemplates() throws Exception {
        Map<String, Object> context = withNote("{{before.id}} {{#after}}x{{/after}} {{> partial}}");
        assertThat(Templates.text("t", "{{after.note}}").render(context))
                .isEqualTo("{{before.id}} {{#after}}x{{/after}} {{> partial}}");
        assertThat(Templates.html("t", "{{after.note}}").render(context))
                .isEqualTo("{{before.id}} {{#after}}x{{/after}} {{&gt; partial}}");
    }

    @Test
    void aTemplateThatDoesNotCompileNamesTheProblem() {
        assertThatThrownBy(() -> Templates.html("email: html body", "{{#after}}unclosed"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("email: html body does not compile")
                .hasMessageContaining("after");
    }
}
