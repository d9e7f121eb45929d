package io.pgobserver.domain.event;

import java.util.regex.Pattern;

/**
 * Which transactions had committed at one instant: PostgreSQL's {@code pg_snapshot} in its text form
 * {@code xmin:xmax:xip,...}, and, when the change source took it, where the stream stood at that instant
 * ({@link Bounds}). A transaction is visible in a snapshot when its id is below {@code xmax} and not in the
 * in-progress list {@code xip}. The application treats snapshots as opaque values it stores and hands back;
 * only the change source interprets them.
 *
 * @param value  the text form, e.g. {@code 1042:1050:1044,1047}
 * @param bounds where the stream stood when the snapshot was taken; null when not known (a snapshot recorded by
 *               an older release, or written by a migration): a batch starting at such a snapshot is read the
 *               slower way that needs no bounds
 */
public record Snapshot(String value, Bounds bounds) {

    // Before ORIGIN: static fields initialise in order, and ORIGIN's constructor already needs it.
    private static final Pattern FORM = Pattern.compile("\\d+:\\d+:(\\d+(,\\d+)*)?");

    /**
     * The snapshot in which no transaction is visible yet: a consumer that starts from it reads every row. Its
     * bounds are exact by definition: every transaction id and every change_log id comes after it.
     */
    public static final Snapshot ORIGIN = new Snapshot("1:1:", new Bounds(0, 0, 0));

    public Snapshot {
        if (value == null || !FORM.matcher(value).matches()) {
            throw new IllegalArgumentException("a snapshot is xmin:xmax:xip-list (as pg_current_snapshot() prints "
                    + "it), not '" + value + "'");
        }
    }

    /** A snapshot whose bounds are not known. */
    public Snapshot(String value) {
        this(value, null);
    }

    /** Whether the snapshot carries its {@link Bounds}. */
    public boolean bounded() {
        return bounds != null;
    }

    @Override
    public String toString() {
        return value;
    }

    /**
     * Where the stream stood when a snapshot was taken, read in the same transaction as the snapshot: the id of
     * that transaction (every transaction id assigned later is above it) and the last change_log id handed out
     * just before that id was assigned and just after the snapshot was taken. They let a batch be read without
     * listing its transactions (see the change source).
     *
     * @param takerXid  the transaction id of the transaction that took the snapshot
     * @param idsBefore the last change_log id handed out before {@code takerXid} was assigned; 0 when none
     * @param idsAfter  the last change_log id handed out once the snapshot was taken; 0 when none
     */
    public record Bounds(long takerXid, long idsBefore, long idsAfter) {
        public Bounds {
            if (takerXid < 0 || idsBefore < 0 || idsAfter < idsBefore) {
                throw new IllegalArgumentException("snapshot bounds are a transaction id >= 0 and change_log ids "
                        + "0 <= before <= after, was xid " + takerXid + ", ids " + idsBefore + ".." + idsAfter);
            }
        }
    }
}
