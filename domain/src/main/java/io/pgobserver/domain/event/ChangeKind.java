package io.pgobserver.domain.event;

import java.util.Locale;

/** What happened to a row. The wire names are the ones stored in {@code change_log.kind} and shown to users. */
public enum ChangeKind {
    CREATED, UPDATED, DELETED;

    /** The lower-case name used in configuration, in {@code change_log} and in span attributes. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads a wire name ({@code created}, {@code updated}, {@code deleted}); also accepts SQL's INSERT/UPDATE/DELETE. */
    public static ChangeKind fromWireName(String name) {
        if (name == null) {
            throw new IllegalArgumentException("change kind is missing: use created, updated or deleted");
        }
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "created", "insert" -> CREATED;
            case "updated", "update" -> UPDATED;
            case "deleted", "delete" -> DELETED;
            default -> throw new IllegalArgumentException(
                    "unknown change kind '" + name + "': use created, updated or deleted");
        };
    }
}
