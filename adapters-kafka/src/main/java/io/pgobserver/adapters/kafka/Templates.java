package io.pgobserver.adapters.kafka;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import com.samskivert.mustache.Template;

import java.util.Map;

/**
 * Mustache templates for topics, keys and header values, the syntax of the other actions' templates. They see
 * {@link io.pgobserver.domain.port.ActionRequest#templateContext()}; a missing value renders as nothing, values
 * are inserted as data and never evaluated, and nothing is HTML-escaped (a key is bytes, not markup).
 */
final class Templates {

    private static final Mustache.Compiler TEXT = Mustache.compiler()
            .escapeHTML(false)
            .defaultValue("")
            .withLoader(name -> {
                throw new MustacheException("partials ({{> " + name + "}}) are not supported: inline the text");
            });

    private Templates() {
    }

    /** A compiled template, named for messages. */
    record Compiled(String what, Template template) {

        /** @throws IllegalStateException naming the template when it fails on this event */
        String render(Map<String, Object> context) {
            try {
                return template.execute(context);
            } catch (MustacheException | IllegalArgumentException e) {
                throw new IllegalStateException(what + " failed to render: " + e.getMessage(), e);
            }
        }
    }

    /** @throws IllegalArgumentException naming {@code what} when the source does not compile */
    static Compiled compile(String what, String source) {
        try {
            return new Compiled(what, TEXT.compile(source));
        } catch (MustacheException e) {
            throw new IllegalArgumentException(what + " does not compile: " + e.getMessage(), e);
        }
    }
}
