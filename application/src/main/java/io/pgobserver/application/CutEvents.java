package io.pgobserver.application;

import io.pgobserver.domain.event.ChangeEvent;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The events a stop cuts short, named in its log line: how many, and the oldest few by row and change_log id. An
 * operator reads there which rows' actions the next holder runs again, and which receivers may see a request twice
 * (one cut on the wire may have arrived).
 */
final class CutEvents {

    /** Enough to find them; a stop with every place held (hundreds) must not write a line of kilobytes. */
    static final int NAMED = 5;

    private CutEvents() {
    }

    /** As {@code 3 events (public.orders 7 at change_log id 512, ...)}; {@code them} when none is known. */
    static String named(List<ChangeEvent> events) {
        if (events.isEmpty()) {
            return "them";
        }
        String first = events.stream().sorted(Comparator.comparingLong(e -> e.position().offset())).limit(NAMED)
                .map(e -> e.entityType() + " " + e.entityId() + " at change_log id " + e.position().offset())
                .collect(Collectors.joining(", "));
        String rest = events.size() > NAMED ? " and " + (events.size() - NAMED) + " more" : "";
        return counted(events.size()) + " (" + first + rest + ")";
    }

    /**
     * How a stop ended, {@code stopped cleanly} or {@code stopped with 3 events cut and 1 event on its way to parking,
     * left for the next holder,}: the line that says the place is released is read last, and must not call clean a
     * stop that left events unfinished, whether cut while running, ended by a failed attempt that the stop did not
     * retry ({@code failed}: a slow receiver's read timeout as the stop waited), or handed to the parking lot and not
     * yet written.
     */
    static String stopped(int cut, int failed, int unparked) {
        List<String> left = new ArrayList<>(3);
        if (cut > 0) {
            left.add(counted(cut) + " cut");
        }
        if (failed > 0) {
            left.add(counted(failed) + " not done (an attempt failed, and a stop retries nothing)");
        }
        if (unparked > 0) {
            left.add(counted(unparked) + (unparked == 1 ? " on its way to parking" : " on their way to parking"));
        }
        return left.isEmpty() ? "stopped cleanly"
                : "stopped with " + String.join(" and ", left) + ", left for the next holder,";
    }

    private static String counted(int events) { // 1 event, 3 events
        return events + (events == 1 ? " event" : " events");
    }
}
