package io.pgobserver.bootstrap.cli;

import io.pgobserver.domain.port.Backfill;
import io.pgobserver.domain.port.BackfillRequest;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What a backfill run cut short says of the backfills it took up; BackfillCommandIT has it from the jar. */
class BackfillsInHandTest {

    private static final Instant AT = Instant.parse("2026-12-05T23:00:00Z");

    @Test
    void severalUnfinishedAreEachNamedWithTheirKeyAndResumedByOneCommand() {
        BackfillsInHand inHand = new BackfillsInHand();
        inHand.update(backfill(7, "public.lines", 30, Backfill.State.RUNNING, 120, List.of("3", "a b")));
        inHand.update(backfill(8, "public.orders", 40, Backfill.State.FINISHED, 40, List.of("40")));
        inHand.update(backfill(9, "public.notes", 0, Backfill.State.RUNNING, -1, List.of()));

        assertThat(inHand.cutShort("SIGTERM; " + BackfillsInHand.WHOLE_CHUNKS, "", options("x.yaml")))
                .as("a composite key in parentheses, no estimate when the planner has none, no key before the first "
                        + "chunk, a finished one left out")
                .isEqualTo("backfill 7 of public.lines stopped after 30 row(s) logged as read events out of ~120, "
                        + "last key (3, a b); backfill 9 of public.notes stopped after 0 row(s) logged as read events "
                        + "(SIGTERM; each chunk commits whole, so no row is sent twice); resume with: pg-observer "
                        + "backfill --config x.yaml --resume (or cancel one with 'pg-observer backfill --config "
                        + "x.yaml --cancel --table SCHEMA.TABLE')");
    }

    /**
     * A run cut short by the database lost offers the cancel beside the resume, as a signal-cut one does, with the
     * options given: the operator who would rather end the backfill had to work that command out.
     */
    @Test
    void oneUnfinishedIsResumedOrCancelledByItsTableWithTheOptionsGiven() { // inside the advice's quotes: "…"
        BackfillsInHand inHand = new BackfillsInHand();
        inHand.update(backfill(3, "public.\"Order Lines\"", 10, Backfill.State.RUNNING, 40, List.of("10")));

        assertThat(inHand.cutShort("cause: refused", "once it answers again, ", options("x.yaml")))
                .endsWith("last key 10 (cause: refused); once it answers again, resume with: pg-observer backfill "
                        + "--config x.yaml --resume --table 'public.\"Order Lines\"' (or 'pg-observer backfill "
                        + "--config x.yaml --cancel --table \"public.\\\"Order Lines\\\"\"')");
    }

    /**
     * The cancel a signal-cut run offers besides the resume reads the same configuration as the resume: without the
     * options given it read the default one (another database, or none). Inside the advice's single quotes they are
     * quoted for there: a single-quoted file name or --set ended the quotes, and the cancel copied from between them
     * lost its words.
     */
    @Test
    void aCutBySignalOffersTheCancelWithTheOptionsGiven() {
        BackfillsInHand one = new BackfillsInHand();
        one.update(backfill(3, "public.orders", 10, Backfill.State.RUNNING, 40, List.of("10")));
        assertThat(one.cutBySignal("SIGINT", options("my dir/x.yaml", "listener.consumer=b", "observers.o.on[0]=read")))
                .endsWith("last key 10 (SIGINT; each chunk commits whole, so no row is sent twice); resume with: "
                        + "pg-observer backfill --config 'my dir/x.yaml' --set listener.consumer=b --set "
                        + "'observers.o.on[0]=read' --resume --table public.orders (or 'pg-observer backfill --config "
                        + "\"my dir/x.yaml\" --set listener.consumer=b --set \"observers.o.on[0]=read\" --cancel "
                        + "--table public.orders')");

        BackfillsInHand several = new BackfillsInHand();
        several.update(backfill(7, "public.crates", 20, Backfill.State.RUNNING, 40, List.of("20")));
        several.update(backfill(8, "public.boxes", 20, Backfill.State.RUNNING, 40, List.of("20")));
        assertThat(several.cutBySignal("SIGTERM", options("x.yaml"))).endsWith("resume with: pg-observer backfill "
                + "--config x.yaml --resume (or cancel one with 'pg-observer backfill --config x.yaml --cancel --table "
                + "SCHEMA.TABLE')");
    }

    /** The options of a command given {@code --config file} and a {@code --set} for each of {@code overrides}. */
    private static ConfigOptions options(String file, String... overrides) {
        ConfigOptions options = new ConfigOptions();
        options.config = Path.of(file);
        options.overrides = List.of(overrides);
        return options;
    }

    private static Backfill backfill(long id, String table, long rowsDone, Backfill.State state, long estimate,
                                     List<String> lastKey) {
        return new Backfill(id, new BackfillRequest(table, null, null, 10), rowsDone, state, AT, AT, estimate, null,
                false, lastKey);
    }
}
