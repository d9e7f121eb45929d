package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.trace.TraceContext;
import io.pgobserver.domain.trace.TraceparentFault;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A writer's trace context that is not one. An invalid {@code traceparent} never fails the write or the event (the
 * event starts a trace of its own), but silently: the operator saw only traces that did not join, and had to guess
 * among a dozen causes. So the first such row is named in a warning, with its value, what is wrong with it (which
 * field breaks which rule) and what a valid one looks like, and the next at most once a minute with how many came in
 * between: a writer that gets it wrong on every write gives one line a minute.
 */
final class InvalidTraceContexts {

    private static final Logger LOG = LoggerFactory.getLogger(InvalidTraceContexts.class);
    private static final long EVERY_NANOS = Duration.ofMinutes(1).toNanos();
    // A value is quoted in the log: at most this much of it, and no line breaks or other control characters.
    private static final int QUOTED = 80;

    // Not synchronized: rows are read on virtual threads too (parked events, dead letters), and the warning is written
    // to the log while holding it, which on Java 21 would pin their carrier.
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static boolean warned;
    private static long warnedAt;
    private static long since;

    private InvalidTraceContexts() {
    }

    /**
     * The trace context of the change_log row {@code rs} is on, or {@link TraceContext#NONE} (with the warning) when
     * the writer's is invalid. Every event read comes through here: the row is named only when it must be.
     */
    static TraceContext of(ResultSet rs) throws SQLException {
        String traceparent = rs.getString("traceparent");
        TraceContext parsed = TraceContext.parse(traceparent, rs.getString("tracestate")).orElse(null);
        if (parsed != null) {
            return parsed;
        }
        if (traceparent != null && !traceparent.isBlank()) {
            report(rs.getLong("offset"), rs.getString("entity_type") + " " + rs.getString("entity_id"), traceparent);
        }
        return TraceContext.NONE;
    }

    private static void report(long row, String entity, String traceparent) {
        LOCK.lock();
        try {
            warnOrCount(row, entity, traceparent);
        } finally {
            LOCK.unlock();
        }
    }

    private static void warnOrCount(long row, String entity, String traceparent) {
        long now = System.nanoTime();
        if (warned && now - warnedAt < EVERY_NANOS) {
            since++;
            return;
        }
        LOG.warn(warning(row, entity, traceparent, since));
        warned = true;
        warnedAt = now;
        since = 0;
    }

    /** The line naming the row, the value and what is wrong with it, with how many such rows it stands for. */
    static String warning(long row, String entity, String traceparent, long since) {
        return "change_log row " + row + " (" + entity + ") carries traceparent '" + quoted(traceparent)
                + "', which is not a W3C trace context: " + TraceparentFault.of(traceparent).orElse("it is not valid")
                + ". Its event goes on in a new trace of its own, not the writer's. A valid one is 00-, 32 lowercase"
                + " hex digits (the trace id), -, 16 lowercase hex digits (the span id), -, 2 lowercase hex digits (the"
                + " flags), neither id all zeros: fix what the writer sets as pgobserver.traceparent"
                + (since > 0 ? " (" + since + " more such rows since the last warning)" : "");
    }

    private static String quoted(String value) {
        String shown = value.length() > QUOTED ? value.substring(0, QUOTED) + "…" : value;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }

    /** Forgets the last warning: for a test that must see the first one, whatever ran before it in the JVM. */
    static void forget() {
        LOCK.lock();
        try {
            warned = false;
            since = 0;
        } finally {
            LOCK.unlock();
        }
    }
}
