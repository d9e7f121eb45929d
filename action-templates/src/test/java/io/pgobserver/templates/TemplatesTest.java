package io.pgobserver.templates;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.port.ActionRequest;
import io.pgobserver.domain.testing.Events;
import io.pgobserver.domain.testing.TestAction;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one set of template rules that Slack, email and Kafka actions share, over an event's real template context. */
class TemplatesTest {

    private static Map<String, Object> context(Map<String, Object> before, Map<String, Object> after) {
        ChangeEvent event = Events.event(3, "42", ChangeKind.UPDATED, before, after);
        return new ActionRequest(event, "order_shipped", new TestAction("slack", "#orders"), 0, 1, "d")
                .templateContext();
    }

    private static Map<String, Object> after(String key, Object value) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", 42);
        row.put(key, value);
        return context(Map.of("id", 42, "status", "paid"), row);
    }

    @Test
    void seesEventBeforeAfterAndObserver() throws Exception {
        Map<String, Object> context = after("status", "shipped");
        String out = Templates.text("t", "{{event.kind}} {{event.entity_type}}#{{event.entity_id}} {{event.id}} "
                + "{{event.occurred_at}} {{before.status}}->{{after.status}} by {{observer}}").render(context);
        assertThat(out).isEqualTo("updated public.orders#42 " + Events.event(3, "42", ChangeKind.UPDATED, null, null).id()
                + " 2026-01-01T00:00:00.003Z paid->shipped by order_shipped");
    }

    /** A value stays inside its path segment or query value, whatever it holds. */
    @Test
    void aUrlTemplatePercentEncodesEachValue() throws Exception {
        Templates.Template url = Templates.url("u", "/orders/{{after.code}}/items?tenant={{after.id}}");
        assertThat(url.render(after("code", "a/b ?x=1&é")))
                .isEqualTo("/orders/a%2Fb%20%3Fx%3D1%26%C3%A9/items?tenant=42");
        assertThat(url.render(after("code", "../admin"))).isEqualTo("/orders/..%2Fadmin/items?tenant=42");
        assertThat(url.render(after("code", new BigDecimal("0.0000001"))))
                .isEqualTo("/orders/0.0000001/items?tenant=42");
        assertThat(Templates.url("u", "/raw/{{{after.code}}}").render(after("code", "a/b"))).isEqualTo("/raw/a/b");
    }

    /** An empty part of the URL would name another resource: a DELETE of /orders/ is not a DELETE of one order. */
    @Test
    void aUrlTemplateFailsOnAMissingNullOrEmptyValueNamingIt() {
        Templates.Template url = Templates.url("webhook url template", "/orders/{{after.code}}");
        assertThatThrownBy(() -> url.render(after("other", "x"))).isInstanceOf(Templates.TemplateException.class)
                .hasMessageStartingWith("webhook url template failed to render: ").hasMessageContaining("after.code");
        assertThatThrownBy(() -> url.render(after("code", null))).isInstanceOf(Templates.TemplateException.class)
                .hasMessageContaining("after.code");
        assertThatThrownBy(() -> url.render(after("code", ""))).isInstanceOf(Templates.TemplateException.class)
                .hasMessage("webhook url template failed to render: {{after.code}} is empty, which would leave an "
                        + "empty part of the URL: give the template a value every event has, such as "
                        + "{{event.entity_id}}");
        assertThatThrownBy(() -> Templates.url("u", "/{{after.id}}/{{ after.code }}?m={{after.memo}}")
                .render(context(Map.of(), Map.of("id", 42, "code", "", "memo", "")))).hasMessageContaining(
                        "u failed to render: {{after.code}} and {{after.memo}} are empty, which");
    }

    /** The columns a template names, for run's check against the table: sections too, other names not. */
    @Test
    void theColumnsATemplateNames() {
        assertThat(Templates.columns("Order {{after.id}}: {{#before.status}}was {{before.status}}{{/before.status}}"
                + "{{^after.note}}-{{/after.note}} {{{after.raw}}} {{& after.amp}} {{after.tags.0}} {{#after.tags}}"
                + "{{.}}{{/after.tags}} {{event.kind}} {{observer}} {{after}}"))
                .containsExactly("amp", "id", "note", "raw", "status", "tags");
        assertThat(Templates.columns("no tags")).isEmpty();
        assertThat(Templates.columns((String) null)).isEmpty();
        assertThat(Templates.columns("{{after.id")).as("does not compile: its own error says so").isEmpty();
        assertThat(Templates.columns(Map.of("a", "{{after.total}}", "b", List.of("x {{before.code}}", 3),
                "c", "{{{after.raw}}}"))).containsExactly("code", "raw", "total");
    }

    @Test
    void numbersRenderAsWritten() throws Exception {
        assertThat(Templates.text("t", "{{after.total}}").render(after("total", new BigDecimal("150.50"))))
                .isEqualTo("150.50");
        assertThat(Templates.text("t", "{{after.id}}").render(after("x", 1))).isEqualTo("42");
    }

    /**
     * The numbers a row image holds for numeric, real and double precision columns (see the postgres adapter's Json):
     * a Double when it is exactly the value PostgreSQL wrote, else a BigDecimal. Java writes both in exponent
     * notation past a point; PostgreSQL never does.
     */
    @Test
    void numbersOfRowImagesRenderInPlainDecimalsNeverInExponentNotation() throws Exception {
        Templates.Template text = Templates.text("t", "{{after.total}}");
        assertThat(text.render(after("total", 0.0001d))).isEqualTo("0.0001");
        assertThat(text.render(after("total", 12345678.5d))).isEqualTo("12345678.5");
        assertThat(text.render(after("total", 1.5e-7d))).isEqualTo("0.00000015");
        assertThat(text.render(after("total", -2.5e10d))).isEqualTo("-25000000000");
        assertThat(text.render(after("total", new BigDecimal("0.00000001234567890123456789"))))
                .isEqualTo("0.00000001234567890123456789");
        assertThat(text.render(after("total", new BigDecimal("1500000000000000000000000000000"))))
                .isEqualTo("1500000000000000000000000000000");
        assertThat(text.render(after("total", 12.1d))).isEqualTo("12.1");
        assertThat(text.render(after("total", 100.0d))).isEqualTo("100.0");
        assertThat(text.render(after("total", 9223372036854775807L))).isEqualTo("9223372036854775807");
        assertThat(text.render(after("total", "NaN"))).isEqualTo("NaN");
        assertThat(Templates.slack("t", "{{after.total}}").render(after("total", 0.0001d))).isEqualTo("0.0001");
        assertThat(Templates.html("t", "{{after.total}}").render(after("total", 0.0001d))).isEqualTo("0.0001");
    }

    /** Arrays and composite types as the capture trigger writes them: lists (with SQL NULL elements) and objects. */
    @Test
    void anArrayRendersThroughASectionAndACompositeByItsFields() throws Exception {
        Map<String, Object> address = new LinkedHashMap<>();
        address.put("zip", 12345L);
        address.put("street", "Main St");
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("tags", java.util.Arrays.asList("urgent", "b c", null));
        row.put("address", address);
        row.put("grid", List.of(List.of(1L, 2L), List.of(3L, 4L)));
        Map<String, Object> context = context(Map.of(), row);
        assertThat(Templates.text("t", "{{#after.tags}}[{{.}}]{{/after.tags}} {{after.address.street}} "
                + "{{after.address.zip}} {{#after.grid}}({{#.}}{{.}}{{/.}}){{/after.grid}}").render(context))
                .isEqualTo("[urgent][b c][] Main St 12345 (12)(34)");
    }

    /** A row's numbers with a fraction (a numeric, real or double precision column) are zero only when zero. */
    @Test
    void aSectionOnAFractionBelowOneIsShownOnlyZeroIsSkipped() throws Exception {
        String source = "{{#after.discount}}discount {{after.discount}}{{/after.discount}}"
                + "{{^after.discount}}no discount{{/after.discount}}";
        for (Templates.Template t : List.of(Templates.text("t", source), Templates.html("t", source),
                Templates.slack("t", source))) {
            assertThat(t.render(after("discount", 0.5d))).isEqualTo("discount 0.5");
            assertThat(t.render(after("discount", -0.25d))).isEqualTo("discount -0.25");
            assertThat(t.render(after("discount", new BigDecimal("0.00000001234567890123456789"))))
                    .isEqualTo("discount 0.00000001234567890123456789");
            assertThat(t.render(after("discount", 0.0d))).isEqualTo("no discount");
            assertThat(t.render(after("discount", new BigDecimal("0.00")))).isEqualTo("no discount");
            assertThat(t.render(after("discount", 0L))).isEqualTo("no discount");
            assertThat(t.render(after("discount", 3L))).isEqualTo("discount 3");
            assertThat(t.render(after("discount", "NaN"))).isEqualTo("discount NaN");
        }
    }

    @Test
    void missingValuesRenderAsNothing() throws Exception {
        assertThat(Templates.text("t", "[{{after.missing}}][{{after.note}}][{{nothing.at.all}}]")
                .render(after("note", null))).isEqualTo("[][][]");
    }

    @Test
    void sectionsTreatMissingNullFalseEmptyAndZeroAsFalse() throws Exception {
        Templates.Template t = Templates.text("t", "{{#after.note}}note: {{after.note}}{{/after.note}}"
                + "{{^after.note}}no note{{/after.note}}");
        assertThat(t.render(after("note", "fragile"))).isEqualTo("note: fragile");
        assertThat(t.render(after("note", 7))).isEqualTo("note: 7");
        assertThat(t.render(after("note", true))).isEqualTo("note: true");
        assertThat(t.render(after("other", 1))).isEqualTo("no note");
        assertThat(t.render(after("note", null))).isEqualTo("no note");
        assertThat(t.render(after("note", false))).isEqualTo("no note");
        assertThat(t.render(after("note", ""))).isEqualTo("no note");
        assertThat(t.render(after("note", 0))).isEqualTo("no note");
        assertThat(t.render(after("note", List.of()))).isEqualTo("no note");
    }

    @Test
    void htmlTemplatesFollowTheSameSectionRules() throws Exception {
        Templates.Template t = Templates.html("t", "{{#after.note}}<p>{{after.note}}</p>{{/after.note}}"
                + "{{^after.note}}<p>none</p>{{/after.note}}");
        assertThat(t.render(after("note", ""))).isEqualTo("<p>none</p>");
        assertThat(t.render(after("note", 0))).isEqualTo("<p>none</p>");
        assertThat(t.render(after("note", "a<b"))).isEqualTo("<p>a&lt;b</p>");
    }

    @Test
    void textIsNotEscapedHtmlIs() throws Exception {
        Map<String, Object> context = after("note", "<b>\"Tom & Jerry\"</b>");
        assertThat(Templates.text("t", "{{after.note}} by {{observer}}").render(context))
                .isEqualTo("<b>\"Tom & Jerry\"</b> by order_shipped");
        assertThat(Templates.html("t", "<p>{{after.note}}</p>").render(context))
                .isEqualTo("<p>&lt;b&gt;&quot;Tom &amp; Jerry&quot;&lt;/b&gt;</p>");
    }

    @Test
    void slackEscapesValuesButNotTheTemplatesOwnMarkup() throws Exception {
        Map<String, Object> context = after("note", "<!channel> <https://evil.example|x> & more");
        assertThat(Templates.slack("t", "<!here> {{after.note}} <https://example.com/{{after.id}}|open>")
                .render(context))
                .isEqualTo("<!here> &lt;!channel&gt; &lt;https://evil.example|x&gt; &amp; more "
                        + "<https://example.com/42|open>");
    }

    @Test
    void slackEscapesOnlyItsThreeCharactersAndAnAmpersandOnce() throws Exception {
        // Quotes are plain text to Slack; an HTML entity in the data is shown as written, so its & is escaped.
        assertThat(Templates.slack("t", "{{after.note}}").render(after("note", "\"Tom's\" &amp; *bold* a>b")))
                .isEqualTo("\"Tom's\" &amp;amp; *bold* a&gt;b");
    }

    @Test
    void slackSectionsEscapeTheValuesInside() throws Exception {
        Templates.Template t = Templates.slack("t", "{{#after.note}}<!here> {{after.note}}{{/after.note}}"
                + "{{^after.note}}none{{/after.note}}");
        assertThat(t.render(after("note", "<@U123>"))).isEqualTo("<!here> &lt;@U123&gt;");
        assertThat(t.render(after("note", ""))).isEqualTo("none");
    }

    @Test
    void tripleBracesOrAnAmpersandInsertAValueUnescapedInSlackAndHtml() throws Exception {
        Map<String, Object> context = after("note", "<https://example.com|a & b>");
        assertThat(Templates.slack("t", "{{{after.note}}} {{& after.note}} {{after.note}}").render(context))
                .isEqualTo("<https://example.com|a & b> <https://example.com|a & b> "
                        + "&lt;https://example.com|a &amp; b&gt;");
        assertThat(Templates.html("t", "{{{after.note}}} {{&after.note}}").render(context))
                .isEqualTo("<https://example.com|a & b> <https://example.com|a & b>");
    }

    @Test
    void valuesAreNeverEvaluatedAsTemplates() throws Exception {
        Map<String, Object> context = after("note", "{{before.status}} {{#after}}x{{/after}} {{> partial}}");
        assertThat(Templates.text("t", "{{after.note}}").render(context))
                .isEqualTo("{{before.status}} {{#after}}x{{/after}} {{> partial}}");
        assertThat(Templates.html("t", "{{after.note}}").render(context))
                .isEqualTo("{{before.status}} {{#after}}x{{/after}} {{&gt; partial}}");
        assertThat(Templates.slack("t", "{{{after.note}}}").render(context))
                .isEqualTo("{{before.status}} {{#after}}x{{/after}} {{> partial}}");
    }

    @Test
    void aTemplateThatDoesNotCompileNamesTheProblem() {
        assertThatThrownBy(() -> Templates.text("slack #orders: text template", "Order {{#after}}{{after.id}}{{/before}}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("slack #orders: text template does not compile: ");
        assertThatThrownBy(() -> Templates.html("email: html body", "{{#after}}unclosed"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("email: html body does not compile")
                .hasMessageContaining("after");
    }

    @Test
    void partialsAreRefusedWhenTheTemplateIsCompiledSoTheStartStops() {
        assertThatThrownBy(() -> Templates.text("kafka topic template", "orders.{{> footer}}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("kafka topic template does not compile: partials ({{> footer}}) are not supported: "
                        + "inline the text");
        assertThatThrownBy(() -> Templates.html("email: html body", "{{#after}}<p>{{> row}}</p>{{/after}}"))
                .hasMessageContaining("email: html body does not compile: partials ({{> row}})");
        assertThatThrownBy(() -> Templates.text("slack: text template", "{{< layout}}{{/layout}}"))
                .hasMessageContaining("partials ({{< layout}}) are not supported");
    }

    @Test
    void aValueThatCannotBeRenderedFailsThatRenderNamingTheTemplate() throws Exception {
        Object unprintable = new Object() {
            @Override
            public String toString() {
                throw new IllegalArgumentException("no text for this value");
            }
        };
        Templates.Template t = Templates.text("slack #orders: text template", "[{{after.odd}}]");
        assertThatThrownBy(() -> t.render(after("odd", unprintable)))
                .isInstanceOf(Templates.TemplateException.class)
                .hasMessageStartingWith("slack #orders: text template failed to render: ");
        assertThat(t.render(after("odd", "fine"))).isEqualTo("[fine]");
    }

    @Test
    void aTemplateKeepsItsNameForMessages() {
        assertThat(Templates.text("slack #orders: text template", "hi").what()).isEqualTo("slack #orders: text template");
    }

    @Test
    void aTagLeftOpenIsRefusedWithWhereItStartsInsteadOfPrintedAsText() {
        assertThatThrownBy(() -> Templates.slack("slack: text template", "order {{after.id"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("slack: text template does not compile: the tag at column 7 ({{after.id) is not closed: "
                        + "end it with }}, such as {{after.id}}");
        assertThatThrownBy(() -> Templates.text("t", "{{after.id} shipped"))
                .hasMessageContaining("the tag at column 1 ({{after.id} shipped) is not closed");
        assertThatThrownBy(() -> Templates.html("email: html body", "<p>{{after.id}}</p>\n<p>{{after.status </p>\n"
                + "<p>{{after.total}}</p>"))
                .hasMessageContaining("the tag at line 2, column 4 ({{after.status </p>) is not closed");
        assertThatThrownBy(() -> Templates.text("t", "{{}}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("t does not compile: it has an empty tag {{}}: write a name in it, such as {{after.id}}");
    }

    @Test
    void closedTagsOfEveryKindStillCompile() throws Exception {
        Map<String, Object> context = after("status", "a<b");
        assertThat(Templates.text("t", "{{{after.status}}} {{& after.status}} {{! note }}}} {{#after}}x{{/after}}")
                .render(context)).isEqualTo("a<b a<b }} x");
        assertThat(Templates.text("t", "{{=<% %>=}}{{ <%after.id%>").render(context)).isEqualTo("{{ 42");
    }
}
