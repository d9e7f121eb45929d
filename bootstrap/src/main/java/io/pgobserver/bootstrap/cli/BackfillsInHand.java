package io.pgobserver.bootstrap.cli;

import io.pgobserver.domain.port.Backfill;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The backfills one run of {@code backfill} has taken up, each as it last stood (found, started, resumed, or after
 * its latest chunk): what a stop of the run leaves unfinished. A run that loses the database after it took one up
 * must say where each stopped, not that it stopped before its first chunk: those found already had rows done.
 */
final class BackfillsInHand {

    private final Map<Long, Backfill> latest = new LinkedHashMap<>();

    void update(Backfill backfill) {
        latest.put(backfill.id(), backfill);
    }

    /** The unfinished ones, in the order the run took them up. */
    List<Backfill> unfinished() {
        return latest.values().stream().filter(b -> b.state() == Backfill.State.RUNNING).toList();
    }

    /**
     * "backfill 7 of public.shelves stopped after 10 row(s) logged as read events, backfill 8 of …": each unfinished
     * one and its rows done, which are committed with their chunks.
     */
    String whereStopped() {
        return unfinished().stream().map(BackfillsInHand::stoppedAfter).collect(Collectors.joining(", "));
    }

    /** The options that resume them: the one table's, or every unfinished backfill's when there are several. */
    String resumeOptions() {
        List<Backfill> left = unfinished();
        return left.size() == 1 ? " --resume --table " + ShellWord.of(left.getFirst().request().table())
                : " --resume";
    }

    static String stoppedAfter(Backfill b) {
        return "backfill " + b.id() + " of " + b.request().table() + " stopped after " + b.rowsDone()
                + " row(s) logged as read events";
    }
}
