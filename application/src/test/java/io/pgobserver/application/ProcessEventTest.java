package io.pgobserver.application;

import io.pgobserver.domain.config.TracingSettings;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.observer.Condition;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.observer.RetryPolicy;
import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.port.DeadLetter;
import io.pgobserver.domain.port.DeliveryKey;
import io.pgobserver.domain.testing.Events;
import io.pgobserver.domain.testing.InMemoryDeadLetters;
import io.pgobserver.domain.testing.InMemoryDeliveries;
import io.pgobserver.domain.testing.RecordingTracer;
import io.pgobserver.domain.testing.RecordingTracer.RecordedSpan;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.TraceContext;
import io.pgobserver.domain.testing.TestAction;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The span tree of docs/architecture.md, asserted exactly, for each way an event can go. */
class ProcessEventTest {

    private static final TraceContext WRITER =
            TraceContext.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").orElseThrow();
    private static final String[] KEYS = {"event_id", "entity_type", "kind", "checkpoint_offset",
            "recovered_from_checkpoint", "observer", "condition_matched", "action_count", "action_type", "attempt",
            "retry_in_ms", "events_covered", "deliveries_written", "dead_lettered", "outcome"};

    private static final String CONSUMER = "test";

    private final RecordingTracer tracer = new RecordingTracer();
    private final InMemoryDeliveries deliveries = new InMemoryDeliveries();
    private final InMemoryDeadLetters deadLetters = new InMemoryDeadLetters(deliveries);
    private final ScriptedExecutor webhook = new ScriptedExecutor("webhook");
    private final ScriptedExecutor slack = new ScriptedExecutor("slack");
    private final ScriptedExecutor email = new ScriptedExecutor("email");
    private final List<Duration> waits = Collections.synchronizedList(new ArrayList<>());

    private static Observer shipped(RetryPolicy retry) {
        Condition condition = event -> "shipped".equals(event.after().get("status"))
                && !"shipped".equals(event.before().get("status"));
        return new Observer("order_shipped", "public.orders", Set.of(ChangeKind.UPDATED),
                "after.status == 'shipped'", condition,
                List.of(new TestAction("webhook", "http://localhost:8080/hooks"),
                        new TestAction("slack", "#orders"),
                        new TestAction("email", "ops@example.com")),
                retry);
    }

    /** What the metrics port was told: {@code retried public.orders}, {@code checkpoint}. */
    private final List<String> recordedMetrics = Collections.synchronizedList(new ArrayList<>());
    /** Each action attempt the metrics port was told of: {@code webhook retry 503}. */
    private final List<String> attempts = Collections.synchronizedList(new ArrayList<>());
    private final io.pgobserver.domain.port.Metrics metrics = new io.pgobserver.domain.port.Metrics() {
        @Override
        public void actionExecuted(String observer, String actionType, String outcome, String errorType,
                                   long durationNanos) {
            attempts.add(actionType + " " + outcome + " " + errorType);
        }

        @Override
        public void eventRetried(String entityType) {
            recordedMetrics.add("retried " + entityType);
        }

        @Override
        public void checkpointSaved() {
            recordedMetrics.add("checkpoint");
        }
    };

    private ProcessEvent processEvent(Observer observer) {
        return new ProcessEvent(CONSUMER, tracer, tracer, TracingSettings.defaults(), List.of(observer),
                new ActionExecutors(List.of(webhook, slack, email)), deadLetters, deliveries,
                metrics, waits::add, () -> 0.5,
                Clock.fixed(Instant.parse("2026-02-03T04:05:06Z"), ZoneOffset.UTC));
    }

    /** Saves a checkpoint after every event, as a pipeline whose interval has passed would. */
    private static EventCompletion saveEach(ChangeEvent event) {
        return completion(false, () -> new EventCompletion.CheckpointSave() {
                public long offset() {
                    return event.position().offset();
                }

                public long eventsCovered() {
                    return 1;
                }

                public void run() {
                }
            });
    }

    /** A completion that may say the event ran before, and hands out the given save. */
    private static EventCompletion completion(boolean mayHaveRun,
                                              java.util.function.Supplier<EventCompletion.CheckpointSave> save) {
        return new EventCompletion() {
            public boolean mayHaveRun() {
                return mayHaveRun;
            }

            public boolean cancelled() {
                return false;
            }

            public CheckpointSave done() {
                return save.get();
            }
        };
    }

    private static String deliveryId(ChangeEvent event, Observer observer, int index) {
        return DeliveryKey.of(CONSUMER, event, observer.name(), observer.actionKeys().get(index))
                .id();
    }

    private RecordedSpan onlyRoot() {
        assertThat(tracer.roots()).hasSize(1);
        RecordedSpan root = tracer.roots().getFirst();
        assertThat(tracer.spans()).allMatch(RecordedSpan::isEnded);
        return root;
    }

    @Test
    void aMatchingEventWithThreeActions() throws Exception {
        ChangeEvent event = Events.updated(7, "o-1", "paid", "shipped").withTraceContext(WRITER);
        Observer observer = shipped(RetryPolicy.DEFAULT);
        processEvent(observer).process(event, saveEach(event));

        RecordedSpan root = onlyRoot();
        assertThat(tracer.tree(root, KEYS)).isEqualTo("""
                process_event {event_id=%s, entity_type=public.orders, kind=updated, checkpoint_offset=7, outcome=matched}
                  load_checkpoint {recovered_from_checkpoint=false}
                  evaluate_condition {observer=order_shipped, condition_matched=true}
                  execute_actions {observer=order_shipped, action_count=3}
                    execute_action {observer=order_shipped, action_type=webhook, attempt=1}
                    execute_action {observer=order_shipped, action_type=slack, attempt=1}
                    execute_action {observer=order_shipped, action_type=email, attempt=1}
                  cache_write {deliveries_written=3}
                  save_checkpoint {checkpoint_offset=7, events_covered=1}
                  export_metrics
                """.formatted(event.id()));
        // The root continues the writer's trace; actions are client spans.
        assertThat(root.traceId).isEqualTo(WRITER.traceId());
        assertThat(root.parentSpanId).isEqualTo(WRITER.spanId());
        assertThat(tracer.named("execute_action")).allMatch(s -> s.kind == SpanKind.CLIENT);
        assertThat(webhook.requests).singleElement()
                .satisfies(r -> assertThat(r.deliveryId()).isEqualTo(deliveryId(event, observer, 0)));
        assertThat(deliveries.isSettled(deliveryId(event, observer, 2))).isTrue();
        assertThat(deadLetters.list(CONSUMER, 10)).isEmpty();
    }

    @Test
    void aNonMatchingEvent() throws Exception {
        ChangeEvent event = Events.updated(8, "o-2", "new", "paid");
        processEvent(shipped(RetryPolicy.DEFAULT)).process(event, saveEach(event));

        RecordedSpan root = onlyRoot();
        assertThat(tracer.tree(root, KEYS)).isEqualTo("""
                process_event {event_id=%s, entity_type=public.orders, kind=updated, checkpoint_offset=8, outcome=unmatched}
                  load_checkpoint {recovered_from_checkpoint=false}
                  evaluate_condition {observer=order_shipped, condition_matched=false}
                  save_checkpoint {checkpoint_offset=8, events_covered=1}
                  export_metrics
                """.formatted(event.id()));
        assertThat(root.parentSpanId).isNull();
        assertThat(webhook.requests).isEmpty();
    }

    @Test
    void anEventOfAnotherKindHasNoCandidateObserver() throws Exception {
        ChangeEvent event = Events.event(9, "o-3", ChangeKind.CREATED, null, java.util.Map.of("status", "shipped"));
        processEvent(shipped(RetryPolicy.DEFAULT)).process(event, EventCompletion.NONE);
        assertThat(tracer.tree(onlyRoot())).isEqualTo("""
                process_event
                  load_checkpoint
                  export_metrics
                """);
    }

    /** A file over many tables: an event asks its own table's observers, in the file's order, and no other. */
    @Test
    void anEventRunsTheObserversOfItsTableInTheFilesOrderAmongOthersOfOtherTables() throws Exception {
        List<Observer> observers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String entity = i % 50 == 7 ? "public.orders" : "sales.table_" + i;
            observers.add(new Observer("o" + i, entity, Set.of(ChangeKind.UPDATED), "", event -> true,
                    List.of(new TestAction("webhook", "http://localhost:8080/" + i)), RetryPolicy.DEFAULT));
        }
        ChangeEvent event = Events.updated(11, "o-5", "paid", "shipped");
        new ProcessEvent(CONSUMER, tracer, tracer, TracingSettings.defaults(), observers,
                new ActionExecutors(List.of(webhook)), deadLetters, deliveries, metrics, waits::add, () -> 0.5,
                Clock.systemUTC()).process(event, EventCompletion.NONE);
        assertThat(tracer.tree(onlyRoot(), "observer")).contains("""
                  evaluate_condition {observer=o7}
                  evaluate_condition {observer=o57}
                """).doesNotContain("observer=o8}");
    }

    @Test
    void anActionThatFailsThenSucceedsOnRetry() throws Exception {
        webhook.then(new ActionResult.Failure("HTTP 503", false, null, null, "503"))
                .then(new ActionResult.Failure("HTTP 429", false, Duration.ofSeconds(3), null));
        ChangeEvent event = Events.updated(10, "o-4", "paid", "shipped");
        processEvent(shipped(new RetryPolicy(5, Duration.ofSeconds(1), Duration.ofMinutes(1))))
                .process(event, EventCompletion.NONE);

        RecordedSpan root = onlyRoot();
        assertThat(tracer.tree(root, "action_type", "attempt", "retry_in_ms", "outcome")).isEqualTo("""
                process_event {outcome=matched}
                  load_checkpoint
                  evaluate_condition
                  execute_actions
                    execute_action {action_type=webhook, attempt=1, retry_in_ms=500} ERROR
                    execute_action {action_type=webhook, attempt=2, retry_in_ms=3000} ERROR
                    execute_action {action_type=webhook, attempt=3}
                    execute_action {action_type=slack, attempt=1}
                    execute_action {action_type=email, attempt=1}
                  cache_write
                  export_metrics
                """);
        // Full jitter at 0.5 of the first ceiling (1 s), then the server's Retry-After.
        assertThat(waits).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(3));
        RecordedSpan failed = tracer.named("execute_action").getFirst();
        assertThat(failed.error()).isEqualTo("HTTP 503");
        assertThat(failed.events()).contains("exception");
        // error.type on the failed attempts' spans and metrics: the executor's, else the conventions' _OTHER.
        assertThat(tracer.named("execute_action")).extracting(span -> span.attribute("error.type"))
                .containsExactly("503", "_OTHER", null, null, null);
        assertThat(attempts).containsExactly("webhook retry 503", "webhook retry _OTHER", "webhook success null",
                "slack success null", "email success null");
        // One delivery id across every attempt: the receiver's de-duplication key.
        assertThat(webhook.requests).extracting(r -> r.deliveryId())
                .containsOnly(deliveryId(event, shipped(RetryPolicy.DEFAULT), 0));
        assertThat(webhook.requests).extracting(r -> r.attempt()).containsExactly(1, 2, 3);
        assertThat(deadLetters.list(CONSUMER, 10)).isEmpty();
        assertThat(recordedMetrics).containsExactly("retried public.orders");
    }

    @Test
    void aSavedCheckpointIsToldToTheMetricsAndAnEventWithoutRetriesIsNotCountedAsRetried() throws Exception {
        ChangeEvent event = Events.updated(7, "o-1", "paid", "shipped");
        processEvent(shipped(RetryPolicy.DEFAULT)).process(event, saveEach(event));
        assertThat(recordedMetrics).containsExactly("checkpoint");
    }

    @Test
    void anActionThatFailsPermanentlyIsDeadLetteredAndTheOthersStillRun() throws Exception {
        webhook.then(ActionResult.Failure.permanentFailure("HTTP 400 Bad Request", null));
        ChangeEvent event = Events.updated(11, "o-5", "paid", "shipped").withTraceContext(WRITER);
        processEvent(shipped(RetryPolicy.DEFAULT)).process(event, EventCompletion.NONE);

        RecordedSpan root = onlyRoot();
        assertThat(tracer.tree(root, "action_type", "attempt", "dead_lettered", "outcome")).isEqualTo("""
                process_event {outcome=failed} ERROR
                  load_checkpoint
                  evaluate_condition
                  execute_actions {dead_lettered=true} ERROR
                    execute_action {action_type=webhook, attempt=1} ERROR
                    dead_letter {action_type=webhook, attempt=1}
                    execute_action {action_type=slack, attempt=1}
                    execute_action {action_type=email, attempt=1}
                  cache_write
                  export_metrics
                """);
        assertThat(root.error()).contains("dead-lettered for observer order_shipped");
        assertThat(waits).isEmpty();
        DeadLetter letter = deadLetters.list(CONSUMER, 10).getFirst();
        assertThat(letter.observer()).isEqualTo("order_shipped");
        assertThat(letter.actionIndex()).isZero();
        assertThat(letter.actionType()).isEqualTo("webhook");
        assertThat(letter.error()).isEqualTo("HTTP 400 Bad Request");
        assertThat(letter.attempts()).isEqualTo(1);
        assertThat(letter.event().traceContext()).isEqualTo(WRITER);
        assertThat(letter.failedAt()).isEqualTo(Instant.parse("2026-02-03T04:05:06Z"));
    }

    @Test
    void anAttemptCutOffByAStopOrAParkingIsNotAFailedAttempt() {
        webhook.thenCutOff(ActionResult.Failure.transientFailure("SocketException: Closed by interrupt", null));
        ChangeEvent event = Events.updated(16, "o-10", "paid", "shipped");
        try {
            assertThatThrownBy(() -> processEvent(shipped(RetryPolicy.DEFAULT)).process(event, EventCompletion.NONE))
                    .isInstanceOf(InterruptedException.class).hasMessageContaining("attempt 1 of")
                    .hasMessageContaining("cut off");
        } finally {
            Thread.interrupted();
        }
        assertThat(attempts).as("no failed or retried attempt in the metrics").isEmpty();
        assertThat(waits).as("no backoff: the event runs again elsewhere").isEmpty();
        assertThat(deadLetters.list(CONSUMER, 10)).isEmpty();
        assertThat(slack.requests).as("the event stops at once").isEmpty();
    }

    /**
     * What the attempts before a crash did of a delivery (the recipients a mail reached before the process died
     * between two attempts) the attempts after the restart know as done, through the delivery log: the action itself
     * is still not done, and runs.
     */
    @Test
    void partsOfADeliveryDoneBeforeARestartAreDoneForTheProcessAfterIt() throws Exception {
        List<String> recipients = List.of("ops@example.com", "full@example.com");
        email.thenCutOff(ActionResult.Failure.transientFailure("SocketException: Closed by interrupt", null));
        ChangeEvent event = Events.updated(17, "o-11", "paid", "shipped");
        try {
            assertThatThrownBy(() -> processEvent(shipped(RetryPolicy.DEFAULT)).process(event, EventCompletion.NONE))
                    .isInstanceOf(InterruptedException.class);
        } finally {
            Thread.interrupted();
        }
        // What the cut-off attempt reached before it died.
        email.requests.get(0).doneParts().add(List.of("ops@example.com"));

        processEvent(shipped(RetryPolicy.DEFAULT)).process(event, completion(true, () -> null));

        assertThat(email.requests).hasSize(2);
        assertThat(email.requests.get(1).doneParts().of(recipients)).containsExactly("ops@example.com");
        assertThat(deadLetters.list(CONSUMER, 10)).isEmpty();
    }

    /** An observer of every update with one action of the given type. */
    private static Observer every(String name, String actionType) {
        return new Observer(name, "public.orders", Set.of(ChangeKind.UPDATED), "true", event -> true,
                List.of(new TestAction(actionType, "http://localhost:8080/" + name)), RetryPolicy.DEFAULT);
    }

    /** An executor of the given type that answers with {@code answer}. */
    private static io.pgobserver.domain.port.ActionExecutor answering(String type,
                                                                      java.util.function.Supplier<ActionResult> answer) {
        return new io.pgobserver.domain.port.ActionExecutor() {
            public String type() {
                return type;
            }

            public ActionResult execute(io.pgobserver.domain.port.ActionRequest request,
                                        io.pgobserver.domain.trace.Span span) {
                return answer.get();
            }
        };
    }

    /** An executor that answers when {@code release} opens, or fails saying what it waited for after 30 s. */
    private static io.pgobserver.domain.port.ActionExecutor waitingFor(String type, CountDownLatch started,
                                                                       CountDownLatch release) {
        return answering(type, () -> {
            started.countDown();
            try {
                return release.await(30, TimeUnit.SECONDS) ? ActionResult.success("ok")
                        : ActionResult.Failure.permanentFailure("the other observer never ran meanwhile", null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ActionResult.Failure.transientFailure("SocketException: Closed by interrupt", e);
            }
        });
    }

    /** An executor that counts down {@code delivered} once it has answered 2xx. */
    private static io.pgobserver.domain.port.ActionExecutor delivering(String type, CountDownLatch delivered) {
        return answering(type, () -> {
            delivered.countDown();
            return ActionResult.success("ok");
        });
    }

    private ProcessEvent processEvent(List<Observer> observers, io.pgobserver.domain.port.ActionExecutor... executors) {
        return new ProcessEvent(CONSUMER, tracer, tracer, TracingSettings.defaults(), observers,
                new ActionExecutors(List.of(executors)), deadLetters, deliveries, metrics, waits::add, () -> 0.5,
                Clock.systemUTC());
    }

    @Test
    void anEventsObserversRunSideBySideSoOneThatWaitsHoldsBackNoOther() throws Exception {
        // The first observer's receiver answers only once the second observer's has been delivered: one after
        // another, it would wait 30 s and fail for good.
        CountDownLatch slowStarted = new CountDownLatch(1);
        CountDownLatch fastDelivered = new CountDownLatch(1);
        Observer slow = every("slow", "webhook");
        Observer fast = every("fast", "slack");
        ChangeEvent event = Events.updated(30, "o-30", "paid", "shipped");
        processEvent(List.of(slow, fast), waitingFor("webhook", slowStarted, fastDelivered),
                delivering("slack", fastDelivered)).process(event, EventCompletion.NONE);

        assertThat(deadLetters.list(CONSUMER, 10)).as("neither observer failed").isEmpty();
        assertThat(deliveries.settled(List.of(deliveryId(event, slow, 0), deliveryId(event, fast, 0))))
                .hasSize(2);
        RecordedSpan root = onlyRoot();
        assertThat(root.attributes()).containsEntry("outcome", "matched");
        assertThat(tracer.children(root)).extracting(span -> span.name).containsExactly("load_checkpoint",
                "evaluate_condition", "evaluate_condition", "execute_actions", "execute_actions", "cache_write",
                "export_metrics");
        assertThat(tracer.named("execute_action")).allSatisfy(span ->
                assertThat(span.parent.parent).isSameAs(root));
    }

    @Test
    void stoppingAnEventStopsEveryObserverAndTheNextRunSkipsWhatWasDelivered() throws Exception {
        CountDownLatch slowStarted = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch fastDelivered = new CountDownLatch(1);
        Observer slow = every("slow", "webhook");
        Observer fast = every("fast", "slack");
        ChangeEvent event = Events.updated(31, "o-31", "paid", "shipped");
        ProcessEvent process = processEvent(List.of(slow, fast), waitingFor("webhook", slowStarted, never),
                delivering("slack", fastDelivered));
        Throwable[] thrown = new Throwable[1];
        Thread lane = Thread.ofVirtual().start(() -> {
            try {
                process.process(event, EventCompletion.NONE);
            } catch (Throwable e) {
                thrown[0] = e;
            }
        });
        assertThat(slowStarted.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(fastDelivered.await(30, TimeUnit.SECONDS)).isTrue();
        lane.interrupt(); // the entity is parked, or the process stops
        lane.join();

        assertThat(thrown[0]).as("the event is not done").isInstanceOf(InterruptedException.class);
        assertThat(deadLetters.list(CONSUMER, 10)).as("a cut-off attempt is not a failure").isEmpty();
        assertThat(attempts).as("nor a failed attempt in the metrics").containsExactly("slack success null");
        assertThat(deliveries.settled(List.of(deliveryId(event, fast, 0), deliveryId(event, slow, 0))))
                .as("the delivered observer is recorded, the cut-off one is not")
                .containsExactly(deliveryId(event, fast, 0));
        assertThat(tracer.spans()).allMatch(RecordedSpan::isEnded);

        // The next run (the parked drainer's, or the next holder's) runs only what was not delivered.
        CountDownLatch fastAgain = new CountDownLatch(1);
        processEvent(List.of(slow, fast), delivering("webhook", new CountDownLatch(1)),
                delivering("slack", fastAgain)).process(event, completion(true, () -> null));
        assertThat(fastAgain.getCount()).as("the delivered observer did not run again").isEqualTo(1);
        assertThat(deliveries.settled(List.of(deliveryId(event, slow, 0)))).hasSize(1);
    }

    @Test
    void parkingEndsAWaitBetweenAttemptsButLetsAnAttemptInFlightEnd() throws Exception {
        // The first observer's receiver fails and waits a minute for its retry; the second's is answering when the
        // row is parked. Cut off, the second request may have been acted on and would be sent again by the parked run.
        CountDownLatch slowWaiting = new CountDownLatch(1);
        CountDownLatch fastStarted = new CountDownLatch(1);
        CountDownLatch fastMayAnswer = new CountDownLatch(1);
        Observer slow = new Observer("slow", "public.orders", Set.of(ChangeKind.UPDATED), "true", event -> true,
                List.of(new TestAction("webhook", "http://localhost:8080/slow")),
                new RetryPolicy(5, Duration.ofMinutes(1), Duration.ofMinutes(1)));
        Observer fast = every("fast", "slack");
        ChangeEvent event = Events.updated(32, "o-32", "paid", "shipped");
        ProcessEvent process = new ProcessEvent(CONSUMER, tracer, tracer, TracingSettings.defaults(),
                List.of(slow, fast), new ActionExecutors(List.of(
                        answering("webhook", () -> ActionResult.Failure.transientFailure("HTTP 503", null)),
                        waitingFor("slack", fastStarted, fastMayAnswer))), deadLetters, deliveries, metrics,
                Sleeper.SYSTEM, () -> 1.0, Clock.systemUTC());
        Backoffs parkable = new Backoffs();
        EventCompletion ticket = new EventCompletion() {
            public boolean mayHaveRun() {
                return false;
            }

            public boolean cancelled() {
                return parkable.ended();
            }

            // Parking does not cut the event (Ticket's own rule): the records of what it delivered are awaited.
            @Override
            public boolean cutsAttemptUnderWay() {
                return false;
            }

            @Override
            public boolean takenAway() {
                return parkable.ended();
            }

            public CheckpointSave done() {
                return null;
            }

            @Override
            public void backoff(Duration wait, Sleeper sleeper) throws InterruptedException {
                slowWaiting.countDown();
                parkable.sleep(wait, sleeper);
            }
        };
        Throwable[] thrown = new Throwable[1];
        Thread lane = Thread.ofVirtual().start(() -> {
            try {
                process.process(event, ticket);
            } catch (Throwable e) {
                thrown[0] = e;
            }
        });
        // Parked once its failed attempt has been counted and it waits: the wait is what this test is about (an
        // attempt that fails as the row is parked: anAttemptThatFailsAsItsRowIsParkedIsTheReceiversFailedAttempt).
        assertThat(slowWaiting.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(fastStarted.await(30, TimeUnit.SECONDS)).isTrue();
        parkable.end(); // the row is parked, as Lanes.park does it: no interrupt
        fastMayAnswer.countDown();
        lane.join(Duration.ofSeconds(30)); // a minute's backoff if parking did not end it
        assertThat(lane.isAlive()).as("the wait between attempts ended when the row was parked").isFalse();

        assertThat(thrown[0]).as("the event is not done: the parking lot runs it").isInstanceOf(
                InterruptedException.class);
        assertThat(deliveries.settled(List.of(deliveryId(event, fast, 0), deliveryId(event, slow, 0))))
                .as("the attempt in flight ended and was recorded, so the parked run will not send it again")
                .containsExactly(deliveryId(event, fast, 0));
        assertThat(deadLetters.list(CONSUMER, 10)).isEmpty();
        // Parked is not failed: the trace says where the event went, and only the receiver's failures are red.
        RecordedSpan root = onlyRoot();
        assertThat(root.error()).as("a parked event's root is no error").isNull();
        assertThat(root.attribute("outcome")).isEqualTo("parked");
        assertThat(root.events()).anyMatch(e -> e.startsWith("parked"));
        assertThat(tracer.named("execute_action")).anyMatch(span -> "HTTP 503".equals(span.error()));
    }

    /**
     * The pipeline's own ticket for {@code event} (the parking and the stop as the term works them), and
     * {@code stopped} what says the term cut its running events (a stop whose time ran out, a lost lock).
     */
    static Ticket pipelineTicket(ChangeEvent event, java.util.function.BooleanSupplier stopped) {
        return progress().register(1, event, event.entityId(), stopped, null);
    }

    /** The pipeline's own ticket for {@code event} read again after a restart: it may have run before. */
    private static Ticket reReadTicket(ChangeEvent event) {
        return new Ticket(progress(), new StreamEntry(1, event.position().offset(), false, event.entityId(),
                event.approximateBytes()), true, null, () -> false);
    }

    private static Progress progress() {
        io.pgobserver.domain.testing.InMemoryCheckpointStore store =
                new io.pgobserver.domain.testing.InMemoryCheckpointStore();
        io.pgobserver.domain.port.CheckpointStore.Resume resume = store.claim(CONSUMER);
        return new Progress(store, resume, Duration.ofMinutes(1), 100, Long.MAX_VALUE, System::nanoTime, () -> { });
    }

    /** A receiver's 503 that comes after {@code meanwhile} (the row parked, a stop), the request in flight. */
    private static io.pgobserver.domain.port.ActionExecutor failingWhile(Runnable meanwhile) {
        return answering("webhook", () -> {
            meanwhile.run();
            return new ActionResult.Failure("HTTP 503", false, null, null, "503");
        });
    }

    @Test
    void anAttemptThatFailsAsItsRowIsParkedIsTheReceiversFailedAttempt() {
        // Parking lets the request in flight end: its 503 is the receiver's answer, and the operator who sees the
        // row parked must see the failures that parked it (metrics, readiness, the span).
        ChangeEvent event = Events.updated(34, "o-34", "paid", "shipped");
        Ticket[] ticket = new Ticket[1];
        ProcessEvent process = processEvent(List.of(every("parked", "webhook")),
                failingWhile(() -> ticket[0].parking()));
        process.actionHealth().threshold(Duration.ZERO);
        ticket[0] = pipelineTicket(event, () -> false);

        assertThatThrownBy(() -> process.process(event, ticket[0]))
                .as("the event is not done: the parking lot makes the next attempt")
                .isInstanceOf(InterruptedException.class).hasMessageContaining("taken away");
        assertThat(attempts).as("a failed attempt in the metrics").containsExactly("webhook retry 503");
        assertThat(process.actionsProblem()).as("readiness sees the receiver failing").contains("HTTP 503");
        RecordedSpan attempt = tracer.named("execute_action").getFirst();
        assertThat(attempt.error()).isEqualTo("HTTP 503");
        assertThat(attempt.attribute("error.type")).isEqualTo("503");
        // No retry in retry_in_ms: none comes then. The parking lot's drainer makes the next attempt, in its turn.
        assertThat(attempt.attributes()).as("the span tells of no retry the parking lot makes")
                .doesNotContainKey("retry_in_ms");
        assertThat(waits).as("no wait: the event is taken away before its next attempt").isEmpty();
        assertThat(deadLetters.list(CONSUMER, 10)).isEmpty();
        assertThat(onlyRoot().attribute("outcome")).isEqualTo("parked");
    }

    @Test
    void anAttemptThatFailsAsThePipelineStopsAnnouncesNoRetryInThisProcess() {
        // A stop lets the attempt in flight end, and no wait starts after it: the retry that retry_in_ms would
        // announce is the consumer's next holder's to make, so the span must not promise one.
        ChangeEvent event = Events.updated(35, "o-35", "paid", "shipped");
        Ticket[] ticket = new Ticket[1];
        ProcessEvent process = processEvent(List.of(every("stopping", "webhook")),
                failingWhile(() -> ticket[0].stopRetrying()));
        ticket[0] = pipelineTicket(event, () -> false);

        assertThatThrownBy(() -> process.process(event, ticket[0]))
                .as("the event is not done: the consumer's next holder delivers it")
                .isInstanceOf(InterruptedException.class).hasMessageContaining("the pipeline stopped before attempt 2");
        assertThat(attempts).as("the receiver's failure still counts").containsExactly("webhook retry 503");
        RecordedSpan attempt = tracer.named("execute_action").getFirst();
        assertThat(attempt.error()).isEqualTo("HTTP 503");
        assertThat(attempt.attributes()).as("no retry comes in this process").doesNotContainKey("retry_in_ms");
        assertThat(waits).as("no wait starts after a stop").isEmpty();
        assertThat(deadLetters.list(CONSUMER, 10)).isEmpty();
        assertThat(onlyRoot().attribute("outcome")).isEqualTo("stopped");
    }

    @Test
    void theLastAttemptFailingAsItsRowIsParkedIsDeadLetteredNotStartedAnew() throws Exception {
        // Its retries ran out: the dead letter is written, so the parking lot's run skips the action rather than
        // make max_attempts more attempts at it.
        ChangeEvent event = Events.updated(35, "o-35", "paid", "shipped");
        Observer once = new Observer("parked", "public.orders", Set.of(ChangeKind.UPDATED), "true", e -> true,
                List.of(new TestAction("webhook", "http://localhost:8080/parked")), RetryPolicy.NONE);
        Ticket[] ticket = new Ticket[1];
        ProcessEvent process = processEvent(List.of(once), failingWhile(() -> ticket[0].parking()));
        ticket[0] = pipelineTicket(event, () -> false);

        process.process(event, ticket[0]);
        assertThat(attempts).containsExactly("webhook failed 503");
        assertThat(deadLetters.list(CONSUMER, 10)).singleElement()
                .satisfies(letter -> assertThat(letter.attempts()).isEqualTo(1));
        assertThat(deliveries.isSettled(deliveryId(event, once, 0))).as("the parked run skips it").isTrue();
        assertThat(onlyRoot().attribute("outcome")).isEqualTo("failed");
    }

    @Test
    void aParkedRunsLastAttemptFailingWhileAnotherObserverWaitsToRetryIsDeadLetteredNotMadeAgain() throws Exception {
        // Side by side: "waits" fails and its run ends to wait off its drain place; "once" then fails its only attempt.
        // Its dead letter is written: not written, the run's next turn made that attempt again (it counted none).
        ChangeEvent event = Events.updated(37, "o-37", "paid", "shipped");
        Observer waits = every("waits", "webhook");
        Observer once = new Observer("once", "public.orders", Set.of(ChangeKind.UPDATED), "true", e -> true,
                List.of(new TestAction("slack", "#once")), RetryPolicy.NONE);
        ParkedRun run = new ParkedRun(event.position().offset(), null, () -> false, () -> { });
        CountDownLatch onceBegan = new CountDownLatch(1);
        ProcessEvent process = processEvent(List.of(waits, once),
                answering("webhook", () -> {
                    try { // once "once" made its attempt: a wait that began before would keep it from its first
                        assertThat(onceBegan.await(30, TimeUnit.SECONDS)).isTrue();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    return ActionResult.Failure.transientFailure("HTTP 503", null);
                }),
                answering("slack", () -> {
                    onceBegan.countDown();
                    for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                         !run.waiting() && System.nanoTime() < deadline; ) {
                        Thread.onSpinWait();
                    }
                    return new ActionResult.Failure("HTTP 503", false, null, null, "503");
                }));

        assertThatThrownBy(() -> process.process(event, run)).as("the event waits for its next attempt")
                .isInstanceOf(InterruptedException.class);
        assertThat(run.waiting()).isTrue();
        assertThat(deadLetters.list(CONSUMER, 10)).singleElement()
                .satisfies(letter -> assertThat(letter.observer()).isEqualTo("once"));
        assertThat(deliveries.isSettled(deliveryId(event, once, 0))).as("the next turn skips it").isTrue();
    }

    /**
     * Observers "first" (a webhook that fails, once {@code taking} ran) and "late" (a Slack channel that answers),
     * "late" starting its run only once {@code completion} was taken away: an observer started late on a busy machine.
     */
    private ProcessEvent withALateObserver(EventCompletion completion, Runnable taking) {
        io.pgobserver.domain.trace.Tracer late = new io.pgobserver.domain.trace.Tracer() {
            public boolean isEnabled() {
                return true;
            }

            public io.pgobserver.domain.trace.Span startTrace(String name, TraceContext parent, SpanKind kind) {
                return tracer.startTrace(name, parent, kind);
            }

            public io.pgobserver.domain.trace.Span startLinkedTrace(String name, TraceContext to, SpanKind kind) {
                return tracer.startLinkedTrace(name, to, kind);
            }

            public io.pgobserver.domain.trace.Span startSpan(String name, io.pgobserver.domain.trace.Span parent,
                                                             SpanKind kind) {
                // The second observer's thread (SideBySide's), before anything of its run: its records read included.
                if (name.equals("execute_actions") && Thread.currentThread().getName().endsWith("-observer-1")) {
                    for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                         !completion.takenAway() && System.nanoTime() < deadline; ) {
                        Thread.onSpinWait();
                    }
                }
                return tracer.startSpan(name, parent, kind);
            }
        };
        return new ProcessEvent(CONSUMER, late, late, TracingSettings.defaults(),
                List.of(every("first", "webhook"), every("late", "slack")),
                new ActionExecutors(List.of(answering("webhook", () -> {
                    taking.run();
                    return ActionResult.Failure.transientFailure("HTTP 503", null);
                }), slack)), deadLetters, deliveries, metrics, waits::add, () -> 0.5, Clock.systemUTC());
    }

    @Test
    void anObserverStartedLateInAParkedRunMakesItsFirstAttemptWhileAnotherWaitsToRetry() {
        // "first" fails and the run ends to wait off its drain place; "late" starts only then. Stopped before its
        // first attempt, its delivery waited for the other's retry, a turn later, as a row being parked had its
        // delivery wait for the parking lot before the stream's first attempts went (EventCompletion.firstAttemptsGo).
        ChangeEvent event = Events.updated(38, "o-38", "paid", "shipped");
        ParkedRun run = new ParkedRun(event.position().offset(), null, () -> false, () -> { });

        assertThatThrownBy(() -> withALateObserver(run, () -> { }).process(event, run))
                .as("the event waits for its next attempt").isInstanceOf(InterruptedException.class);
        assertThat(run.waiting()).isTrue();
        assertThat(slack.requests).as("the late observer made its first attempt in this turn").hasSize(1);
        assertThat(deliveries.isSettled(deliveryId(event, every("late", "slack"), 0)))
                .as("recorded: the next turn skips it").isTrue();
    }

    @Test
    void aParkedRunsActionFailingWhileAnotherWaitsCountsItsAttemptAndKeepsItsRetryIn() {
        // Its run ended by the other's wait, it still waits its own: the run's next turn comes once both are over, so
        // its span's retry_in_ms holds (no sooner), and the turn goes on with the attempt it made.
        slack.then(ActionResult.Failure.transientFailure("HTTP 503", null));
        ChangeEvent event = Events.updated(40, "o-40", "paid", "shipped");
        ParkedRun run = new ParkedRun(event.position().offset(), null, () -> false, () -> { });

        assertThatThrownBy(() -> withALateObserver(run, () -> { }).process(event, run))
                .as("the event waits for its next attempt").isInstanceOf(InterruptedException.class);
        assertThat(run.attemptsMade("late", 0)).as("counted toward its retry policy").isEqualTo(1);
        assertThat(tracer.named("execute_action")).extracting(span -> span.attribute("retry_in_ms"))
                .containsExactly(500L, 500L);
    }

    @Test
    void anObserverStartedLateAtAReReadEventMakesItsFirstAttemptThoughItsRowIsBeingParked() {
        // Read again after a restart, the event asks the records which actions are settled before any attempt: that
        // read stopped the late observer when the row was being parked, where a fresh event's observer made its first.
        ChangeEvent event = Events.updated(39, "o-39", "paid", "shipped");
        Ticket ticket = reReadTicket(event);

        assertThatThrownBy(() -> withALateObserver(ticket, ticket::parking).process(event, ticket))
                .as("the event is not done: the parking lot makes the next attempt")
                .isInstanceOf(InterruptedException.class);
        assertThat(slack.requests).as("the late observer made its first attempt").hasSize(1);
        assertThat(deliveries.isSettled(deliveryId(event, every("late", "slack"), 0)))
                .as("recorded: the parked run skips it").isTrue();
        assertThat(onlyRoot().attribute("outcome")).isEqualTo("parked");
    }

    @Test
    void anAttemptCutByAStopAsItsRowIsParkedIsStillCutOff() {
        // The stop's time ran out (the term marks it before it interrupts; the interrupt may be spent on the
        // request): the failure is the cut's, not the receiver's, even with the row being parked too.
        ChangeEvent event = Events.updated(36, "o-36", "paid", "shipped");
        java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
        Ticket[] ticket = new Ticket[1];
        ProcessEvent process = processEvent(List.of(every("parked", "webhook")), failingWhile(() -> {
            ticket[0].parking();
            stopped.set(true);
        }));
        process.actionHealth().threshold(Duration.ZERO);
        ticket[0] = pipelineTicket(event, stopped::get);

        assertThatThrownBy(() -> process.process(event, ticket[0])).isInstanceOf(InterruptedException.class)
                .hasMessageContaining("cut off");
        assertThat(attempts).as("no failed attempt in the metrics").isEmpty();
        assertThat(process.actionsProblem()).isNull();
        assertThat(tracer.named("execute_action").getFirst().error()).startsWith("attempt cut off");
        assertThat(deadLetters.list(CONSUMER, 10)).isEmpty();
    }

    @Test
    void anEventTakenAwayAfterItsActionsRanStillRecordsWhatWasDelivered() throws Exception {
        // Its last action is dead-lettered while the row is being parked (here: the letter's write is what the
        // parking waited for). The delivered webhook must be recorded, or the parked run sends it again.
        slack.then(ActionResult.Failure.permanentFailure("HTTP 422: rejected", null));
        Observer observer = new Observer("two", "public.orders", Set.of(ChangeKind.UPDATED), "true", e -> true,
                List.of(new TestAction("webhook", "http://localhost:8080/first"),
                        new TestAction("slack", "#second")), RetryPolicy.DEFAULT);
        ChangeEvent event = Events.updated(33, "o-33", "paid", "shipped");
        EventCompletion parkedOnceLettered = new EventCompletion() {
            public boolean mayHaveRun() {
                return false;
            }

            public boolean cancelled() {
                return !deadLetters.list(CONSUMER, 1).isEmpty();
            }

            // Parking lets the attempt under way end, and does not cut the event (only a stop or a lost lock does):
            // the records of what it delivered are then awaited, as Ticket says of the stream's events.
            public boolean cutsAttemptUnderWay() {
                return false;
            }

            // Parked, as the pipeline's own completion says of an event the parking lot takes over: its records
            // are then awaited, where those of an event cut by a stop are not (DeliveryRecords.rememberOnce).
            public boolean takenAway() {
                return cancelled();
            }

            public CheckpointSave done() {
                return null;
            }
        };
        assertThatThrownBy(() -> processEvent(observer).process(event, parkedOnceLettered))
                .as("the event is not done: the parking lot runs it").isInstanceOf(InterruptedException.class);
        assertThat(deadLetters.list(CONSUMER, 10)).singleElement()
                .satisfies(letter -> assertThat(letter.actionType()).isEqualTo("slack"));
        assertThat(deliveries.isSettled(deliveryId(event, observer, 0)))
                .as("the delivered webhook is recorded, so the parked run skips it").isTrue();
    }

    @Test
    void exhaustedRetriesAreDeadLetteredWithTheAttemptCount() throws Exception {
        for (int i = 0; i < 3; i++) {
            email.then(ActionResult.Failure.transientFailure("connection refused", null));
        }
        processEvent(shipped(new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1))))
                .process(Events.updated(12, "o-6", "paid", "shipped"), EventCompletion.NONE);
        assertThat(email.requests).hasSize(3);
        assertThat(waits).containsExactly(Duration.ofMillis(50), Duration.ofMillis(100));
        assertThat(deadLetters.list(CONSUMER, 10)).singleElement().satisfies(l -> {
            assertThat(l.actionType()).isEqualTo("email");
            assertThat(l.attempts()).isEqualTo(3);
        });
    }

    @Test
    void anOutcomeListenerIsToldWhatEachActionDid() throws Exception {
        List<io.pgobserver.domain.port.EventOutcomes.EventOutcome> told = new ArrayList<>();
        webhook.then(ActionResult.Failure.transientFailure("HTTP 503", null));
        email.then(ActionResult.Failure.permanentFailure("550 no such mailbox", null));
        ChangeEvent event = Events.updated(15, "o-9", "paid", "shipped").withTraceContext(WRITER);
        new ProcessEvent(CONSUMER, tracer, tracer, TracingSettings.defaults(), List.of(shipped(RetryPolicy.DEFAULT)),
                new ActionExecutors(List.of(webhook, slack, email)), deadLetters, deliveries, metrics, told::add,
                waits::add, () -> 0.5, Clock.systemUTC()).process(event, EventCompletion.NONE);

        assertThat(told).singleElement().satisfies(o -> {
            assertThat(o.event()).isEqualTo(event);
            assertThat(o.outcome()).isEqualTo("failed");
            assertThat(o.traceId()).isEqualTo(onlyRoot().context().traceId());
            assertThat(o.actions()).extracting(a -> a.actionType() + " " + a.delivered() + " " + a.attempts() + " "
                    + a.lastError()).containsExactly("webhook true 2 HTTP 503", "slack true 1 null",
                    "email false 1 550 no such mailbox");
        });
    }

    @Test
    void aConditionThatThrowsDeadLettersTheEventForThatObserver() throws Exception {
        Observer broken = new Observer("broken", "public.orders", null, "after.total > 1", event -> {
            throw new Condition.ConditionException("no such overload: string > int", null);
        }, List.of(new TestAction("webhook", "http://localhost:8080/h")), null);
        ChangeEvent event = Events.updated(13, "o-7", "a", "b");
        processEvent(broken).process(event, EventCompletion.NONE);
        assertThat(tracer.tree(onlyRoot(), "condition_matched", "outcome")).isEqualTo("""
                process_event {outcome=failed} ERROR
                  load_checkpoint
                  evaluate_condition {condition_matched=false} ERROR
                    dead_letter
                  export_metrics
                """);
        assertThat(deadLetters.list(CONSUMER, 10)).singleElement().satisfies(l -> {
            assertThat(l.actionIndex()).isEqualTo(-1);
            assertThat(l.actionType()).isEqualTo("condition");
            // The observer and the event named once, by this side; the condition says only what failed.
            assertThat(l.error()).isEqualTo("condition of observer 'broken' failed on event " + event.id()
                    + ": no such overload: string > int");
        });
        assertThat(webhook.requests).isEmpty();
    }

    @Test
    void aRedeliveredEventSkipsActionsAlreadyDelivered() throws Exception {
        ChangeEvent event = Events.updated(14, "o-8", "paid", "shipped");
        deliveries.record(deliveryId(event, shipped(RetryPolicy.DEFAULT), 0));
        processEvent(shipped(RetryPolicy.DEFAULT)).process(event, completion(true, () -> null));
        assertThat(webhook.requests).isEmpty();
        assertThat(slack.requests).hasSize(1);
        assertThat(tracer.named("execute_actions").getFirst().attribute("deduplicated")).isEqualTo(1L);
        assertThat(tracer.named("load_checkpoint").getFirst().attribute("recovered_from_checkpoint")).isEqualTo(true);
    }

    @Test
    void aDeadLetterStoreOutageRetriesTheWriteAloneAndNeverTheDeliveredActions() throws Exception {
        webhook.then(ActionResult.Failure.permanentFailure("HTTP 400", null));
        deadLetters.failNext(3);
        boolean[] done = {false};
        ChangeEvent event = Events.updated(15, "o-9", "paid", "shipped");
        processEvent(shipped(RetryPolicy.DEFAULT)).process(event, completion(false, () -> {
            done[0] = true;
            return null;
        }));
        assertThat(done[0]).as("the event is done once the letter is stored").isTrue();
        assertThat(deadLetters.list(CONSUMER, 10)).singleElement()
                .satisfies(l -> assertThat(l.actionType()).isEqualTo("webhook"));
        assertThat(webhook.requests).as("the failed action ran once").hasSize(1);
        assertThat(slack.requests).as("the delivered ones too").hasSize(1);
        assertThat(email.requests).hasSize(1);
        // Backoff between the write attempts only.
        assertThat(waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400));
        assertThat(tracer.named("dead_letter").getFirst().error()).contains("dead-letter store unavailable");
    }

    @Test
    void aDeadLetterThatCannotBeWrittenWhenDispatchStopsLeavesTheEventUndoneWithItsDeliveriesRecorded()
            throws InterruptedException {
        email.then(ActionResult.Failure.permanentFailure("550 mailbox unavailable", null));
        deadLetters.failNext(1000);
        boolean[] done = {false};
        boolean[] cancelled = {false};
        ChangeEvent event = Events.updated(17, "o-11", "paid", "shipped");
        Observer observer = shipped(RetryPolicy.DEFAULT);
        EventCompletion completion = new EventCompletion() {
            public boolean mayHaveRun() {
                return false;
            }

            public boolean cancelled() {
                return cancelled[0];
            }

            public CheckpointSave done() {
                done[0] = true;
                return null;
            }
        };
        ProcessEvent process = new ProcessEvent(CONSUMER, tracer, tracer, TracingSettings.defaults(),
                List.of(observer), new ActionExecutors(List.of(webhook, slack, email)), deadLetters, deliveries,
                io.pgobserver.domain.port.Metrics.NOOP, wait -> cancelled[0] = true, () -> 0.5, Clock.systemUTC());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> process.process(event, completion))
                .isInstanceOf(InterruptedException.class);
        assertThat(done[0]).as("the event must not be passed to the checkpoint").isFalse();
        // The webhook and Slack ran before the email's letter was due: what was delivered is recorded even so,
        // and the next holder, which runs the event again, skips it. A stop does not wait for that write
        // (DeliveryRecords.rememberOnce), so it may land after process() has thrown.
        EventPipelineTest.await("the delivered actions recorded", () -> deliveries.isSettled(deliveryId(event,
                observer, 0)) && deliveries.isSettled(deliveryId(event, observer, 1)));
        assertThat(deliveries.isSettled(deliveryId(event, observer, 2))).isFalse();
        // Stopped (this process may no longer dispatch), not failed: no red root; the failed letter's write is red.
        RecordedSpan root = onlyRoot();
        assertThat(root.error()).as("a stopped event's root is no error").isNull();
        assertThat(root.attribute("outcome")).isEqualTo("stopped");
        assertThat(root.events()).singleElement().asString().startsWith("stopped before finishing (")
                .endsWith("): the consumer's next holder delivers it again");
    }

    @Test
    void anEventStoppedBeforeItsNextAttemptEndsItsTraceWithoutAnError() {
        webhook.then(ActionResult.Failure.transientFailure("HTTP 503", null));
        ChangeEvent event = Events.updated(18, "o-12", "paid", "shipped");
        Backoffs backoffs = new Backoffs();
        backoffs.stop(); // the pipeline stops (a rolling deploy's SIGTERM) while the receiver is down
        EventCompletion completion = new EventCompletion() {
            public boolean mayHaveRun() {
                return false;
            }

            public boolean cancelled() {
                return false;
            }

            public CheckpointSave done() {
                throw new AssertionError("a stopped event is not done");
            }

            @Override
            public void backoff(Duration wait, Sleeper sleeper) throws InterruptedException {
                backoffs.sleep(wait, sleeper);
            }
        };
        assertThatThrownBy(() -> processEvent(shipped(RetryPolicy.DEFAULT)).process(event, completion))
                .isInstanceOf(InterruptedException.class);
        // Every deploy stops some events, and the next holder delivers them: an expected outcome, so the status stays
        // unset (OpenTelemetry's rule) and a search for failed traces does not find them. Only the receiver's failed
        // attempt is red. Before, the root was an ERROR, "event not finished".
        RecordedSpan root = onlyRoot();
        assertThat(root.error()).as("a stopped event's root is no error").isNull();
        assertThat(root.attribute("outcome")).isEqualTo("stopped");
        assertThat(root.events()).containsExactly("stopped before finishing (the pipeline stopped before its next "
                + "attempt): the consumer's next holder delivers it again");
        assertThat(tracer.named("execute_action")).singleElement()
                .satisfies(attempt -> assertThat(attempt.error()).isEqualTo("HTTP 503"));
    }

    @Test
    void anEventWhoseProcessingFailsEndsItsTraceWithAnError() {
        ChangeEvent event = Events.updated(19, "o-13", "paid", "shipped");
        EventCompletion completion = completion(false, () -> {
            throw new IllegalStateException("the checkpoint's bookkeeping failed (test)");
        });
        assertThatThrownBy(() -> processEvent(shipped(RetryPolicy.DEFAULT)).process(event, completion))
                .isInstanceOf(IllegalStateException.class);
        // A failure of the event's own stays red, and the pipeline runs the event again.
        assertThat(onlyRoot().error()).isEqualTo("event not finished: the checkpoint's bookkeeping failed (test)");
        assertThat(onlyRoot().attribute("outcome")).isNull();
    }

    @Test
    void twoRowsSharingAnEventIdAreTwoDeliveries() throws Exception {
        ChangeEvent first = Events.updated(20, "o-12", "paid", "shipped");
        ChangeEvent second = new ChangeEvent(first.id(), new io.pgobserver.domain.event.Position(21, 21),
                first.entityType(), first.entityId(), first.kind(), first.before(), first.after(), first.occurredAt(),
                first.traceContext());
        Observer observer = shipped(RetryPolicy.DEFAULT);
        ProcessEvent process = processEvent(observer);
        process.process(first, EventCompletion.NONE);
        process.process(second, completion(true, () -> null));
        assertThat(webhook.requests).as("the second row is not taken for a redelivery of the first").hasSize(2);
        assertThat(webhook.requests.get(0).deliveryId()).isNotEqualTo(webhook.requests.get(1).deliveryId());
    }

    @Test
    void tracingFiltersSendOtherEntitiesToTheUntracedTracer() throws Exception {
        TracingSettings onlyCustomers = new TracingSettings(true, null, Set.of("public.customers"), null);
        RecordingTracer untraced = new RecordingTracer();
        new ProcessEvent(CONSUMER, tracer, untraced, onlyCustomers, List.of(shipped(RetryPolicy.DEFAULT)),
                new ActionExecutors(List.of(webhook, slack, email)), deadLetters, deliveries,
                io.pgobserver.domain.port.Metrics.NOOP, waits::add, () -> 0.5, Clock.systemUTC())
                .process(Events.updated(16, "o-10", "paid", "shipped"), EventCompletion.NONE);
        assertThat(tracer.spans()).isEmpty();
        assertThat(untraced.roots()).hasSize(1);
        assertThat(webhook.requests).hasSize(1);
    }
}
