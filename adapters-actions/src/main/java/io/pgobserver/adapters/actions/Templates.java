package io.pgobserver.adapters.actions;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import com.samskivert.mustache.Template;

import java.util.Map;

/**
 * Mustache templates for Slack texts. They see {@link io.pgobserver.domain.port.ActionRequest#templateContext()}.
 * A missing value renders as nothing; values are inserted as data and never evaluated as template text, and never
 * HTML-escaped (Slack's mrkdwn is not HTML).
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

    /** Compiles a text template. @throws IllegalArgumentException naming {@code what} and the error */
    static Compiled text(String what, String source) {
        try {
            return new Compiled(what, TEXT.compile(source));
        } catch (MustacheException e) {
            throw new IllegalArgumentException(what + " does not compile: " + e.getMessage(), e);
        }
    }
}
