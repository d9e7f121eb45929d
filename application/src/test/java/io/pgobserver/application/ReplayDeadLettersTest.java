package io.pgobserver.application;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.observer.Condition;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.observer.RetryPolicy;
import io.pgobserver.domain.port.ActionExecutor;
import io.pgobserver.domain.port.ActionRequest;
import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.DeadLetter;
import io.pgobserver.domain.port.DeadLetters;
import io.pgobserver.domain.port.Deliveries;
import io.pgobserver.domain.port.DeliveryKey;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.spi.DeadLetterReplay;
import io.pgobserver.domain.testing.Events;
import io.pgobserver.domain.testing.InMemoryDeadLetters;
import io.pgobserver.domain.testing.InMemoryDeliveries;
import io.pgobserver.domain.testing.RecordingTracer;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.TraceContext;
import io.pgobserver.domain.testing.TestAction;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ReplayDeadLettersTest {

    private static final TraceContext ORIGINAL =
            TraceContext.parse("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01").orElseThrow();

    private final RecordingTracer tracer = new RecordingTracer();
    private final InMemoryDeadLetters deadLetters = new InMemoryDeadLetters();
    private final ScriptedExecutor webhook = new ScriptedExecutor("webhook");
    private final Observer observer = new Observer("hook", "public.orders", Set.of(ChangeKind.UPDATED), "",
            Condition.ALWAYS, List.of(new TestAction("webhook", "http://localhost:1/h")), RetryPolicy.NONE);

    private ReplayDeadLetters replay(List<Observer> observers) {
        return new ReplayDeadLetters("test", deadLetters, tracer, observers, new ActionExecutors(List.of(webhook)),
                Metrics.NOOP, d -> { }, () -> 0.5);
    }

    private long letter(String observerName, int index) {
        return letter("test", observerName, index, "webhook-" + index);
    }

    private long letter(String consumer, String observerName, int index, String actionKey) {
        ChangeEvent event = Events.updated(3, "o-1", "paid", "shipped").withTraceContext(ORIGINAL);
        return deadLetters.add(new DeadLetter(0, consumer, event, observerName, index, actionKey, "webhook",
                "HTTP 500", 5, Instant.now()));
    }

    @Test
    void aDeliveredReplayLeavesTheQueueAndLinksToTheOriginalTrace() throws Exception {
        long id = letter("hook", 0);
        ReplayDeadLetters.Result result = replay(List.of(observer)).replay(id);

        assertThat(result.delivered()).isTrue();
        assertThat(deadLetters.find("test", id)).isEmpty();
        RecordingTracer.RecordedSpan root = tracer.roots().getFirst();
        assertThat(root.name).isEqualTo("replay_dead_letter");
        assertThat(root.link).isEqualTo(ORIGINAL);
        assertThat(root.traceId).isNotEqualTo(ORIGINAL.traceId());
        assertThat(tracer.children(root)).extracting(s -> s.name).containsExactly("execute_action");
        // The receiver sees the same delivery id as the original attempts: it can de-duplicate.
        assertThat(webhook.requests.getFirst().deliveryId()).isEqualTo(DeliveryKey.of("test",
                Events.updated(3, "o-1", "paid", "shipped"), "hook", "webhook-0").id());
    }

    /**
     * An action edited since its letter was written (an action without an id: is keyed by its settings, so a new
     * URL gives it a new key) is found by its index, and the replay sends the id of the failed attempts: a
     * receiver that processed an attempt whose answer timed out can still tell it is the same delivery.
     */
    @Test
    void aReplayOfAnEditedActionSendsTheIdOfItsFailedAttempts() throws Exception {
        long id = letter("test", "hook", 0, "h-its-settings-before-the-edit");
        ReplayDeadLetters.Result result = replay(List.of(observer)).replay(id);

        assertThat(result.delivered()).isTrue();
        assertThat(webhook.requests.getFirst().deliveryId()).isEqualTo(DeliveryKey.of("test",
                Events.updated(3, "o-1", "paid", "shipped"), "hook", "h-its-settings-before-the-edit").id());
    }

    @Test
    void aStillFailingReplayStaysInTheQueue() throws Exception {
        webhook.then(ActionResult.Failure.transientFailure("HTTP 503", null));
        long id = letter("hook", 0);
        ReplayDeadLetters.Result result = replay(List.of(observer)).replay(id);
        assertThat(result.delivered()).isFalse();
        assertThat(result.message()).contains("HTTP 503");
        assertThat(deadLetters.find("test", id)).isPresent();
        assertThat(tracer.roots().getFirst().error()).contains("HTTP 503");
    }

    @Test
    void aLetterWhoseConditionStillFailsStaysAndSaysWhyOnce() throws Exception {
        Observer broken = new Observer("hook", "public.orders", Set.of(ChangeKind.UPDATED), "after.total > 1",
                event -> {
                    throw new Condition.ConditionException("at '> 1': no such overload", null);
                }, List.of(new TestAction("webhook", "http://localhost:1/h")), RetryPolicy.NONE);
        long id = letter("test", "hook", -1, DeliveryKey.CONDITION);
        ReplayDeadLetters.Result result = replay(List.of(broken)).replay(id);
        assertThat(result.delivered()).isFalse();
        assertThat(result.message()).isEqualTo("condition of observer 'hook' still fails on event "
                + deadLetters.find("test", id).orElseThrow().event().id() + ": at '> 1': no such overload; the letter "
                + "stays");
        assertThat(webhook.requests).isEmpty();
    }

    @Test
    void aLetterOfARemovedObserverStays() throws Exception {
        long id = letter("gone", 0);
        ReplayDeadLetters.Result result = replay(List.of(observer)).replay(id);
        assertThat(result.delivered()).isFalse();
        assertThat(result.message()).contains("no longer configured", "put the observer back to replay it",
                "remove the letter with `dlq delete --id " + id + "`");
        assertThat(deadLetters.find("test", id)).isPresent();
        assertThat(webhook.requests).isEmpty();
    }

    @Test
    void aLetterOfARemovedActionStaysAndSaysHowToRemoveIt() throws Exception {
        long id = letter("test", "hook", 3, "a-removed-action");
        ReplayDeadLetters.Result result = replay(List.of(observer)).replay(id);
        assertThat(result.delivered()).isFalse();
        assertThat(result.message()).contains("observer 'hook' no longer has action #3",
                "put the action back to replay it, or remove the letter with `dlq delete --id " + id + "`");
        assertThat(deadLetters.find("test", id)).isPresent();
        assertThat(webhook.requests).isEmpty();
    }

    @Test
    void theActionIsFoundByItsKeyWhenOthersWereInsertedBeforeIt() throws Exception {
        ScriptedExecutor slack = new ScriptedExecutor("slack");
        Observer reordered = new Observer("hook", "public.orders", Set.of(ChangeKind.UPDATED), "", Condition.ALWAYS,
                List.of(new TestAction("slack", "#c"),
                        new TestAction("webhook", "http://localhost:1/h")),
                List.of("new-slack", "the-hook"), RetryPolicy.NONE);
        long id = letter("test", "hook", 0, "the-hook");
        ReplayDeadLetters.Result result = new ReplayDeadLetters("test", deadLetters, tracer, List.of(reordered),
                new ActionExecutors(List.of(webhook, slack)), Metrics.NOOP, d -> { }, () -> 0.5).replay(id);
        assertThat(result.delivered()).isTrue();
        assertThat(webhook.requests).hasSize(1);
        assertThat(slack.requests).isEmpty();
    }

    @Test
    void anotherConsumersLettersAreNotReplayed() throws Exception {
        long theirs = letter("other", "hook", 0, "webhook-0");
        assertThat(replay(List.of(observer)).replay(theirs).delivered()).isFalse();
        assertThat(deadLetters.find("other", theirs)).isPresent();
        assertThat(webhook.requests).isEmpty();
    }

    @Test
    void theListenersAndThePipelinesOwnLettersSayWhatTheyAreAndStay() throws Exception {
        long unreadable = letter("test", DeadLetter.UNREADABLE_ROW, -1, "decode");
        long unprocessable = letter("test", ProcessEvent.UNPROCESSABLE.observer(), -1, "process");

        assertThat(replay(List.of(observer)).replay(unreadable).message())
                .contains("change_log row 3 could not be read as an event", "`dlq delete --id " + unreadable + "`")
                .doesNotContain("no longer configured");
        assertThat(replay(List.of(observer)).replay(unprocessable).message())
                .contains("could not be processed for any observer")
                .contains("replay --observer NAME --from-position 3 --to-position 3")
                .contains("then remove the letter with `dlq delete --id " + unprocessable + "`");
        assertThat(deadLetters.find("test", unreadable)).isPresent();
        assertThat(deadLetters.find("test", unprocessable)).isPresent();
        assertThat(webhook.requests).isEmpty();
    }

    @Test
    void anUnknownIdIsReported() throws Exception {
        ReplayDeadLetters.Result result = replay(List.of(observer)).replay(999);
        assertThat(result.message()).contains("no dead letter with id 999");
        assertThat(result.outcome()).isEqualTo(DeadLetterReplay.Outcome.GONE);
    }

    /** Two replays of one letter at once ran its action twice: the second now runs nothing, and says why. */
    @Test
    void aLetterAnotherReplayIsRunningIsNotRunAgainAndStays() throws Exception {
        long id = letter("hook", 0);
        ReplayDeadLetters.Result result;
        try (DeadLetters.Claim other = deadLetters.claim(id).orElseThrow()) {
            result = replay(List.of(observer)).replay(id);
        }
        assertThat(result.outcome()).isEqualTo(DeadLetterReplay.Outcome.REPLAYED_ELSEWHERE);
        assertThat(result.delivered()).isFalse();
        assertThat(result.message()).startsWith("being replayed by another session (this process, since ")
                .endsWith("; not run again here: it stays in the queue until that replay ends, delivered or not");
        assertThat(webhook.requests).isEmpty();
        assertThat(tracer.roots()).as("no replay span: nothing ran").isEmpty();
        assertThat(deadLetters.find("test", id)).isPresent();

        assertThat(replay(List.of(observer)).replay(id).delivered()).as("once the claim is closed").isTrue();
        assertThat(webhook.requests).hasSize(1);
    }

    /** The replay that held the claim delivered and removed the letter just before this one got it. */
    @Test
    void aLetterRemovedBeforeItsClaimIsGoneNotMissing() throws Exception {
        long id = letter("hook", 0);
        DeadLetters racing = new Delegating() {
            @Override
            public Optional<Claim> claim(long claimed) {
                deadLetters.remove(claimed);
                return super.claim(claimed);
            }
        };
        ReplayDeadLetters.Result result = new ReplayDeadLetters("test", racing, tracer, List.of(observer),
                new ActionExecutors(List.of(webhook)), Metrics.NOOP, d -> { }, () -> 0.5).replay(id);
        assertThat(result.outcome()).isEqualTo(DeadLetterReplay.Outcome.GONE);
        assertThat(result.message()).isEqualTo("already replayed or deleted by another session: no longer in the "
                + "queue; not run here");
        assertThat(webhook.requests).isEmpty();
        assertThat(deadLetters.claim(id)).as("the claim was closed").isPresent();
    }

    /**
     * {@code dlq replay --id} found the letter before its replay: the replay reads it once, after its claim, where it
     * read it before the claim too. One gone since the caller found it was replayed or deleted by another session.
     */
    @Test
    void aLetterItsCallerFoundIsReadOnceAfterItsClaim() throws Exception {
        long id = letter("hook", 0);
        List<String> calls = new ArrayList<>();
        DeadLetters watched = new Delegating() {
            @Override
            public Optional<DeadLetter> find(String consumer, long found) {
                calls.add("find");
                return super.find(consumer, found);
            }

            @Override
            public Optional<Claim> claim(long claimed) {
                calls.add("claim");
                return super.claim(claimed);
            }
        };
        ReplayDeadLetters replay = new ReplayDeadLetters("test", watched, tracer, List.of(observer),
                new ActionExecutors(List.of(webhook)), Metrics.NOOP, d -> { }, () -> 0.5);

        assertThat(replayedFound(replay, id, new ReplayStop()).delivered()).isTrue();
        assertThat(calls).containsExactly("claim", "find");
        ReplayDeadLetters.Result again = replayedFound(replay, id, new ReplayStop());
        assertThat(again.outcome()).isEqualTo(DeadLetterReplay.Outcome.GONE);
        assertThat(again.message()).isEqualTo("already replayed or deleted by another session: no longer in the "
                + "queue; not run here");
        assertThat(webhook.requests).hasSize(1);
    }

    /**
     * A queue longer than a page is read a page at a time, never whole, each letter replayed once, oldest first; a
     * letter removed meanwhile by another replay is not seen, and one added meanwhile is left for the next replay.
     */
    @Test
    void theWholeQueueIsReplayedAPageAtATimeUpToTheLastIdAtTheStart() throws Exception {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 2 * ReplayDeadLetters.PAGE + 50; i++) {
            ids.add(letter("hook", 0));
        }
        List<Integer> pagesRead = new ArrayList<>();
        DeadLetters paged = listing((limit, after) -> pagesRead.add(limit));
        ReplayDeadLetters replay = replaying(paged);
        List<ReplayDeadLetters.Result> results = new ArrayList<>();
        long[] added = new long[1];
        replay.replayUpTo(paged.lastId("test"), result -> {
            if (results.isEmpty()) {
                deadLetters.remove(ids.getLast());
                added[0] = letter("hook", 0);
            }
            results.add(result);
        }, new ReplayStop());

        assertThat(results).extracting(ReplayDeadLetters.Result::id)
                .containsExactlyElementsOf(ids.subList(0, ids.size() - 1));
        assertThat(results).allMatch(ReplayDeadLetters.Result::delivered);
        assertThat(pagesRead).as("list calls' limits").containsExactly(ReplayDeadLetters.PAGE, ReplayDeadLetters.PAGE,
                ReplayDeadLetters.PAGE);
        assertThat(deadLetters.all()).extracting(DeadLetter::id).as("the letter added meanwhile")
                .containsExactly(added[0]);
    }

    /**
     * A stop (SIGINT, SIGTERM of {@code dlq replay}) during a letter's attempt lets that attempt end: its answer
     * decides, so a delivered letter leaves the queue, a failed one stays without a retry or its wait, and no letter
     * after it is come to. Before, the stop interrupted the attempt once the receiver had taken the request.
     */
    @Test
    void aStopLetsTheAttemptUnderWayEndAndComesToNoFurtherLetterNorRetry() throws Exception {
        Observer retrying = new Observer("hook", "public.orders", Set.of(ChangeKind.UPDATED), "", Condition.ALWAYS,
                List.of(new TestAction("webhook", "http://localhost:1/h")), RetryPolicy.DEFAULT);
        List<Long> ids = List.of(letter("hook", 0), letter("hook", 0), letter("hook", 0));
        ReplayStop[] stop = {new ReplayStop()};
        List<Duration> waits = new ArrayList<>();
        ReplayDeadLetters replay = new ReplayDeadLetters("test", deadLetters, tracer, List.of(retrying),
                new ActionExecutors(List.of(stoppedDuring(() -> stop[0]))), Metrics.NOOP, waits::add, () -> 0.5);
        List<ReplayDeadLetters.Result> results = new ArrayList<>();

        assertThat(replay.replayUpTo(ids.getLast(), results::add, stop[0])).as("came to every letter").isFalse();
        assertThat(results).extracting(ReplayDeadLetters.Result::id).containsExactly(ids.getFirst());
        assertThat(results.getFirst().delivered()).isTrue();
        assertThat(deadLetters.all()).extracting(DeadLetter::id).containsExactlyElementsOf(ids.subList(1, 3));

        webhook.then(ActionResult.Failure.transientFailure("HTTP 503", null));
        stop[0] = new ReplayStop();
        ReplayDeadLetters.Result failed = replayedFound(replay, ids.get(1), stop[0]);
        assertThat(failed.delivered()).isFalse();
        assertThat(failed.message()).isEqualTo("not delivered: stopped before it was, and no attempt was begun after "
                + "the stop; it stays in the queue");
        assertThat(webhook.requests).as("attempts").hasSize(2);
        assertThat(waits).as("retry waits").isEmpty();
        assertThat(deadLetters.find("test", ids.get(1))).isPresent();
    }

    /**
     * A stop that comes after a letter is claimed and before its first attempt (the signal a moment after the letter
     * before it ended) sends nothing of it: a replay of the queue leaves it unsaid, as the letters after it, and ends
     * its claim; one asked for by id says it, not delivered. Its span's outcome is {@code stopped}, not an error.
     * Before, the queue's replay said it "not delivered" and counted it among the letters replayed, as if the stop
     * had cut a delivery.
     */
    @Test
    void aStopBetweenALettersClaimAndItsFirstAttemptLeavesItAsNotComeTo() throws Exception {
        List<Long> ids = List.of(letter("hook", 0), letter("hook", 0), letter("hook", 0));
        ReplayStop[] stop = {new ReplayStop()};
        DeadLetters stoppedAtSecondClaim = new Delegating() {
            @Override
            public Optional<Claim> claim(long id) {
                if (id != ids.getFirst()) {
                    stop[0].request();
                }
                return super.claim(id);
            }
        };
        List<ReplayDeadLetters.Result> results = new ArrayList<>();

        boolean cameToAll = replaying(stoppedAtSecondClaim).replayUpTo(ids.getLast(), results::add, stop[0]);

        assertThat(cameToAll).isFalse();
        assertThat(results).extracting(ReplayDeadLetters.Result::id).containsExactly(ids.getFirst());
        assertThat(webhook.requests).as("attempts").hasSize(1);
        assertThat(deadLetters.all()).extracting(DeadLetter::id).containsExactlyElementsOf(ids.subList(1, 3));
        RecordingTracer.RecordedSpan notComeTo = tracer.roots().getLast();
        assertThat(notComeTo.attribute("dead_letter_id")).isEqualTo(ids.get(1));
        assertThat(notComeTo.attribute("outcome")).isEqualTo("stopped");
        assertThat(notComeTo.error()).as("no error: nothing was sent").isNull();
        assertThat(notComeTo.events()).containsExactly("stopped before its first attempt: nothing was sent; the "
                + "letter stays in the queue");
        assertThat(tracer.children(notComeTo)).as("no attempt").isEmpty();
        Optional<DeadLetters.Claim> again = deadLetters.claim(ids.get(1));
        assertThat(again).as("its claim was ended").isPresent();
        again.get().close();

        stop[0] = new ReplayStop();
        ReplayDeadLetters.Result asked = replayedFound(replaying(stoppedAtSecondClaim), ids.get(1), stop[0]);
        assertThat(asked.delivered()).isFalse();
        assertThat(asked.message()).isEqualTo("not delivered: stopped before it was, and no attempt was begun after "
                + "the stop; it stays in the queue");
        assertThat(webhook.requests).as("attempts").hasSize(1);
    }

    /**
     * A stop during the last letter of a page reads no further page: that read waited for the database after the
     * stop, where nothing ends it at once (a database that does not answer held the stopped replay until a second
     * signal), to come to no letter of it.
     */
    @Test
    void aStopDuringAPagesLastLetterReadsNoFurtherPage() throws Exception {
        for (int i = 0; i <= ReplayDeadLetters.PAGE; i++) {
            letter("hook", 0);
        }
        List<Long> pagesRead = new ArrayList<>();
        DeadLetters paged = listing((limit, after) -> pagesRead.add(after));
        ReplayDeadLetters replay = replaying(paged);
        ReplayStop stop = new ReplayStop();
        List<ReplayDeadLetters.Result> results = new ArrayList<>();

        boolean cameToAll = replay.replayUpTo(paged.lastId("test"), result -> {
            results.add(result);
            if (results.size() == ReplayDeadLetters.PAGE) {
                stop.request();
            }
        }, stop);

        assertThat(cameToAll).isFalse();
        assertThat(results).hasSize(ReplayDeadLetters.PAGE);
        assertThat(pagesRead).as("pages read, each after this id").containsExactly(0L);
    }

    /**
     * The stop lets the attempt under way end, so a refusal it brings is said as the refusal, not as a stop: the
     * operator learns what to fix. Before, the stop made the answer "stopped before it was" (and the span "attempt
     * cut off"), as if it had cut the request.
     */
    @Test
    void aRefusalAnsweredAfterTheStopIsSaidAsTheRefusal() throws Exception {
        long id = letter("hook", 0);
        ReplayStop stop = new ReplayStop();
        webhook.then(ActionResult.Failure.permanentFailure("HTTP 404 (not retried: correct the action's url)", null));
        Observer retrying = new Observer("hook", "public.orders", Set.of(ChangeKind.UPDATED), "", Condition.ALWAYS,
                List.of(new TestAction("webhook", "http://localhost:1/h")), RetryPolicy.DEFAULT);
        ReplayDeadLetters replay = new ReplayDeadLetters("test", deadLetters, tracer, List.of(retrying),
                new ActionExecutors(List.of(stoppedDuring(() -> stop))), Metrics.NOOP, wait -> { }, () -> 0.5);

        ReplayDeadLetters.Result result = replayedFound(replay, id, stop);

        assertThat(result.delivered()).isFalse();
        assertThat(result.message()).isEqualTo("still failing after 1 attempt(s): HTTP 404 (not retried: correct the "
                + "action's url)");
        assertThat(deadLetters.find("test", id)).isPresent();
    }

    /**
     * A condition's letter whose first action the pipeline delivered meanwhile (its event run again after a restart)
     * finds it settled in the delivery log and does not send it again; its line says what the log knows, not who
     * delivered it. Before, it said "delivered by an earlier replay", which no replay had.
     */
    @Test
    void anActionOfAConditionsLetterSettledMeanwhileIsSaidSettledInTheDeliveryLogNotByAReplay() throws Exception {
        InMemoryDeliveries log = new InMemoryDeliveries();
        long id = letter("test", "hook", -1, DeliveryKey.CONDITION);
        log.record(DeliveryKey.of("test", Events.updated(3, "o-1", "paid", "shipped"), "hook", "first").id());

        ReplayDeadLetters.Result result = replayOfTwoActions(deadLetters, log).replay(id);

        assertThat(result.message()).isEqualTo("delivered (action #0 (webhook) already settled in the delivery log "
                + "(delivered by the pipeline or an earlier replay, or a dead letter of its own), not sent again; "
                + "action #1 (webhook) delivered, the next replay skips it)");
        assertThat(webhook.requests).extracting(ActionRequest::deliveryId).containsExactly(DeliveryKey.of("test",
                Events.updated(3, "o-1", "paid", "shipped"), "hook", "second").id());
    }

    /**
     * A stop while the database holds the delivery log's read or write of a condition's letter, or the end of a
     * letter's claim, ends the replay at once naming that call once it has not answered, as a stop in the queue's
     * statements does; the letter's line is handed on before its claim ends. Before, none of these calls was watched:
     * a database that did not answer held the stopped replay until a second signal.
     */
    @Test
    void aStopWhileTheDatabaseHoldsTheDeliveryLogOrTheClaimsEndEndsTheReplayAtOnceNamingIt() throws Exception {
        assertThat(endedAtOnceWhileHeldIn("settled")).singleElement().asString()
                .startsWith("reading which actions of letter ").endsWith("none was sent: it stays in the queue");
        assertThat(endedAtOnceWhileHeldIn("record")).singleElement().asString()
                .startsWith("recording action #0 (webhook) of letter ").contains("the next replay may send that "
                        + "action again");
        assertThat(endedAtOnceWhileHeldIn("close")).singleElement().asString()
                .startsWith("ending the claim on letter ").contains("as its line says");
    }

    /**
     * As the test above, for the delivery log's calls an email action makes in its attempt: it reads the recipients a
     * former attempt reached before it sends, and records those it reached when others are refused. Before, neither
     * was watched: a database holding the delivery log held the stopped replay until a second signal.
     */
    @Test
    void aStopWhileTheDatabaseHoldsTheDeliveryLogForAnEmailsRecipientsEndsTheReplayAtOnceNamingIt()
            throws Exception {
        java.util.function.BiFunction<DeadLetters, Deliveries, ReplayDeadLetters> replay = mailing(() -> { });

        assertThat(endedAtOnceWhileHeldIn("settled", replay, letter("hook", 0))).singleElement().asString()
                .startsWith("reading which recipients of an email ").endsWith("its letter stays in the queue");
        assertThat(endedAtOnceWhileHeldIn("record", replay, letter("hook", 0))).singleElement().asString()
                .startsWith("recording the recipients an email reached ").contains("send them the mail again");
    }

    /**
     * As the test above, with the signal just after the email's attempt began, before its calls to the delivery log:
     * a call begun after the stop was not watched, and a database holding it held the stopped replay until a second
     * signal.
     */
    @Test
    void aStopJustBeforeAnEmailsCallsToTheDeliveryLogEndsTheReplayAtOnceWhenTheDatabaseHoldsThem() throws Exception {
        java.util.function.BiFunction<DeadLetters, Deliveries, ReplayDeadLetters> replay =
                mailing(() -> signalled.request()); // the signal, the attempt under way

        assertThat(endedAtOnceWhileHeldIn("settled", replay, letter("hook", 0))).singleElement().asString()
                .startsWith("reading which recipients of an email ");
        assertThat(endedAtOnceWhileHeldIn("record", replay, letter("hook", 0))).singleElement().asString()
                .startsWith("recording the recipients an email reached ");
    }

    /**
     * A replay whose action mails as an email action does: it reads the recipients a former attempt reached, reaches
     * one of two and is refused the other; {@code asItBegins} runs as each attempt begins.
     */
    private java.util.function.BiFunction<DeadLetters, Deliveries, ReplayDeadLetters> mailing(Runnable asItBegins) {
        ActionExecutor mailing = new ActionExecutor() {
            @Override
            public String type() {
                return "webhook";
            }

            @Override
            public ActionResult execute(ActionRequest request, Span span) {
                asItBegins.run();
                request.doneParts().of(List.of("a@example.com", "b@example.com"));
                request.doneParts().add(List.of("a@example.com"));
                return ActionResult.Failure.transientFailure("550 b@example.com refused", null);
            }
        };
        return (letters, log) -> new ReplayDeadLetters("test", letters, tracer, List.of(observer),
                new ActionExecutors(List.of(mailing)), Metrics.NOOP, d -> { }, () -> 0.5, log);
    }

    private List<String> endedAtOnceWhileHeldIn(String held) throws Exception {
        return endedAtOnceWhileHeldIn(held, this::replayOfTwoActions, letter("test", "hook", -1,
                DeliveryKey.CONDITION));
    }

    /** The stop of the replay {@link #endedAtOnceWhileHeldIn} runs, for an action that signals it. */
    private volatile ReplayStop signalled;

    /**
     * What a stop ended at once in a replay of letter {@code id} whose {@code held} call (the delivery log's
     * {@code settled} or {@code record}, the claim's {@code close}) the database does not answer until it is.
     */
    private List<String> endedAtOnceWhileHeldIn(String held,
                                                java.util.function.BiFunction<DeadLetters, Deliveries,
                                                        ReplayDeadLetters> replay, long id) throws Exception {
        List<String> endedAtOnce = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
        ReplayStop stop = new ReplayStop(what -> {
            if (ended.getCount() > 0) { // the first ends the process: the calls after it never come
                endedAtOnce.add(what);
            }
            ended.countDown();
        }, Duration.ofMillis(1));
        signalled = stop;
        List<ReplayDeadLetters.Result> results = new ArrayList<>();
        java.util.function.Consumer<String> hold = call -> {
            if (call.equals(held)) {
                if (!stop.requested()) {
                    stop.request(); // the signal, as the call waits, unless it came before the call began
                }
                try {
                    // A database that does not answer: held until the stop ends the replay (the process, in dlq
                    // replay), or for 30 s here, after which a stop that never ended it shows as nothing ended.
                    ended.await(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
        };
        InMemoryDeliveries log = new InMemoryDeliveries();
        Deliveries holding = new Deliveries() {
            @Override
            public Set<String> settled(java.util.Collection<String> ids) {
                hold.accept("settled");
                return log.settled(ids);
            }

            @Override
            public void record(CheckpointStore.Fence fence, long offset, java.util.Collection<String> ids)
                    throws CheckpointStore.FencedException {
                hold.accept("record");
                log.record(fence, offset, ids);
            }
        };
        DeadLetters claims = new Delegating() {
            @Override
            public Optional<Claim> claim(long id) {
                return super.claim(id).map(claim -> () -> {
                    assertThat(results).as("the letter's line, before its claim ends").hasSize(1);
                    hold.accept("close");
                    claim.close();
                });
            }
        };
        replay.apply(claims, holding).replayFound(id, stop, results::add);
        return endedAtOnce;
    }

    /** A replay by an observer of two webhooks, keyed {@code first} and {@code second}, with this delivery log. */
    private ReplayDeadLetters replayOfTwoActions(DeadLetters letters, Deliveries log) {
        Observer two = new Observer("hook", "public.orders", Set.of(ChangeKind.UPDATED), "", Condition.ALWAYS,
                List.of(new TestAction("webhook", "http://localhost:1/a"), new TestAction("webhook",
                        "http://localhost:1/b")), List.of("first", "second"), RetryPolicy.NONE);
        return new ReplayDeadLetters("test", letters, tracer, List.of(two), new ActionExecutors(List.of(webhook)),
                Metrics.NOOP, d -> { }, () -> 0.5, log);
    }

    /** What {@link ReplayDeadLetters#replayFound} hands on: the letter's one result. */
    private static ReplayDeadLetters.Result replayedFound(ReplayDeadLetters replay, long id, ReplayStop stop)
            throws InterruptedException {
        List<ReplayDeadLetters.Result> results = new ArrayList<>();
        replay.replayFound(id, stop, results::add);
        assertThat(results).hasSize(1);
        return results.getFirst();
    }

    /** The test's store, telling {@code read} each page read: the id it is after and its limit. */
    private DeadLetters listing(java.util.function.ObjLongConsumer<Integer> read) {
        return new Delegating() {
            @Override
            public List<DeadLetter> list(String consumer, long after, int limit) {
                read.accept(limit, after);
                return super.list(consumer, after, limit);
            }
        };
    }

    /** A replay of {@code letters} by the test's observer and webhook. */
    private ReplayDeadLetters replaying(DeadLetters letters) {
        return new ReplayDeadLetters("test", letters, tracer, List.of(observer), new ActionExecutors(List.of(webhook)),
                Metrics.NOOP, d -> { }, () -> 0.5);
    }

    /** The test's webhook, with the stop's signal coming while the receiver works on each request. */
    private ActionExecutor stoppedDuring(java.util.function.Supplier<ReplayStop> stop) {
        return new ActionExecutor() {
            @Override
            public String type() {
                return "webhook";
            }

            @Override
            public ActionResult execute(ActionRequest request, Span span) {
                stop.get().request();
                return webhook.execute(request, span);
            }
        };
    }

    /** The test's store, for a test to watch or change one call. */
    private class Delegating implements DeadLetters {
        @Override
        public long add(CheckpointStore.Fence fence, DeadLetter letter) throws CheckpointStore.FencedException {
            return deadLetters.add(fence, letter);
        }

        @Override
        public List<DeadLetter> list(String consumer, long after, int limit) {
            return deadLetters.list(consumer, after, limit);
        }

        @Override
        public long lastId(String consumer) {
            return deadLetters.lastId(consumer);
        }

        @Override
        public Optional<DeadLetter> find(String consumer, long id) {
            return deadLetters.find(consumer, id);
        }

        @Override
        public boolean remove(long id) {
            return deadLetters.remove(id);
        }

        @Override
        public Map<String, Long> countByObserver(String consumer) {
            return deadLetters.countByObserver(consumer);
        }

        @Override
        public Optional<Claim> claim(long id) {
            return deadLetters.claim(id);
        }

        @Override
        public Optional<ClaimHolder> claimHolder(long id) {
            return deadLetters.claimHolder(id);
        }
    }
}
