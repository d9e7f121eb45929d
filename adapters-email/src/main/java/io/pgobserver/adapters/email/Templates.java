package io.pgobserver.adapters.email;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import com.samskivert.mustache.Template;

import java.util.Map;

/**
 * Mustache templates for email subjects and bodies. They see
 * {@link io.pgobserver.domain.port.ActionRequest#templateContext()}, as Slack texts do. A missing value renders as
 * nothing; values are inserted as data and never evaluated as template text. HTML bodies escape values; subjects
 * and text bodies insert them as they are.
 */
final class Templates {

    private static final Mustache.TemplateLoader NO_PARTIALS = name -> {
        throw new MustacheException("partials ({{> " + name + "}}) are not supported: inline the text");
    };
    private static final Mustache.Compiler TEXT = Mustache.compiler()
            .escapeHTML(false)
            .defaultValue("")
            .emptyStringIsFalse(true)
            .zeroIsFalse(true)
            .withLoader(NO_PARTIALS);
    private static final Mustache.Compiler HTML = TEXT.escapeHTML(true);

    private Templates() {
    }

    /** A compiled template and its name for messages. */
    record Compiled(String what, Template template) {

        /**
         * @throws TemplateException when rendering fails
         */
        String render(Map<String, Object> context) throws TemplateException {
            try {
                return template.execute(context);
            } catch (MustacheException | IllegalArgumentException e) {
                throw new TemplateException(what + " failed to render: " + e.getMessage(), e);
            }
        }
    }

    /** A template that failed on one event. */
    static final class TemplateException extends Exception {
        private static final long serialVersionUID = 1L;

        TemplateException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Compiles a text template (no escaping). @throws IllegalArgumentException naming {@code what} and the error */
    static Compiled text(String what, String source) {
        return compile(TEXT, what, source);
    }

    /** Compiles an HTML template: values are HTML-escaped. */
    static Compiled html(String what, String source) {
        return compile(HTML, what, source);
    }

    private static Compiled compile(Mustache.Compiler compiler, String what, String source) {
        try {
            return new Compiled(what, compiler.compile(source));
        } catch (MustacheException e) {
            throw new IllegalArgumentException(what + " does not compile: " + e.getMessage(), e);
        }
    }
}
