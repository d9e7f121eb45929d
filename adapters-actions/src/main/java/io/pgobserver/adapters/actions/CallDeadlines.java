package io.pgobserver.adapters.actions;

import okhttp3.Call;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Whole-call deadlines ({@code observers.<name>.actions[].timeout}), kept by one watchdog thread that cancels a call
 * once its deadline has passed, at most {@link #TICK} late. OkHttp's own call timeout does the same with a priority
 * queue under one process-wide lock, taken when each call starts and again when it ends; with dozens of calls in
 * flight that lock was the largest single cost of the webhook client (a fifth of the event threads' CPU samples in a
 * drain, docs/performance.md). Here a call costs an insert into and a removal from a concurrent set, and the watchdog
 * looks over the calls in flight once a tick. The connect timeout stays OkHttp's and the read timeout is the
 * socket's ({@link HttpTransport}); a send that stalls because the receiver stopped reading ends at this deadline.
 */
final class CallDeadlines implements AutoCloseable {

    /** How late a deadline may be noticed: small beside any sensible deadline, rare enough to cost nothing. */
    static final Duration TICK = Duration.ofMillis(25);

    private final Set<Watch> inFlight = ConcurrentHashMap.newKeySet();
    private final Thread watchdog;
    private volatile boolean closed;

    CallDeadlines() {
        watchdog = Thread.ofPlatform().daemon().name("pgobserver-http-deadlines").start(this::watchdog);
    }

    /** Starts watching {@code call}; close the watch when the call is over, answered or not. */
    Watch watch(Call call, Duration deadline) {
        Watch watch = new Watch(call, System.nanoTime() + deadline.toNanos());
        inFlight.add(watch);
        return watch;
    }

    private void watchdog() {
        while (!closed) {
            LockSupport.parkNanos(TICK.toNanos());
            long now = System.nanoTime();
            for (Watch watch : inFlight) {
                if (now - watch.due >= 0 && watch.expired.compareAndSet(false, true)) {
                    watch.call.cancel();
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(watchdog);
    }

    /** One call under watch. */
    final class Watch implements AutoCloseable {
        private final Call call;
        private final long due;
        private final AtomicBoolean expired = new AtomicBoolean();

        private Watch(Call call, long due) {
            this.call = call;
            this.due = due;
        }

        /** Whether the watchdog cancelled the call because its deadline passed. */
        boolean expired() {
            return expired.get();
        }

        @Override
        public void close() {
            inFlight.remove(this);
        }
    }
}
