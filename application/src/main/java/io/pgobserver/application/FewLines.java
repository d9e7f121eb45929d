package io.pgobserver.application;

import java.time.Duration;
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
    private final Later later;
    private final ReentrantLock lock = new ReentrantLock(); // not synchronized: virtual threads log here
    private long minuteStarted;
    private int logged;
    private long unlogged;

    /** Runs a task once, after a delay: a seam so that tests say when a minute has passed. */
    interface Later {
        void run(Duration delay, Runnable task);

        /** A virtual thread that sleeps, then runs the task. */
        Later THREAD = (delay, task) -> Thread.ofVirtual().name("pgobserver-few-lines").start(() -> {
            try {
                Thread.sleep(delay);
                task.run();
            } catch (InterruptedException e) {
                // not expected: nothing interrupts it; the count then comes with the next occurrence
            }
        });
    }

    /** @param what the occurrences, as the count's line names them after a number ("rows parked") */
    FewLines(System.Logger log, System.Logger.Level level, int perMinute, String what, LongSupplier nanoClock) {
        this(log, level, perMinute, what, nanoClock, Later.THREAD);
    }

    FewLines(System.Logger log, System.Logger.Level level, int perMinute, String what, LongSupplier nanoClock,
             Later later) {
        this.later = later;
        this.log = log;
        this.level = level;
        this.perMinute = perMinute;
        this.what = what;
        this.nanoClock = nanoClock;
        this.minuteStarted = nanoClock.getAsLong();
    }

    /**
     * One occurrence: its line, or a count of it. The line is made only when it is logged, so a costly one costs
     * nothing once the minute's lines are said; made, it may say there is nothing to log (null): then it was no
     * occurrence, and the minute's line is still to come.
     */
    void log(Supplier<String> line) {
        String countLine = null;
        boolean own;
        lock.lock();
        try {
            long now = nanoClock.getAsLong();
            if (now - minuteStarted >= MINUTE_NANOS) {
                if (unlogged > 0) {
                    countLine = counted(unlogged);
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
                // The count comes with the next occurrence after the minute, or when the minute ends if none does
                // (the occurrences stopped: the last line must not promise a count that never comes).
                later.run(Duration.ofNanos(MINUTE_NANOS - (now - minuteStarted)), this::endMinute);
            }
        } finally {
            lock.unlock();
        }
        if (countLine != null) {
            log.log(level, countLine);
        }
        if (own) {
            String text = line.get();
            if (text != null) {
                log.log(level, text);
            } else {
                lock.lock();
                try {
                    logged = Math.max(0, logged - 1);
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /**
     * The count so far, at once: occurrences that come in a burst as the process ends (a stop cutting every event)
     * would otherwise be promised a count that the minute's end, after the exit, never says.
     */
    void countNow() {
        long counted;
        lock.lock();
        try {
            counted = unlogged;
            unlogged = 0;
        } finally {
            lock.unlock();
        }
        if (counted > 0) {
            log.log(level, counted + " more " + what + " so far, not logged one by one");
        }
    }

    /** A minute with counted occurrences is over: their count, unless an occurrence since logged it. */
    private void endMinute() {
        long counted;
        lock.lock();
        try {
            long now = nanoClock.getAsLong();
            if (now - minuteStarted < MINUTE_NANOS || unlogged == 0) {
                return;
            }
            counted = unlogged;
            minuteStarted = now;
            logged = 0;
            unlogged = 0;
        } finally {
            lock.unlock();
        }
        log.log(level, counted(counted));
    }

    private String counted(long count) {
        return count + " more " + what + " in that minute, not logged one by one";
    }
}
