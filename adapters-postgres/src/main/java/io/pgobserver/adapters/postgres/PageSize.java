package io.pgobserver.adapters.postgres;

/**
 * How many rows a cursor over change_log fetches at a time, so that what the driver holds stays near a page's bytes:
 * as many as fit at the size of the largest event seen lately, one before any was seen. That size decays by an eighth
 * a page, so that one large row does not keep fetches short for long. Used by one {@link PageReader}, one read at a
 * time (the listener's thread, or a replay's).
 */
final class PageSize {

    private final long pageBytes;
    /** The largest event seen lately, decaying; 0 before the first. */
    private volatile long largest;

    PageSize(long pageBytes) {
        this.pageBytes = Math.max(1, pageBytes);
    }

    /** The rows to fetch next: at least one, at most {@code left}. */
    int rows(int left) {
        long size = largest;
        if (size == 0) {
            return 1;
        }
        return (int) Math.clamp(pageBytes / size, 1, Math.max(1, left));
    }

    /** Whether events holding {@code bytes} fill a page. */
    boolean full(long bytes) {
        return bytes >= pageBytes;
    }

    /** An event holding {@code bytes} was read; returns {@code bytes}. */
    long saw(long bytes) {
        if (bytes > largest) {
            largest = bytes;
        }
        return bytes;
    }

    /** A page was read: when it held events, what was seen weighs an eighth less on the next (idle polls keep it). */
    void pageRead(boolean hadEvents) {
        if (hadEvents) {
            largest -= largest / 8;
        }
    }
}
