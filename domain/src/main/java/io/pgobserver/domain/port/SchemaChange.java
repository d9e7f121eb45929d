package io.pgobserver.domain.port;

import java.util.Objects;

/**
 * What a start that migrates did to pg-observer's schema: {@code install} says it, so that an operator knows
 * whether this run created the schema, migrated it, or found it as this release leaves it.
 *
 * @param before  its version before the start, null when there was none
 * @param after   its version now
 * @param release the version this release's migrations lead to: below {@code after} when a newer release migrated
 *                the schema (a rolling deploy's older processes, or a downgrade), which this one runs on as it is
 */
public record SchemaChange(String before, String after, String release) {

    public SchemaChange {
        Objects.requireNonNull(after, "after");
        Objects.requireNonNull(release, "release");
    }

    /** A change that leaves the schema at this release's version. */
    public SchemaChange(String before, String after) {
        this(before, after, after);
    }

    /**
     * {@code created at version 9}, {@code migrated from version 7 to 9}, {@code already at version 9}, or {@code at
     * version 12, newer than this release's 11 …}.
     */
    public String summary() {
        if (before == null) {
            return "created at version " + after;
        }
        if (!after.equals(release)) {
            return "at version " + after + ", newer than this release's " + release + ": a newer release migrated "
                    + "it, and this one runs on it as it is";
        }
        return before.equals(after) ? "already at version " + after
                : "migrated from version " + before + " to " + after;
    }
}
