package io.pgobserver.domain.observer;

import java.util.Locale;

/**
 * Whether an observer needs one entity's events in commit order ({@code ordering:} in its configuration).
 */
public enum Ordering {
    /** One entity's events run one after another, in commit order; a failing one holds back that entity only. */
    ENTITY,
    /**
     * Events run as soon as they are read, one entity's in parallel too: a failing event holds back nothing, not
     * even its own entity's later events (Sequin calls this message grouping off).
     */
    NONE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The value of {@code ordering:}; an unknown one names the choices. */
    public static Ordering fromWireName(String value) {
        for (Ordering ordering : values()) {
            if (ordering.wireName().equals(value)) {
                return ordering;
            }
        }
        throw new IllegalArgumentException("ordering must be 'entity' (one entity's events in commit order, the "
                + "default) or 'none' (no order: a failing event holds back nothing), not '" + value + "'");
    }
}
