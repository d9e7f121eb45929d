package io.pgobserver.domain.event;

import java.util.regex.Pattern;

/**
 * Which transactions had committed at one instant: PostgreSQL's {@code pg_snapshot} in its text form
 * {@code xmin:xmax:xip,...}. A transaction is visible in a snapshot when its id is below {@code xmax} and not
 * in the in-progress list {@code xip}. The application treats snapshots as opaque values it stores and hands
 * back; only the change source interprets them.
 *
 * @param value the text form, e.g. {@code 1042:1050:1044,1047}
 */
public record Snapshot(String value) {

    // Before ORIGIN: static fields initialise in order, and ORIGIN's constructor already needs it.
    private static final Pattern FORM = Pattern.compile("\\d+:\\d+:(\\d+(,\\d+)*)?");

    /** The snapshot in which no transaction is visible yet: a consumer that starts from it reads every row. */
    public static final Snapshot ORIGIN = new Snapshot("1:1:");

    public Snapshot {
        if (value == null || !FORM.matcher(value).matches()) {
            throw new IllegalArgumentException("a snapshot is xmin:xmax:xip-list (as pg_current_snapshot() prints "
                    + "it), not '" + value + "'");
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
