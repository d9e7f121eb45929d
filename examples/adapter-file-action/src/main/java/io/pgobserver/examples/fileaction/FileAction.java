package io.pgobserver.examples.fileaction;

import io.pgobserver.domain.observer.ActionSpec;

import java.nio.file.Path;
import java.util.Objects;

/**
 * {@code { type: file, path: /var/log/orders.log, label: shipped }}: one line per event appended to a file.
 *
 * @param path  the file, created when missing
 * @param label the line's first word
 */
record FileAction(Path path, String label) implements ActionSpec {

    FileAction {
        Objects.requireNonNull(path, "path");
        label = label == null || label.isBlank() ? "event" : label.trim();
        if (label.contains(" ")) {
            throw new IllegalArgumentException("label must be one word, was '" + label + "'");
        }
    }

    @Override
    public String type() {
        return "file";
    }

    @Override
    public String describe() {
        return "file " + path;
    }
}
