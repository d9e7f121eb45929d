package io.pgobserver.adapters.console;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's templates (JMustache, under {@code templates/}), compiled once. Every {@code {{value}}} is
 * HTML-escaped: payloads, errors and entity ids are user data. The one unescaped slot is the layout's
 * {@code {{{content}}}}, which holds a page this class rendered (escaped) itself. A missing key is an error, not an
 * empty string, so a template typo fails its test instead of showing nothing.
 */
@Singleton
final class Html {

    private static final String ROOT = "/io/pgobserver/adapters/console/templates/";
    private static final Mustache.Compiler COMPILER = Mustache.compiler()
            .escapeHTML(true)
            .nullValue("")
            .emptyStringIsFalse(true)
            .withLoader(name -> reader(name + ".mustache"));

    private final Map<String, Template> templates = new ConcurrentHashMap<>();
    private final String assetVersion;

    @Inject
    Html(Assets assets) {
        this.assetVersion = assets.version();
    }

    /** A page: its title, the controls above the live region (filters), and its content. */
    record Page(String title, String nav, String controls, String content, boolean live) {
    }

    String render(String template, Object model) {
        return templates.computeIfAbsent(template, name -> {
            try (Reader reader = reader(name + ".mustache")) {
                return COMPILER.compile(reader);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).execute(model);
    }

    /** The whole document around a page. */
    String document(Page page, String consumer, boolean writable) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("title", page.title());
        model.put("version", assetVersion);
        model.put("consumer", consumer);
        model.put("writable", writable);
        model.put("controls", page.controls());
        model.put("content", page.content());
        model.put("live", page.live());
        model.put("nav", List.of(
                nav("/console/", "Overview", "overview", page.nav()),
                nav("/console/observers", "Observers", "observers", page.nav()),
                nav("/console/events", "Recent events", "events", page.nav()),
                nav("/console/dead-letters", "Dead letters", "dead-letters", page.nav())));
        return render("layout", model);
    }

    private static Map<String, Object> nav(String href, String label, String id, String current) {
        return Map.of("href", href, "label", label, "current", id.equals(current));
    }

    private static Reader reader(String name) {
        InputStream in = Html.class.getResourceAsStream(ROOT + name);
        if (in == null) {
            throw new IllegalStateException("console template " + name + " is missing from the adapter's jar");
        }
        return new InputStreamReader(in, StandardCharsets.UTF_8);
    }
}
