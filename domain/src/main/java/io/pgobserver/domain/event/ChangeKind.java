package io.pgobserver.domain.event;

import java.util.Locale;

/**
 * What happened to a row. The wire names are the ones stored in {@code change_log.kind} and shown to users.
 * {@link #READ} is no change at all: a backfill read the row as it is ({@code pg-observer backfill}), and the event
 * carries it in {@code after}.
 */
public enum ChangeKind {
    CREATED, UPDATED, DELETED, READ;

    /** The lower-case name used in configuration, in {@code change_log} and in span attributes. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Reads a wire name ({@code created}, {@code updated}, {@code deleted}, {@code read}); also accepts SQL's
     * INSERT/UPDATE/DELETE.
     */
    public static ChangeKind fromWireName(String name) {
        if (name == null) {
            throw new IllegalArgumentException("change kind is missing: use created, updated, deleted or read");
        }
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "created", "insert" -> CREATED;
            case "updated", "update" -> UPDATED;
            case "deleted", "delete" -> DELETED;
            case "read" -> READ;
            default -> throw new IllegalArgumentException(
                    "unknown change kind '" + name + "': use created, updated, deleted or read");
        };
    }
}
