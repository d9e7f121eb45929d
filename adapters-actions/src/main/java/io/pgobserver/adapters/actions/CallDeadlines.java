package io.pgobserver.adapters.actions;

import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.Request;
import okhttp3.Response;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The actions' HTTP timeouts after the connect, kept by one watchdog thread that cancels a call at most {@link #TICK}
 * late: the whole-call deadline ({@code observers.<name>.actions[].timeout}) and the read timeout
 * ({@code actions.read_timeout}), how long a sent request may wait for the server's answer, once for its status line
 * and headers and again for its body.
 *
 * <p>Neither is kept where OkHttp or the JDK would keep it, for what that costs at thousands of calls a second on
 * virtual threads. OkHttp's call timeout and its read and write timeouts take Okio's process-wide timeout lock on
 * every call and on every socket read and write: the largest single cost of the webhook client in a drain. A socket
 * read timeout ({@code SO_TIMEOUT}) makes each blocking read of a virtual thread schedule a wake-up on the scheduler's
 * delay queue and cancel it when the answer comes: 4% of a drain's CPU samples (docs/performance.md). Here a call costs
 * an insert into and a removal from a concurrent map and a few field writes from OkHttp's event callbacks, and the
 * watchdog looks over the calls in flight once a tick. The connect timeout stays OkHttp's; a send that stalls because
 * the receiver stopped reading ends at the whole-call deadline.
 */
final class CallDeadlines implements AutoCloseable {

    /** How late a deadline may be noticed: small beside any sensible deadline, rare enough to cost nothing. */
    static final Duration TICK = Duration.ofMillis(25);

    private final Map<Call, Watch> inFlight = new ConcurrentHashMap<>();
    private final EventListener progress = new Progress();
    private final long readTimeoutNanos;
    private final Thread watchdog;
    private volatile boolean closed;

    /** @param readTimeout how long a sent request may wait for each part of the answer; zero: no limit */
    CallDeadlines(Duration readTimeout) {
        this.readTimeoutNanos = readTimeout.isZero() ? 0 : readTimeout.toNanos();
        watchdog = Thread.ofPlatform().daemon().name("pgobserver-http-deadlines").start(this::watchdog);
    }

    /** Starts watching {@code call}; close the watch when the call is over, answered or not. */
    Watch watch(Call call, Duration deadline) {
        Watch watch = new Watch(call, System.nanoTime() + deadline.toNanos());
        inFlight.put(call, watch);
        return watch;
    }

    /**
     * The listener that tells each call's watch when it starts and stops waiting for the server: one for every call,
     * as it keeps nothing of its own (the call names its watch).
     */
    EventListener progress() {
        return progress;
    }

    private void watchdog() {
        while (!closed) {
            LockSupport.parkNanos(TICK.toNanos());
            long now = System.nanoTime();
            for (Watch watch : inFlight.values()) {
                if (now - watch.due >= 0) {
                    watch.expire(Watch.DEADLINE);
                } else if (watch.waiting && now - watch.readDue >= 0) {
                    watch.expire(Watch.READ);
                }
            }
        }
    }

    private void waiting(Call call, boolean waiting) {
        if (readTimeoutNanos == 0) {
            return;
        }
        Watch watch = inFlight.get(call);
        if (watch != null) {
            if (waiting) {
                watch.readDue = System.nanoTime() + readTimeoutNanos;
            }
            watch.waiting = waiting;
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(watchdog);
    }

    /** One call under watch. */
    final class Watch implements AutoCloseable {
        private static final int RUNNING = 0;
        private static final int DEADLINE = 1;
        private static final int READ = 2;

        private final Call call;
        private final long due;
        private final AtomicInteger state = new AtomicInteger(RUNNING);
        /** Written by the call's thread before {@link #waiting}, read by the watchdog after it. */
        private volatile long readDue;
        private volatile boolean waiting;

        private Watch(Call call, long due) {
            this.call = call;
            this.due = due;
        }

        private void expire(int why) {
            if (state.compareAndSet(RUNNING, why)) {
                call.cancel();
            }
        }

        /** Whether the watchdog cancelled the call because its whole-call deadline passed. */
        boolean expired() {
            return state.get() == DEADLINE;
        }

        /** Whether the watchdog cancelled the call because the server did not answer within the read timeout. */
        boolean readTimedOut() {
            return state.get() == READ;
        }

        @Override
        public void close() {
            inFlight.remove(call, this);
        }
    }

    /**
     * Marks when a call waits for its server: from the end of the request (its body's, when it has one) to the
     * response's headers, and from there to the end of its body. OkHttp calls these on the call's own thread.
     */
    private final class Progress extends EventListener {
        @Override
        public void requestHeadersEnd(Call call, Request request) {
            if (request.body() == null) {
                waiting(call, true);
            }
        }

        @Override
        public void requestBodyEnd(Call call, long byteCount) {
            waiting(call, true);
        }

        @Override
        public void responseHeadersEnd(Call call, Response response) {
            waiting(call, true);
        }

        @Override
        public void responseBodyEnd(Call call, long byteCount) {
            waiting(call, false);
        }

        @Override
        public void responseFailed(Call call, IOException e) {
            waiting(call, false);
        }

        @Override
        public void requestFailed(Call call, IOException e) {
            waiting(call, false);
        }
    }
}
