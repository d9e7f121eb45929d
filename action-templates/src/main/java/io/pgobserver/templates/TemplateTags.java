package io.pgobserver.templates;

import com.samskivert.mustache.Mustache;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * What a compiled template's tags name, found by walking them without rendering: the partial that compiling refuses,
 * the tags whose values a render found empty, the row images' columns a start-up check compares with the table's.
 */
final class TemplateTags {

    private TemplateTags() {
    }

    /** The tag of the first partial ({@code > name}) or parent ({@code < name}) in a template, or null. */
    static String firstPartial(com.samskivert.mustache.Template compiled) {
        List<String> found = new ArrayList<>(1);
        walk(compiled, name -> { }, found::add);
        return found.isEmpty() ? null : found.getFirst();
    }

    /**
     * Walks a template's tags, sections included: each variable's name to {@code variables}, each partial's or
     * parent's tag ({@code > name}, {@code < name}) to {@code partials}, never loading one.
     */
    static void walk(com.samskivert.mustache.Template compiled, Consumer<String> variables,
                     Consumer<String> partials) {
        walk(compiled, variables, section -> { }, partials);
    }

    /** {@link #walk(com.samskivert.mustache.Template, Consumer, Consumer)}, each section's name to {@code sections}. */
    private static void walk(com.samskivert.mustache.Template compiled, Consumer<String> variables,
                             Consumer<String> sections, Consumer<String> partials) {
        compiled.visit(new Mustache.Visitor() {
            @Override
            public void visitText(String text) {
            }

            @Override
            public void visitVariable(String name) {
                variables.accept(name);
            }

            @Override
            public boolean visitInclude(String name) {
                partials.accept("> " + name);
                return false;
            }

            @Override
            public boolean visitParent(String name) {
                partials.accept("< " + name);
                return false;
            }

            @Override
            public boolean visitSection(String name) {
                sections.accept(name);
                return true;
            }

            @Override
            public boolean visitInvertedSection(String name) {
                sections.accept(name);
                return true;
            }
        });
    }

    /** The columns of the row images a compiled template names: see {@link Templates#columns(String)}. */
    static Set<String> columns(com.samskivert.mustache.Template compiled) {
        Set<String> columns = new TreeSet<>();
        Consumer<String> name = n -> {
            String column = column(n);
            if (column != null) {
                columns.add(column);
            }
        };
        walk(compiled, name, name, partial -> { });
        return columns;
    }

    /** {@code status} for {@code after.status} or {@code before.status.x}; null for another name. */
    static String column(String name) {
        for (String image : new String[] {"after.", "before."}) {
            if (name.startsWith(image) && name.length() > image.length()) {
                int end = name.indexOf('.', image.length());
                return name.substring(image.length(), end < 0 ? name.length() : end);
            }
        }
        return null;
    }
}
