package io.pgobserver.application;

import io.pgobserver.domain.config.TracingSettings;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.observer.Condition;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.observer.RetryPolicy;
import io.pgobserver.domain.port.ActionExecutor;
import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.port.ChangeHistory;
import io.pgobserver.domain.port.DatabaseStoppedAnswering;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.testing.Events;
import io.pgobserver.domain.testing.InMemoryDeadLetters;
import io.pgobserver.domain.testing.InMemoryDeliveries;
import io.pgobserver.domain.testing.RecordingTracer;
import io.pgobserver.domain.testing.TestAction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A replay's open end is fixed by the database's present (its clock, its newest id), never by this host's clock; a row
 * that cannot be read as an event is stepped over and named, not a stop.
 */
class ReplayHistoryTest {

    /** Years before this host's clock: only the database's clock can make these ends lie in the future. */
    private static final Instant DATABASE_NOW = Instant.parse("2001-02-03T04:05:06.789123Z");

    private final ReplayHistory replay = new ReplayHistory(new History(DATABASE_NOW, 120, List.of()), processEvent(List.of()));

    @Test
    void aToAfterTheDatabasesClockIsMovedToItThoughThisHostsClockIsLater() throws Exception {
        ReplayHistory.Plan plan = replay.plan(ChangeHistory.Stretch.between(Instant.parse("2001-02-03T04:00:00Z"),
                Instant.parse("2001-02-03T05:00:00Z")));

        Instant now = Instant.parse("2001-02-03T04:05:06.789Z");
        assertThat(plan.stretch()).isEqualTo(ChangeHistory.Stretch.between(Instant.parse("2001-02-03T04:00:00Z"),
                now));
        assertThat(plan.note()).contains("--to 2001-02-03T05:00:00Z is in the future; replaying up to now, " + now
                + ", the moment the replay started (events written after it are not replayed: a later replay can "
                + "start there)");
        assertThat(plan.endNote()).isEqualTo(", when the replay started");
    }

    /** A misspelt observer of a file with a hundred: the names spelt like it, not all hundred. */
    @Test
    void aNameOfNoObserverAmongManyIsAnsweredWithTheNearestNames() {
        List<Observer> observers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String name = i == 42 ? "order_shipped" : i == 77 ? "order_shipping" : "sync_" + i;
            observers.add(new Observer(name, "public.t" + i, Set.of(ChangeKind.UPDATED), "", Condition.ALWAYS,
                    List.of(new TestAction("webhook", "http://localhost/" + i)), RetryPolicy.DEFAULT));
        }
        ReplayHistory many = new ReplayHistory(new History(DATABASE_NOW, 120, List.of()), processEvent(observers));
        assertThatThrownBy(() -> many.requireObserver("order_shiped"))
                .isInstanceOf(ReplayHistory.Refused.class)
                .hasMessageStartingWith("no observer named 'order_shiped' in this configuration (the nearest of its "
                        + "100 observers: order_shipped, order_shipping, ")
                .hasMessageEndingWith("; 'pg-observer check-config' lists them all)")
                .satisfies(e -> assertThat(e.getMessage().split(", ")).hasSize(5));
        assertThatThrownBy(() -> new ReplayHistory(new History(DATABASE_NOW, 120, List.of()),
                processEvent(observers.subList(40, 44))).requireObserver("order_shiped"))
                .hasMessage("no observer named 'order_shiped' in this configuration (observers: sync_40, sync_41, "
                        + "order_shipped, sync_43)");
    }

    @Test
    void aFromAfterTheDatabasesClockIsRefused() {
        assertThatThrownBy(() -> replay.plan(ChangeHistory.Stretch.between(Instant.parse("2001-02-03T05:00:00Z"),
                Instant.parse("2001-02-03T06:00:00Z"))))
                .isInstanceOf(ReplayHistory.Refused.class)
                .hasMessage("--from 2001-02-03T05:00:00Z is in the future (it is now 2001-02-03T04:05:06.789Z): "
                        + "nothing is recorded there yet; give a stretch that has begun");
    }

    @Test
    void aToPositionPastTheNewestIdIsMovedToItAndSaidTheSameWay() throws Exception {
        ReplayHistory.Plan plan = replay.plan(ChangeHistory.Stretch.positions(100, 5000));

        assertThat(plan.stretch()).isEqualTo(ChangeHistory.Stretch.positions(100, 120));
        assertThat(plan.note()).contains("--to-position 5000 is past the newest change_log id; replaying up to the "
                + "newest, 120, when the replay started (events written after it are not replayed: a later replay "
                + "can start there)");
        assertThat(plan.endNote()).isEqualTo(", the newest when the replay started");
    }

    @Test
    void aFromPositionPastTheNewestIdIsRefused() {
        assertThatThrownBy(() -> replay.plan(ChangeHistory.Stretch.positions(121, 130)))
                .isInstanceOf(ReplayHistory.Refused.class)
                .hasMessage("--from-position 121 is past the newest change_log id (it is 120): nothing is recorded "
                        + "there yet; give a stretch that has begun");
        assertThatThrownBy(() -> new ReplayHistory(new History(DATABASE_NOW, 0, List.of()), processEvent(List.of()))
                .plan(ChangeHistory.Stretch.positions(1, 2)))
                .hasMessage("--from-position 1: change_log holds no event (none was written yet, or retention "
                        + "deleted them all), so there is nothing to replay");
    }

    @Test
    void aStretchThatHasEndedIsReplayedAsAsked() throws Exception {
        ChangeHistory.Stretch byTime = ChangeHistory.Stretch.between(Instant.parse("2001-02-03T04:00:00Z"),
                Instant.parse("2001-02-03T04:05:00Z"));
        ChangeHistory.Stretch byPosition = ChangeHistory.Stretch.positions(1, 120);
        assertThat(replay.plan(byTime)).isEqualTo(new ReplayHistory.Plan(byTime, Optional.empty(), ""));
        assertThat(replay.plan(byPosition)).isEqualTo(new ReplayHistory.Plan(byPosition, Optional.empty(), ""));
    }

    /**
     * A row that cannot be read as an event is stepped over, named and counted, and the rest of the stretch runs:
     * one in the middle of a page, and a page made of such rows alone (whose next page must start past them).
     */
    @Test
    // A page that gave no place to go on from would be read for ever, deaf to interrupts: fail it from beside.
    @Timeout(value = 1, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void rowsThatCannotBeReadAreSkippedNamedAndCountedAndTheRestOfTheStretchRuns() throws Exception {
        ScriptedExecutor webhook = new ScriptedExecutor("webhook");
        Observer shop = new Observer("shop", "public.orders", Set.of(ChangeKind.values()), "", event -> true,
                List.of(new TestAction("webhook", "http://shop/hook")), RetryPolicy.DEFAULT);
        // Pages of three rows: [1, (2), 3] [(4), (5), (6)] [7]
        History history = new History(DATABASE_NOW, 7, List.of(row(1), unreadable(2), row(3), unreadable(4),
                unreadable(5), unreadable(6), row(7)));
        List<ChangeHistory.Unreadable> skipped = new ArrayList<>();

        ReplayHistory.Summary summary = new ReplayHistory(history, processEvent(List.of(shop), webhook))
                .replay("shop", ChangeHistory.Stretch.positions(1, 7), skipped::add);

        assertThat(webhook.requests).extracting(r -> r.event().position().offset()).containsExactly(1L, 3L, 7L);
        assertThat(skipped).extracting(ChangeHistory.Unreadable::id).containsExactly(2L, 4L, 5L, 6L);
        assertThat(skipped.getFirst().reason()).isEqualTo("row 2 is malformed");
        assertThat(summary).isEqualTo(new ReplayHistory.Summary(3, 3, 0, 0, 4));
    }

    /**
     * The summary says how each event the observer watched ended, as its processing ended it: every action delivered,
     * its condition false, or failed and dead-lettered (a receiver that refuses it, one that keeps failing through
     * every retry, a condition that fails on it). An event of a kind the observer does not watch is read, not run.
     */
    @Test
    void theSummaryCountsTheEventsDeliveredNotMatchingAndFailedAsTheirDeadLettersDo() throws Exception {
        ScriptedExecutor webhook = new ScriptedExecutor("webhook")
                .then(ActionResult.success("ok")) // event 1
                .then(ActionResult.Failure.permanentFailure("HTTP 422", null)); // event 3
        for (int attempt = 0; attempt < RetryPolicy.DEFAULT.maxAttempts(); attempt++) {
            webhook.then(ActionResult.Failure.transientFailure("HTTP 503", null)); // event 5, every attempt
        }
        Condition condition = event -> switch (event.entityId()) {
            case "o-2" -> false;
            case "o-4" -> throw new Condition.ConditionException("no such key 'total'", null);
            default -> true;
        };
        Observer shop = new Observer("shop", "public.orders", Set.of(ChangeKind.UPDATED), "", condition,
                List.of(new TestAction("webhook", "http://shop/hook")), RetryPolicy.DEFAULT);
        ChangeEvent created = Events.event(7, "o-7", ChangeKind.CREATED, null, Map.of("id", "o-7"));
        History history = new History(DATABASE_NOW, 7, List.of(row(1), row(2), row(3), row(4), row(5), row(6),
                created));
        InMemoryDeadLetters deadLetters = new InMemoryDeadLetters(new InMemoryDeliveries());

        ReplayHistory.Summary summary = new ReplayHistory(history, processEvent(List.of(shop), deadLetters, webhook))
                .replay("shop", ChangeHistory.Stretch.positions(1, 7), row -> { });

        assertThat(summary).isEqualTo(new ReplayHistory.Summary(7, 2, 1, 3, 0));
        assertThat(summary.replayed()).isEqualTo(6);
        assertThat(deadLetters.all()).extracting(l -> l.event().position().offset()).containsExactly(3L, 4L, 5L);
    }

    /**
     * A replay that loses its database between pages stops there and says how far it got: the events it finished,
     * counted, and the last change_log id done, after which the rest of the stretch begins.
     */
    @Test
    void aReplayCutShortSaysHowFarItGotAndWhatWasLeft() {
        ScriptedExecutor webhook = new ScriptedExecutor("webhook");
        Observer shop = new Observer("shop", "public.orders", Set.of(ChangeKind.values()), "", event -> true,
                List.of(new TestAction("webhook", "http://shop/hook")), RetryPolicy.DEFAULT);
        History rows = new History(DATABASE_NOW, 9, List.of(row(1), row(2), unreadable(3), row(4), row(5), row(9)));
        ChangeHistory lost = failingAfterFirstPage(rows,
                new IllegalStateException("cannot read change_log: Connection refused"));

        assertThatThrownBy(() -> new ReplayHistory(lost, processEvent(List.of(shop), webhook))
                .replay("shop", ChangeHistory.Stretch.positions(1, 9), row -> { }))
                .isInstanceOfSatisfying(ReplayHistory.CutShort.class, cut -> {
                    assertThat(cut).hasMessage("reading the stretch failed: cannot read change_log: Connection refused");
                    assertThat(cut.soFar()).isEqualTo(new ReplayHistory.Summary(2, 2, 0, 0, 1));
                    assertThat(cut.lastDone()).as("the first page's last row, unreadable, is done too").isEqualTo(3);
                    assertThat(cut.lastId()).isEqualTo(9);
                    assertThat(cut.running()).isZero();
                    assertThat(cut.interrupted()).isFalse();
                });
        assertThat(webhook.requests).extracting(r -> r.event().position().offset()).containsExactly(1L, 2L);
    }

    /** The database lost is named as such, the driver's or the pool's words after it, for the line to say first. */
    @Test
    void aReplayThatLosesItsDatabaseSaysWhichStoppedAnswering() {
        Observer shop = new Observer("shop", "public.orders", Set.of(ChangeKind.values()), "", event -> true,
                List.of(new TestAction("webhook", "http://shop/hook")), RetryPolicy.DEFAULT);
        History rows = new History(DATABASE_NOW, 9, List.of(row(1), row(2), unreadable(3), row(4), row(5), row(9)));
        DatabaseStoppedAnswering stopped = new DatabaseStoppedAnswering("PostgreSQL at "
                + "jdbc:postgresql://db:5432/app", "Connection is not available (Connection refused)",
                new IllegalStateException("Connection is not available"));

        assertThatThrownBy(() -> new ReplayHistory(failingAfterFirstPage(rows, stopped),
                processEvent(List.of(shop), new ScriptedExecutor("webhook")))
                .replay("shop", ChangeHistory.Stretch.positions(1, 9), row -> { }))
                .isInstanceOfSatisfying(ReplayHistory.CutShort.class, cut -> {
                    assertThat(cut).hasMessage("PostgreSQL at jdbc:postgresql://db:5432/app stopped answering; "
                            + "cause: Connection is not available (Connection refused)");
                    assertThat(cut.lostDatabase()).containsSame(stopped);
                    assertThat(cut.lastDone()).isEqualTo(3);
                    assertThat(cut.interrupted()).isFalse();
                });
    }

    /**
     * An action failing while the database is lost: its dead letter is tried once, not waited for, and the replay stops
     * at that event, not counted and not done, so that the resume runs it (before, the write was retried for ever).
     */
    @Test
    @Timeout(value = 1, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aDeadLetterThatCannotBeStoredStopsTheReplayAtItsEvent() {
        ScriptedExecutor webhook = new ScriptedExecutor("webhook").then(ActionResult.success("ok"))
                .then(ActionResult.success("ok")).then(ActionResult.Failure.permanentFailure("HTTP 422", null));
        Observer shop = new Observer("shop", "public.orders", Set.of(ChangeKind.values()), "", event -> true,
                List.of(new TestAction("webhook", "http://shop/hook")), RetryPolicy.DEFAULT);
        InMemoryDeadLetters deadLetters = new InMemoryDeadLetters(new InMemoryDeliveries());
        deadLetters.failNext(1_000); // as many as a replay could try while a test waits

        assertThatThrownBy(() -> new ReplayHistory(new History(DATABASE_NOW, 9, List.of(row(1), row(2), row(4),
                row(5))), processEvent(List.of(shop), deadLetters, webhook))
                .replay("shop", ChangeHistory.Stretch.positions(1, 9), row -> { }))
                .isInstanceOfSatisfying(ReplayHistory.CutShort.class, cut -> {
                    assertThat(cut.deadLetterNotStored()).hasValueSatisfying(what -> assertThat(what).isEqualTo(
                            "its webhook failed for observer shop (HTTP 422) and its dead letter could not be stored"));
                    assertThat(cut.soFar()).as("the event stopped at is not counted")
                            .isEqualTo(new ReplayHistory.Summary(3, 2, 0, 0, 0));
                    assertThat(cut.lastDone()).isEqualTo(2);
                    assertThat(cut.running()).isEqualTo(4);
                    assertThat(cut.lostDatabase()).isEmpty();
                });
        assertThat(deadLetters.all()).isEmpty();
        assertThat(webhook.requests).extracting(r -> r.event().position().offset()).containsExactly(1L, 2L, 4L);
    }

    /**
     * The database lost by the checks before the first event (the present, retention's horizon) stops the replay as
     * one lost later does, before its first event: the whole stretch is the rest.
     */
    @Test
    void aDatabaseLostBeforeTheFirstEventStopsTheReplayBeforeIt() {
        DatabaseStoppedAnswering stopped = new DatabaseStoppedAnswering("PostgreSQL at "
                + "jdbc:postgresql://db:5432/app", "Connection refused", new IllegalStateException("refused"));
        ChangeHistory lost = failingAfterFirstPage(new History(DATABASE_NOW, 9, List.of()), stopped, true);
        Observer shop = new Observer("shop", "public.orders", Set.of(ChangeKind.values()), "", event -> true,
                List.of(new TestAction("webhook", "http://shop/hook")), RetryPolicy.DEFAULT);
        ReplayHistory replay = new ReplayHistory(lost, processEvent(List.of(shop)));

        assertThatThrownBy(() -> replay.plan(ChangeHistory.Stretch.positions(3, 9)))
                .isInstanceOfSatisfying(ReplayHistory.CutShort.class, cut -> {
                    assertThat(cut.lostDatabase()).containsSame(stopped);
                    assertThat(cut.lastDone()).isEqualTo(2);
                    assertThat(cut.lastId()).isEqualTo(9);
                });
        assertThatThrownBy(() -> replay.replay("shop", ChangeHistory.Stretch.between(DATABASE_NOW.minusSeconds(60),
                DATABASE_NOW), row -> { }))
                .isInstanceOfSatisfying(ReplayHistory.CutShort.class, cut -> {
                    assertThat(cut.lostDatabase()).containsSame(stopped);
                    assertThat(cut.soFar()).isEqualTo(new ReplayHistory.Summary(0, 0, 0, 0, 0));
                    assertThat(cut.lastDone()).isZero();
                    assertThat(cut.running()).isZero();
                });
    }

    private static ChangeHistory failingAfterFirstPage(History rows, RuntimeException failure) {
        return failingAfterFirstPage(rows, failure, false);
    }

    /** {@code rows}, whose pages after the first fail with {@code failure}: the database lost between pages;
     * every read failing from the first when {@code always}. */
    private static ChangeHistory failingAfterFirstPage(History rows, RuntimeException failure, boolean always) {
        return new ChangeHistory() {
            @Override
            public Present present() {
                if (always) {
                    throw failure;
                }
                return rows.present();
            }

            @Override
            public Page read(Stretch stretch, String entityType, long afterId, int limit) {
                if (afterId > 0 || always) {
                    throw failure;
                }
                return rows.read(stretch, entityType, afterId, limit);
            }

            @Override
            public long lastId(Stretch stretch, String entityType) {
                return rows.lastId(stretch, entityType);
            }

            @Override
            public Optional<String> removedPart(Stretch stretch) {
                if (always) {
                    throw failure;
                }
                return Optional.empty();
            }
        };
    }

    private static ChangeEvent row(long id) {
        return Events.updated(id, "o-" + id, "paid", "shipped");
    }

    private static ChangeHistory.Unreadable unreadable(long id) {
        return new ChangeHistory.Unreadable(id, "row " + id + " is malformed");
    }

    private static ProcessEvent processEvent(List<Observer> observers, ActionExecutor... executors) {
        return processEvent(observers, new InMemoryDeadLetters(new InMemoryDeliveries()), executors);
    }

    private static ProcessEvent processEvent(List<Observer> observers, InMemoryDeadLetters deadLetters,
                                             ActionExecutor... executors) {
        RecordingTracer tracer = new RecordingTracer();
        return new ProcessEvent("test", tracer, tracer, TracingSettings.defaults(), observers,
                new ActionExecutors(List.of(executors)), deadLetters, new InMemoryDeliveries(), Metrics.NOOP,
                duration -> { }, () -> 0.5, Clock.systemUTC());
    }

    /**
     * A change history at a fixed present that holds {@code rows} (events, and rows that cannot be read as events:
     * {@link ChangeHistory.Unreadable}) and reads them three a page, as a page that ends at its bytes would.
     */
    private record History(Instant now, long newestId, List<Object> rows) implements ChangeHistory {
        @Override
        public ChangeHistory.Present present() {
            return new ChangeHistory.Present(now, newestId);
        }

        @Override
        public Page read(Stretch stretch, String entityType, long afterId, int limit) {
            List<Object> page = rows.stream().filter(r -> id(r) > afterId).limit(Math.min(limit, 3)).toList();
            return new Page(page.stream().filter(ChangeEvent.class::isInstance).map(ChangeEvent.class::cast).toList(),
                    page.isEmpty() ? afterId : id(page.getLast()),
                    page.stream().filter(Unreadable.class::isInstance).map(Unreadable.class::cast).toList());
        }

        @Override
        public long lastId(Stretch stretch, String entityType) {
            return rows.isEmpty() ? 0 : id(rows.getLast());
        }

        private static long id(Object row) {
            return row instanceof ChangeEvent event ? event.position().offset() : ((Unreadable) row).id();
        }

        @Override
        public Optional<String> removedPart(Stretch stretch) {
            return Optional.empty();
        }
    }
}
