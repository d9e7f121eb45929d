package io.pgobserver.domain.port;

import java.util.Objects;

/**
 * What a start that migrates did to pg-observer's schema: {@code install} says it, so that an operator knows
 * whether this run created the schema, migrated it, or found it as this release leaves it.
 *
 * @param before its version before the start, null when there was none
 * @param after  its version now
 */
public record SchemaChange(String before, String after) {

    public SchemaChange {
        Objects.requireNonNull(after, "after");
    }

    /** {@code created at version 9}, {@code migrated from version 7 to 9} or {@code already at version 9}. */
    public String summary() {
        if (before == null) {
            return "created at version " + after;
        }
        return before.equals(after) ? "already at version " + after
                : "migrated from version " + before + " to " + after;
    }
}
