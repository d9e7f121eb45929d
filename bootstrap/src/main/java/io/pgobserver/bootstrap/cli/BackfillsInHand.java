package io.pgobserver.bootstrap.cli;

import io.pgobserver.domain.event.ShellWord;
import io.pgobserver.domain.port.Backfill;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The backfills one run of {@code backfill} has taken up, each as it last stood (found, started, resumed, or after
 * its latest chunk): what a stop of the run leaves unfinished. A run cut short (a signal, the database lost) says
 * where every one of them stands, not only the one in flight: a resume of several tables takes each up before the
 * first chunk, and those after it are unfinished too.
 */
final class BackfillsInHand {

    /** Why a run cut short sends no row twice when resumed. */
    static final String WHOLE_CHUNKS = "each chunk commits whole, so no row is sent twice";

    private final Map<Long, Backfill> latest = new LinkedHashMap<>();

    void update(Backfill backfill) {
        latest.put(backfill.id(), backfill);
    }

    /** The unfinished ones, in the order the run took them up. */
    List<Backfill> unfinished() {
        return latest.values().stream().filter(b -> b.state() == Backfill.State.RUNNING).toList();
    }

    /**
     * "backfill 7 of public.shelves stopped after 10 row(s) logged as read events out of ~40, last key 10; backfill 8
     * of … (SIGINT; each chunk commits whole, so no row is sent twice); resume with: pg-observer backfill --resume (or
     * cancel one with 'pg-observer backfill --cancel --table SCHEMA.TABLE')": where each unfinished one stands (its
     * rows done are committed with their chunks, and a resume goes on after its last key), then the one command that
     * resumes them all, with the table's name when it is one, and the cancel for whoever would rather end it. Both
     * with the options given: without them they read the default configuration (another database, or none).
     *
     * @param note    said in parentheses after them: what cut the run short, and {@link #WHOLE_CHUNKS}
     * @param when    what to wait for before the resume ("" for nothing)
     * @param options the command's own options to repeat ({@code --config}, {@code --set}), quoted for the resume
     *                at the end of the line and, differently, for the cancel inside the advice's single quotes
     */
    String cutShort(String note, String when, ConfigOptions options) {
        List<Backfill> left = unfinished();
        boolean one = left.size() == 1;
        String name = one ? left.getFirst().request().table() : "SCHEMA.TABLE";
        return left.stream().map(BackfillsInHand::standing).collect(Collectors.joining("; ")) + " (" + note + "); "
                + when + "resume with: pg-observer backfill" + options.given() + " --resume"
                + (one ? " --table " + ShellWord.of(name) : "")
                + " (or " + (one ? "" : "cancel one with ") + "'pg-observer backfill" + options.givenInQuotes()
                + " --cancel --table " + ShellWord.inQuotes(name) + "')";
    }

    /**
     * {@link #cutShort} for a run a signal cut.
     *
     * @param signal  what cut the run short: SIGINT, SIGTERM, or "interrupted"
     * @param options the command's own options to repeat
     */
    String cutBySignal(String signal, ConfigOptions options) {
        return cutShort(signal + "; " + WHOLE_CHUNKS, "", options);
    }

    private static String standing(Backfill b) {
        return "backfill " + b.id() + " of " + b.request().table() + " stopped after " + b.rowsDone()
                + " row(s) logged as read events" + (b.estimatedRows() < 0 ? "" : " out of ~" + b.estimatedRows())
                + b.shownLastKey().map(key -> ", last key " + key).orElse("");
    }
}
