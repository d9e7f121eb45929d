package io.pgobserver.templates;

import com.samskivert.mustache.Escapers;
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The actions' Mustache templates: Slack texts and thread ids, email subjects and bodies, Kafka topics, keys and
 * headers, a webhook url's path and query, a webhook body's or Kafka value's strings ({@link #json}). They render {@code ActionRequest.templateContext()} ({@code event},
 * {@code before}, {@code after}, {@code observer}), and follow one set of rules whichever action renders them, so
 * a template moved from a Slack text to a Kafka key means the same:
 * <ul>
 *   <li>a missing or null value renders as nothing, but in a {@link #url}, where it fails the render;</li>
 *   <li>a section ({@code {{#x}}…{{/x}}}) is skipped, and an inverted one ({@code {{^x}}}) shown, when {@code x} is
 *       missing, null, false, an empty string, zero or an empty list;</li>
 *   <li>values are inserted as data, never evaluated as template text;</li>
 *   <li>{@link #text} inserts values as they are (a subject line, a Kafka key are not markup); {@link #html}
 *       escapes them for HTML email bodies, and {@link #slack} for Slack message text ({@code &}, {@code <},
 *       {@code >}), so a row's value is shown, never read as a mention or a link. Either way the template's own
 *       text stays as written, and {@code {{{x}}}} or {@code {{& x}}} inserts a value unescaped;</li>
 *   <li>partials ({@code {{> name}}}) are refused when the template is compiled: a template is one piece of text in
 *       the configuration.</li>
 *   <li>a tag left open (<code>{{after.id</code>) is refused when the template is compiled, where JMustache would
 *       print it as text.</li>
 * </ul>
 * Compile at start-up, so a template that does not compile stops the boot; render per event.
 */
public final class Templates {

    private static final Mustache.Compiler PLAIN = Mustache.compiler()
            .withFormatter(Templates::format)
            .escapeHTML(false)
            .defaultValue("")
            .emptyStringIsFalse(true)
            .zeroIsFalse(true)
            .withLoader(Templates::noPartials);
    private static final Mustache.Compiler TEXT = new ZeroIsZero(PLAIN);
    private static final Mustache.Compiler HTML = new ZeroIsZero(PLAIN.escapeHTML(true));
    /** Slack's "Escaping text": these three, and only these, are its control characters in message text. */
    private static final Mustache.Compiler SLACK = new ZeroIsZero(PLAIN.withEscaper(Escapers.simple(
            new String[] {"&", "&amp;"}, new String[] {"<", "&lt;"}, new String[] {">", "&gt;"})));

    /**
     * A URL's path and query. Unlike the others, a value that is missing or null fails the render (JMustache's
     * default, kept here) and so does an empty one (the escaper): {@code /orders/{{after.id}}} of a deleted row
     * would otherwise be {@code /orders/}, and a DELETE sent there names the whole collection.
     */
    private static final Mustache.Compiler URL = new ZeroIsZero(Mustache.compiler()
            .withFormatter(Templates::format)
            .escapeHTML(false)
            .emptyStringIsFalse(true)
            .zeroIsFalse(true)
            .withEscaper(Templates::urlComponent)
            .withLoader(Templates::noPartials));

    private Templates() {
    }

    /** The loader of partials, which compile() refuses first. */
    private static java.io.Reader noPartials(String name) {
        throw new MustacheException(partialRefused("> " + name));
    }

    /**
     * A template of a URL's path and query ({@code /orders/{{event.entity_id}}?tenant={{after.tenant}}}): each value
     * is percent-encoded as UTF-8, every character but {@code A-Z a-z 0-9 - . _ ~ *}, so that a value ({@code a/b},
     * {@code x?y}, {@code ../admin}) stays inside its path segment or query value and never reaches another path. A
     * value that is missing, null or empty fails the render, naming it. {@code {{{x}}}} inserts a value unencoded.
     *
     * @throws IllegalArgumentException naming {@code what} and the error when the source does not compile
     */
    public static Template url(String what, String source) {
        return compile(URL, what, source);
    }

    private static String urlComponent(String value) {
        if (value.isEmpty()) {
            // JMustache does not tell an escaper which tag it escapes: Template.render names it.
            throw new EmptyValue();
        }
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * A text template: values are inserted as they are.
     *
     * @param what names the template in messages, such as {@code "kafka audit: key template"}
     * @throws IllegalArgumentException naming {@code what} and the error when the source does not compile
     */
    public static Template text(String what, String source) {
        return compile(TEXT, what, source);
    }

    /**
     * A JSON document's shape (a webhook's {@code body}, a Kafka record's {@code value}) whose strings are templates: a
     * string that is one tag ({@code "{{after}}"}, {@code "{{after.total}}"}) is the value with its JSON type, any
     * other string with tags a {@link #text} template. See {@link JsonTemplate}.
     *
     * @param shape maps, lists, strings, numbers, booleans and nulls, as the configuration gives them
     * @throws IllegalArgumentException naming {@code what}, where in the shape, and the error
     */
    public static JsonTemplate json(String what, Object shape) {
        return JsonTemplate.compile(what, shape);
    }

    /**
     * The columns of the row images a template names: {@code status} for {@code {{after.status}}},
     * {@code {{#before.status}}} or {@code {{^after.status}}}, {@code tags} for {@code {{after.tags.0}}}. For a check
     * against the observed table's columns, so a misspelt name, which renders as nothing, is told at the start. A
     * name without {@code after.} or {@code before.} in front ({@code {{.}}} inside {@code {{#after.tags}}}) is not
     * counted. Empty for a source that does not compile (its own error says so).
     */
    public static Set<String> columns(String source) {
        if (source == null || !source.contains("{{")) {
            return new TreeSet<>();
        }
        try {
            return TemplateTags.columns(PLAIN.compile(source));
        } catch (RuntimeException e) {
            return new TreeSet<>();
        }
    }

    /** The row images' columns a document's shape names ({@link #json}), as {@link #columns(String)} counts them. */
    public static Set<String> columns(Object shape) {
        return JsonTemplate.columns(shape);
    }

    /**
     * An HTML template: values are HTML-escaped.
     *
     * @throws IllegalArgumentException naming {@code what} and the error when the source does not compile
     */
    public static Template html(String what, String source) {
        return compile(HTML, what, source);
    }

    /**
     * A Slack message text template (mrkdwn): values are escaped for Slack, {@code &}, {@code <} and {@code >} as
     * {@code &amp;}, {@code &lt;} and {@code &gt;}, so a value such as {@code <!channel>} or
     * {@code <https://x|y>} is shown as written instead of notifying a channel or hiding a link. The template's
     * own text ({@code <!here>}, {@code <https://example.com|link>}) is Slack markup as written;
     * {@code {{{x}}}} and {@code {{& x}}} insert a value unescaped.
     *
     * @throws IllegalArgumentException naming {@code what} and the error when the source does not compile
     */
    public static Template slack(String what, String source) {
        return compile(SLACK, what, source);
    }

    private static Template compile(Mustache.Compiler compiler, String what, String source) {
        com.samskivert.mustache.Template compiled;
        try {
            compiled = compiler.compile(source);
        } catch (MustacheException e) {
            throw new IllegalArgumentException(what + " does not compile: " + e.getMessage(), e);
        } catch (IndexOutOfBoundsException e) {
            // JMustache 1.16 fails this way on an empty tag ({{}}) instead of with its own exception.
            throw new IllegalArgumentException(what + " does not compile: it has an empty tag {{}}: write a name "
                    + "in it, such as {{after.id}}", e);
        }
        String unclosed = UnclosedTags.first(source);
        if (unclosed != null) {
            throw new IllegalArgumentException(what + " does not compile: " + unclosed);
        }
        // JMustache loads a partial only when the template runs; finding it here stops the start instead of failing
        // every event.
        String partial = TemplateTags.firstPartial(compiled);
        if (partial != null) {
            throw new IllegalArgumentException(what + " does not compile: " + partialRefused(partial));
        }
        return new Template(what, compiled);
    }

    /**
     * A value as text. A number reads as PostgreSQL wrote it in the row image, never in Java's exponent notation: row
     * images hold a {@code numeric} as a {@code BigDecimal} with the scale written ({@code 12.10}; {@code 0.0000001},
     * which {@code toString} writes {@code 1E-7}); a number written with an exponent, which {@code to_jsonb} never
     * writes but a row image from elsewhere may hold, as a {@code Double} ({@code 1e+15}, Java's {@code 1.0E15}).
     */
    private static CharSequence format(Object value) {
        return switch (value) {
            case Double d when Double.isFinite(d) && Double.toString(d).indexOf('E') >= 0 ->
                    new BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
            case Float f when Float.isFinite(f) && Float.toString(f).indexOf('E') >= 0 ->
                    new BigDecimal(Float.toString(f)).stripTrailingZeros().toPlainString();
            case BigDecimal d -> d.toPlainString();
            default -> String.valueOf(value);
        };
    }

    /**
     * JMustache takes a number for zero when its {@code long} value is, so a section on a {@code numeric} of
     * {@code 0.5} (or {@code -0.25}) was skipped as if it were {@code 0}. Here only zero is zero. The settings are the
     * given compiler's; a template keeps the compiler that compiled it, so its sections ask this one.
     */
    private static final class ZeroIsZero extends Mustache.Compiler {

        ZeroIsZero(Mustache.Compiler settings) {
            super(settings.standardsMode, settings.strictSections, settings.nullValue, settings.missingIsNull,
                    settings.emptyStringIsFalse, settings.zeroIsFalse, settings.formatter, settings.escaper,
                    settings.loader, settings.collector, settings.delims);
        }

        @Override
        public boolean isFalsey(Object value) {
            return switch (value) {
                case Double d -> d == 0;
                case Float f -> f == 0;
                case BigDecimal d -> d.signum() == 0;
                default -> super.isFalsey(value);
            };
        }
    }

    /** @param tag the partial's tag as written, such as {@code > footer} */
    private static String partialRefused(String tag) {
        return "partials ({{" + tag + "}}) are not supported: inline the text";
    }

    /** A compiled template, named for messages. Immutable and safe to render from many threads. */
    public static final class Template {

        private final String what;
        private final com.samskivert.mustache.Template compiled;

        private Template(String what, com.samskivert.mustache.Template compiled) {
            this.what = what;
            this.compiled = compiled;
        }

        /**
         * @throws TemplateException naming the template when it fails on this context
         */
        public String render(Map<String, Object> context) throws TemplateException {
            try {
                return compiled.execute(context);
            } catch (EmptyValue e) {
                throw new TemplateException(what + " failed to render: " + emptyTags(context) + ", which would "
                        + "leave an empty part of the URL: give the template a value every event has, such as "
                        + "{{event.entity_id}}", e);
            } catch (MustacheException | IllegalArgumentException e) {
                throw new TemplateException(what + " failed to render: " + e.getMessage(), e);
            }
        }

        /** "{{after.memo}} is empty", naming each tag whose value is empty in this context. */
        private String emptyTags(Map<String, Object> context) {
            List<String> empty = new ArrayList<>();
            TemplateTags.walk(compiled, name -> {
                if ("".equals(Values.at(context, name)) && !empty.contains("{{" + name + "}}")) {
                    empty.add("{{" + name + "}}");
                }
            }, partial -> { });
            // A tag inside a section names a value of the section's own context, which this lookup does not follow.
            return empty.isEmpty() ? "a value is empty" : String.join(" and ", empty)
                    + (empty.size() == 1 ? " is empty" : " are empty");
        }

        /** The name given at compile time. */
        public String what() {
            return what;
        }

        @Override
        public String toString() {
            return what;
        }
    }

    /** A URL template's value that is empty. */
    private static final class EmptyValue extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        EmptyValue() {
            super("a value is empty");
        }
    }

    /** A template that failed on one event: the action fails for that event, the pipeline goes on. */
    public static final class TemplateException extends Exception {
        private static final long serialVersionUID = 1L;

        TemplateException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
