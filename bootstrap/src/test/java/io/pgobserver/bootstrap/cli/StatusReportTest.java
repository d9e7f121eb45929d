package io.pgobserver.bootstrap.cli;

import io.pgobserver.domain.event.Checkpoint;
import io.pgobserver.domain.port.Backfill;
import io.pgobserver.domain.port.BackfillRequest;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.port.CaptureInstaller;
import io.pgobserver.domain.port.ChangeSource;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.OpenTransaction;
import io.pgobserver.domain.port.ParkedEvents;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code status} says of parked rows when a receiver down for every row has parked a great many: the totals
 * of all of them, and by name only those parked longest (it used to read and print every one).
 */
class StatusReportTest {

    /** The command a hint names, as {@code status --config /etc/pg-observer.yaml} gives it. */
    private static final String BACKFILL = "pg-observer backfill --config /etc/pg-observer.yaml";

    private static StatusCommand.Report report(ParkedEvents.Summary parked) {
        return report(Optional.empty(), parked);
    }

    private static StatusCommand.Report report(Optional<OpenTransaction> open, ParkedEvents.Summary parked) {
        return new StatusCommand.Report("default", Optional.empty(), ChangeSource.Lag.NONE, open, Map.of(), parked,
                true, List.of(), new io.pgobserver.domain.port.CaptureInstaller.Check(1, List.of()), List.of());
    }

    private static String human(OpenTransaction open) {
        return StatusCommand.human(report(Optional.of(open), new ParkedEvents.Summary(0, 0, Map.of())), BACKFILL);
    }

    /**
     * A new configuration over a real schema's many tables: the tables not captured yet share one line whose one
     * command installs them all (names with spaces quoted for the shell), where each had a line of its own.
     */
    @Test
    void manyTablesNotCapturedYetShareOneLineAndOneInstallCommand() {
        List<CaptureInstaller.Problem> problems = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            String table = i == 3 ? "Ops Dept.order items 3" : "sales.t" + i;
            problems.add(new CaptureInstaller.Problem(table, CaptureInstaller.Problem.Kind.NOT_CAPTURED,
                    "observed table " + table + " is not captured"));
        }
        problems.add(new CaptureInstaller.Problem("public.orders", CaptureInstaller.Problem.Kind.ID_COLUMN,
                "the capture of public.orders takes the entity id from column 'id', which the table no longer has"));
        StatusCommand.Report report = new StatusCommand.Report("default", Optional.empty(), ChangeSource.Lag.NONE,
                Optional.empty(), Map.of(), new ParkedEvents.Summary(0, 0, Map.of()), true, List.of(),
                new CaptureInstaller.Check(60, problems), List.of());
        assertThat(StatusCommand.human(report, BACKFILL)).contains("""
                capture:       8 observed table(s) not captured as installed:
                  7 observed tables are not captured: their changes reach no observer; run 'pg-observer install \
                --table sales.t0 --table sales.t1 --table sales.t2 --table "Ops Dept.order items 3" --table sales.t4 \
                --table sales.t5 --table sales.t6'
                  the capture of public.orders takes the entity id from column 'id', which the table no longer has
                listener:""");
        CaptureInstaller.Check few = new CaptureInstaller.Check(60, problems.subList(2, 8));
        assertThat(few.advice()).hasSize(6).first().isEqualTo("observed table sales.t2 is not captured");
    }

    /** With no process holding the consumer's lock, none runs: "standby" named a waiting process that is not there. */
    @Test
    void noListenerIsSaidToBeNoneRunningNotAStandby() {
        StatusCommand.Report none = new StatusCommand.Report("default", Optional.empty(), ChangeSource.Lag.NONE,
                Optional.empty(), Map.of(), new ParkedEvents.Summary(0, 0, Map.of()), false, List.of(),
                new io.pgobserver.domain.port.CaptureInstaller.Check(1, List.of()), List.of());
        assertThat(StatusCommand.human(none, BACKFILL)).endsWith("\nlistener:      none running: no process is "
                + "listening for this consumer; start one with 'run'").doesNotContain("standby");
        assertThat(StatusCommand.human(report(new ParkedEvents.Summary(0, 0, Map.of())), BACKFILL))
                .endsWith("\nlistener:      active (a process holds the consumer lock)");
    }

    /**
     * An open transaction that has written events is named under the lag once open 10 s (a younger one is a busy
     * database's everyday traffic); one whose age the database hides is named with the grant that shows it.
     */
    @Test
    void anOpenTransactionIsNamedOnceOpenTenSecondsOrWhenItsAgeIsHidden() {
        OpenTransaction idle = new OpenTransaction(1234, 900, "idle in transaction", "billing", "app",
                "update orders set status = 'shipped' where id = 42", Duration.ofMinutes(123).plusSeconds(5));
        assertThat(human(idle)).contains("lag:           0 event(s) behind\nopen transaction: pid 1234, idle in "
                + "transaction for 2h 3m (app 'billing', role 'app'), its events wait for its commit\n"
                + "    last statement: update orders set status = 'shipped' where id = 42\n"
                + "    commit it from its application, or end it with SELECT pg_terminate_backend(1234) (its changes "
                + "are rolled back and never become events)\ndead letters:");
        assertThat(human(new OpenTransaction(1234, 900, "active", "billing", "app", "insert …",
                Duration.ofSeconds(9)))).doesNotContain("open transaction");
        assertThat(human(new OpenTransaction(77, 900, null, "", "app", null, null))).contains("open transaction: "
                + "pid 77 (app '', role 'app'), open for a time the database does not show: grant pg_read_all_stats "
                + "to the observer's role to see its age, state and query, its events wait for its commit\n    commit");

        assertThat(StatusCommand.json(report(Optional.of(idle), new ParkedEvents.Summary(0, 0, Map.of()))))
                .contains("\"open_transaction\":{\"pid\":1234,\"state\":\"idle in transaction\",\"application\":"
                        + "\"billing\",\"role\":\"app\",\"query\":\"update orders set status = 'shipped' where id = "
                        + "42\",\"seconds\":7385.0,\"gid\":null}");
        assertThat(StatusCommand.json(report(new ParkedEvents.Summary(0, 0, Map.of()))))
                .contains("\"open_transaction\":null");
    }

    /**
     * A prepared transaction (two-phase commit) left unfinished is named by its gid, with the COMMIT or ROLLBACK
     * PREPARED that ends it (the gid quoted as SQL quotes it): it has no session to terminate.
     */
    @Test
    void aPreparedTransactionIsNamedByItsGidWithTheStatementsThatEndIt() {
        OpenTransaction prepared = OpenTransaction.prepared(901, "tm-1:it's", "app", Duration.ofMinutes(42));
        assertThat(human(prepared)).contains("lag:           0 event(s) behind\nprepared transaction: gid 'tm-1:it's' "
                + "(role 'app'), prepared 42m 0s ago and neither committed nor rolled back; no session holds it, its "
                + "events wait for its commit\n    its transaction manager should normally finish it; if that is gone "
                + "for good, run COMMIT PREPARED 'tm-1:it''s' (its events arrive) or ROLLBACK PREPARED 'tm-1:it''s' "
                + "(its changes are rolled back and never become events) in this database, as role 'app' or a "
                + "superuser\ndead letters:");
        assertThat(human(OpenTransaction.prepared(901, "tm-2", "app", Duration.ofSeconds(9))))
                .doesNotContain("prepared transaction");
        assertThat(StatusCommand.json(report(Optional.of(prepared), new ParkedEvents.Summary(0, 0, Map.of()))))
                .contains("\"open_transaction\":{\"pid\":null,\"state\":\"prepared\",\"application\":\"\","
                        + "\"role\":\"app\",\"query\":null,\"seconds\":2520.0,\"gid\":\"tm-1:it's\"}");
    }

    /**
     * The checkpoint and the lag read as what they are to someone who never saw the code: how far the events are done
     * and handed to actions, in change_log ids, and how far behind in events and age (days for a long one). It used to
     * print "batch 7, after change_log id 1042 (batches done up to snapshot 900:905:; dispatched up to batch 7, id
     * 1044)" and "3 event(s), oldest waiting 130000.0 s".
     */
    @Test
    void theCheckpointAndTheLagSayInWordsHowFarTheConsumerGot() {
        StatusCommand.Report report = new StatusCommand.Report("default", Optional.of(new CheckpointStore.Saved(
                new Checkpoint(7, 1042), new Snapshot("900:905:"), new CheckpointStore.HighWater(7, 1044), 3)),
                new ChangeSource.Lag(3, Duration.ofHours(36).plusMinutes(5)), Optional.empty(), Map.of(),
                new ParkedEvents.Summary(0, 0, Map.of()), true, List.of(),
                new io.pgobserver.domain.port.CaptureInstaller.Check(1, List.of()), List.of());
        assertThat(StatusCommand.human(report, BACKFILL)).contains("checkpoint:    events done up to change_log id "
                + "1042 (batch 7 in progress, every earlier batch done); handed to actions up to id 1044, not yet done\n"
                + "lag:           3 event(s) behind (committed after the last finished batch), the oldest committed "
                + "1d 12h ago\n").doesNotContain("snapshot");

        assertThat(StatusCommand.lag(new ChangeSource.Lag(2, Duration.ofMillis(12_345)))).endsWith("oldest committed "
                + "12.3s ago");
        assertThat(StatusCommand.lag(new ChangeSource.Lag(2, Duration.ofSeconds(250)))).endsWith("oldest committed "
                + "4m 10s ago");
    }

    /**
     * A stopped or interrupted backfill's age reads as every other age in {@code status} (the lag, an open
     * transaction): it used to read "63 min ago", and "26 h ago" for a day and two hours.
     */
    @Test
    void aWaitingBackfillsAgeReadsAsTheOtherAges() {
        Instant now = Instant.parse("2026-12-04T04:15:09Z");
        Instant at = now.minus(Duration.ofMinutes(63).plusSeconds(20));
        Backfill interrupted = new Backfill(3, new BackfillRequest("public.orders", null, null, 10), 10,
                Backfill.State.RUNNING, at, at, -1, null, false, List.of());
        assertThat(StatusCommand.interrupted(interrupted, now, BACKFILL)).contains("last chunk " + at + " (1h 3m ago)");
        Backfill stopped = new Backfill(3, new BackfillRequest("public.orders", null, null, 10), 10,
                Backfill.State.RUNNING, at, at, -1, new Backfill.Stop("ERROR: division by zero",
                now.minus(Duration.ofHours(26))), true, List.of());
        assertThat(StatusCommand.stop(stopped, now, BACKFILL)).contains("(1d 2h ago): ERROR: division by zero");
    }

    /**
     * The ways on that a waiting backfill offers are whole commands with the options status was given: they said
     * {@code 'backfill --resume --table T'}, which copied as it was reads the default configuration, most often
     * another database's.
     */
    @Test
    void aWaitingBackfillsWaysOnCarryTheOptionsGiven() {
        Instant now = Instant.parse("2026-12-04T04:15:09Z");
        Backfill interrupted = new Backfill(3, new BackfillRequest("public.orders", null, null, 10), 10,
                Backfill.State.RUNNING, now, now, -1, null, false, List.of());
        assertThat(StatusCommand.interrupted(interrupted, now, BACKFILL)).endsWith("\n    'pg-observer backfill "
                + "--config /etc/pg-observer.yaml --resume --table public.orders' goes on after that chunk; or "
                + "'pg-observer backfill --config /etc/pg-observer.yaml --cancel --table public.orders'");
        Backfill stopped = new Backfill(3, new BackfillRequest("public.orders", null, null, 10), 10,
                Backfill.State.RUNNING, now, now, -1, new Backfill.Stop("ERROR: division by zero", now), true,
                List.of());
        assertThat(StatusCommand.stop(stopped, now, BACKFILL)).endsWith("\n    fix what it fails on, then "
                + "'pg-observer backfill --config /etc/pg-observer.yaml --resume --table public.orders'; or "
                + "'pg-observer backfill --config /etc/pg-observer.yaml --cancel --table public.orders' and start a "
                + "new backfill (with a corrected --where)");
    }

    /** A table whose name a shell would split is quoted in the ways on, so that the pasted command gets it whole. */
    @Test
    void aWaitingBackfillsWaysOnQuoteATableNameTheShellWouldSplit() {
        Instant now = Instant.parse("2026-12-04T04:15:09Z");
        Backfill stopped = new Backfill(3, new BackfillRequest("Sales Dept.Order Items", null, null, 10), 10,
                Backfill.State.RUNNING, now, now, -1, new Backfill.Stop("ERROR: division by zero", now), true,
                List.of());
        assertThat(StatusCommand.stop(stopped, now, BACKFILL)).contains("--resume --table \"Sales Dept.Order Items\"'",
                "--cancel --table \"Sales Dept.Order Items\"'");
        Backfill interrupted = new Backfill(3, new BackfillRequest("Sales Dept.Order Items", null, null, 10), 10,
                Backfill.State.RUNNING, now, now, -1, null, false, List.of());
        assertThat(StatusCommand.interrupted(interrupted, now, BACKFILL)).contains(
                "--resume --table \"Sales Dept.Order Items\"'", "--cancel --table \"Sales Dept.Order Items\"'");
    }

    /**
     * Each unfinished backfill says where a resume would go on, its last key (a composite one as a tuple), so that an
     * operator can choose between resume and cancel; --json has it as an array of the key's columns as text, null
     * before the first chunk. A finished one's human line leaves it out: it says nothing to act on.
     */
    @Test
    void aBackfillSaysItsLastKey() {
        StatusCommand.Report report = new StatusCommand.Report("default", Optional.empty(), ChangeSource.Lag.NONE,
                Optional.empty(), Map.of(), new ParkedEvents.Summary(0, 0, Map.of()), true, List.of(
                backfill(3, Backfill.State.RUNNING, true, List.of("12000")),
                backfill(4, Backfill.State.RUNNING, false, List.of("3", "a")),
                backfill(5, Backfill.State.RUNNING, true, List.of()),
                backfill(6, Backfill.State.CANCELLED, false, List.of("7")),
                backfill(2, Backfill.State.FINISHED, false, List.of("40"))),
                new io.pgobserver.domain.port.CaptureInstaller.Check(1, List.of()), List.of());

        assertThat(StatusCommand.human(report, BACKFILL)).contains(
                "\n  backfill 3 of public.orders running: 10 of ~40 rows, last key 12000\n",
                "\n  backfill 4 of public.orders interrupted: 10 of ~40 rows, last key (3, a)\n",
                "\n  backfill 5 of public.orders running: 10 of ~40 rows\n",
                "\n  backfill 6 of public.orders cancelled: 10 rows, last key 7\n",
                "\n  backfill 2 of public.orders finished: 10 rows\n");
        assertThat(StatusCommand.json(report))
                .contains("\"estimated_rows\":40,\"last_key\":[\"12000\"],")
                .contains("\"last_key\":[\"3\",\"a\"],", "\"last_key\":null,", "\"last_key\":[\"40\"],");
    }

    private static Backfill backfill(long id, Backfill.State state, boolean attended, List<String> lastKey) {
        Instant at = Instant.parse("2026-12-04T04:15:09Z");
        return new Backfill(id, new BackfillRequest("public.orders", null, null, 10), 10, state, at, at, 40, null,
                attended, lastKey);
    }

    @Test
    void manyParkedRowsAreCountedAndOnlyThoseParkedLongestNamed() {
        Map<String, Long> oldest = new LinkedHashMap<>();
        for (int row = 1; row <= StatusCommand.PARKED_LISTED; row++) {
            oldest.put("public.orders\u0000" + row, row == 1 ? 3L : 1L);
        }
        StatusCommand.Report report = report(new ParkedEvents.Summary(250_002, 250_000, oldest));

        assertThat(StatusCommand.human(report, BACKFILL)).contains("parked:        250002 event(s) of 250000 stuck "
                + "entities (parked longest: public.orders 1: 3, public.orders 2: 1, public.orders 3: 1, public.orders 4: 1, "
                + "public.orders 5: 1, …; they run in order once their receivers recover)");
        String json = StatusCommand.json(report);
        assertThat(json).contains("\"parked\":{\"total\":250002,\"entities\":250000,\"by_entity\":{"
                + "\"public.orders 1\":3,\"public.orders 2\":1,").contains("\"public.orders 100\":1}")
                .doesNotContain("\"public.orders 101\"");
    }

    @Test
    void aFewParkedRowsAreAllNamed() {
        Map<String, Long> both = new LinkedHashMap<>();
        both.put("public.orders\u00007", 2L);
        both.put("public.orders\u00009", 1L);
        assertThat(StatusCommand.human(report(new ParkedEvents.Summary(3, 2, both)), BACKFILL))
                .contains("3 event(s) of 2 stuck entities (public.orders 7: 2, public.orders 9: 1; they run");
        assertThat(StatusCommand.human(report(new ParkedEvents.Summary(0, 0, Map.of())), BACKFILL))
                .contains("parked:        none");
    }
}
