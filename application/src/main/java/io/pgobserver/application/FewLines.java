package io.pgobserver.application;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A log line per occurrence while they are few, then a count: after {@code perMinute} lines in a minute, the rest
 * of that minute's occurrences are counted and said in one line when the next one comes. A receiver down for every
 * row parks thousands of rows a second, and a line for each would bury everything else in the log (and fill disks).
 */
final class FewLines {

    private static final long MINUTE_NANOS = 60_000_000_000L;

    private final System.Logger log;
    private final System.Logger.Level level;
    private final int perMinute;
    private final String what;
    private final LongSupplier nanoClock;
    private final ReentrantLock lock = new ReentrantLock(); // not synchronized: virtual threads log here
    private long minuteStarted;
    private int logged;
    private long unlogged;

    /** @param what the occurrences, as the count's line names them after a number ("rows parked") */
    FewLines(System.Logger log, System.Logger.Level level, int perMinute, String what, LongSupplier nanoClock) {
        this.log = log;
        this.level = level;
        this.perMinute = perMinute;
        this.what = what;
        this.nanoClock = nanoClock;
        this.minuteStarted = nanoClock.getAsLong();
    }

    /** One occurrence: its line, or a count of it. */
    void log(Supplier<String> line) {
        String countLine = null;
        boolean own;
        lock.lock();
        try {
            long now = nanoClock.getAsLong();
            if (now - minuteStarted >= MINUTE_NANOS) {
                if (unlogged > 0) {
                    countLine = unlogged + " more " + what + " in that minute, not logged one by one";
                }
                minuteStarted = now;
                logged = 0;
                unlogged = 0;
            }
            own = logged < perMinute;
            if (own) {
                logged++;
            } else if (unlogged++ == 0) {
                countLine = "more than " + perMinute + " " + what + " in a minute: the rest of the minute's are "
                        + "counted, not logged one by one";
            }
        } finally {
            lock.unlock();
        }
        if (countLine != null) {
            log.log(level, countLine);
        }
        if (own) {
            log.log(level, line.get());
        }
    }
}
