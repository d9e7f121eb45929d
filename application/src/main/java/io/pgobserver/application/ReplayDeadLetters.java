package io.pgobserver.application;

import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.port.DeadLetter;
import io.pgobserver.domain.port.DeadLetters;
import io.pgobserver.domain.port.Deliveries;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.spi.DeadLetterReplay;
import io.pgobserver.domain.trace.Scope;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.Tracer;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.pgobserver.application.SpanNames.ACTION_INDEX;
import static io.pgobserver.application.SpanNames.ACTION_TYPE;
import static io.pgobserver.application.SpanNames.DEAD_LETTER_ID;
import static io.pgobserver.application.SpanNames.ENTITY_TYPE;
import static io.pgobserver.application.SpanNames.EVENT_ID;
import static io.pgobserver.application.SpanNames.OBSERVER;
import static io.pgobserver.application.SpanNames.OUTCOME;
import static io.pgobserver.application.SpanNames.REPLAY_DEAD_LETTER;

/**
 * Runs dead-lettered deliveries again ({@code dlq replay}). A replay is a new trace linked to the event's
 * original one, so both stay whole and lead to each other. A delivered letter leaves the queue; a failed one
 * stays, with the new failure reported. One replay at a time runs a letter: each claims it first
 * ({@link DeadLetters#claim}).
 */
public final class ReplayDeadLetters implements DeadLetterReplay {

    /**
     * How many letters {@link #replayUpTo} reads at once. Each holds its event's whole row, so a page, not the queue,
     * is what a replay of a queue of any length holds.
     */
    static final int PAGE = 100;
    private static final DateTimeFormatter SINCE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private final String consumer;
    private final DeadLetters deadLetters;
    private final Tracer tracer;
    private final Map<String, Observer> observers;
    private final LetterActions actions;

    public ReplayDeadLetters(String consumer, DeadLetters deadLetters, Tracer tracer, List<Observer> observers,
                             ActionExecutors executors, Metrics metrics, Sleeper sleeper, DoubleSupplier random) {
        this(consumer, deadLetters, tracer, observers, executors, metrics, sleeper, random, null);
    }

    /**
     * @param deliveries the delivery log, where the parts of a letter's delivery done before (an email's recipients
     *                   reached by the attempts that failed, the actions of a condition's letter settled since it was
     *                   written) are found and kept; null to do every part again
     */
    public ReplayDeadLetters(String consumer, DeadLetters deadLetters, Tracer tracer, List<Observer> observers,
                             ActionExecutors executors, Metrics metrics, Sleeper sleeper, DoubleSupplier random,
                             Deliveries deliveries) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.tracer = Objects.requireNonNull(tracer, "tracer");
        this.observers = observers.stream().collect(Collectors.toMap(Observer::name, Function.identity()));
        // A replay's failures are its own answer, not a reason the pipeline is not ready.
        this.actions = new LetterActions(consumer, new RunAction(executors, metrics, sleeper, random,
                new ActionHealth(ActionHealth.FAILING_FOR, System::nanoTime), false, deliveries), deliveries);
    }

    /** Replays one of the consumer's letters, once it holds its claim; the result says how that ended. */
    @Override
    public Result replay(long id) throws InterruptedException {
        if (deadLetters.find(consumer, id).isEmpty()) {
            return new Result(id, Outcome.GONE, "consumer '" + consumer + "' has no dead letter with id " + id
                    + " (see 'dlq list')");
        }
        Result[] result = new Result[1];
        claimAndReplay(id, EventCompletion.NONE, new ReplayStop(), each -> result[0] = each, true);
        return result[0];
    }

    /**
     * Replays a letter its caller has just found in the queue ({@code dlq replay --id} reads it first, for the
     * settings its observer needs) as {@link #replay(long)} does, without reading it again before its claim: the read
     * after the claim is the one that counts, and a letter gone since the caller's is "already replayed or deleted by
     * another session", which it was. The result goes to {@code each} as {@link #replayUpTo}'s do; a stop before its
     * first attempt is said too, as not delivered: the letter asked for gets its line.
     */
    public void replayFound(long id, ReplayStop stop, Consumer<Result> each) throws InterruptedException {
        claimAndReplay(id, stop.completion(), stop, each, true);
    }

    /**
     * Claims the letter, reads it again and runs it, handing its result to {@code each} before the claim ends: a stop
     * that ends the replay at once while the database holds the claim's end leaves the letter's line said. Two
     * replays of one letter at once (the console and {@code dlq replay}, two terminals) would each run its actions:
     * the one that does not get the claim runs nothing, and one that gets it after the other delivered and removed
     * the letter finds it gone, which is no error.
     *
     * @param notBegunSaid whether a letter the stop reached before its first attempt (claimed and read, nothing sent)
     *                     is handed to {@code each}, as not delivered; if not, it is left unsaid, as not come to
     * @return false when the letter was left unsaid
     */
    private boolean claimAndReplay(long id, EventCompletion completion, ReplayStop stop, Consumer<Result> each,
                                   boolean notBegunSaid) throws InterruptedException {
        Optional<DeadLetters.Claim> claim = stop.database("claiming letter " + id, () -> deadLetters.claim(id));
        if (claim.isEmpty()) {
            String holder = stop.database("asking who replays letter " + id + ", not run here: it stays in the queue",
                    () -> holder(id));
            each.accept(new Result(id, Outcome.REPLAYED_ELSEWHERE, "being replayed by another session" + holder
                    + "; not run again here: it stays in the queue until that replay ends, delivered or not"));
            return true;
        }
        try {
            DeadLetter letter = stop.database("reading letter " + id, () -> deadLetters.find(consumer, id))
                    .orElse(null);
            Result result = letter == null ? new Result(id, Outcome.GONE, "already replayed or deleted by another "
                    + "session: no longer in the queue; not run here") : replay(letter, completion, stop, notBegunSaid);
            if (result == null) {
                return false;
            }
            each.accept(result);
            return true;
        } finally {
            stop.database("ending the claim on letter " + id + " once it was replayed, as its line says (the claim "
                    + "ends with the process)", () -> {
                claim.get().close();
                return null;
            });
        }
    }

    /** Who holds the letter's claim, in parentheses, or nothing when that is not known (or it just ended). */
    private String holder(long id) {
        return deadLetters.claimHolder(id).map(holder -> " (" + holder.process() + (holder.since() == null ? ""
                : ", since " + SINCE.format(holder.since())) + ")").orElse("");
    }

    /**
     * Replays the consumer's letters with an id up to {@code last}, oldest first, a page at a time, handing each
     * result to {@code each} as soon as it is known. Letters added meanwhile (ids past {@code last}) are left for the
     * next replay, so that a queue still growing does not keep it running; one removed before its page is read (by
     * another replay or {@code dlq delete}) is not seen. After {@code stop} it comes to no further letter; the letter
     * under way ends as {@link #replayFound} says, but for one the stop reached after its claim and before its first
     * attempt: nothing of it was sent, so it is left unsaid, as the letters after it are (a signal a moment later than
     * the letter before it ended is no reason to report this one as not delivered).
     *
     * @return false when the stop left letters up to {@code last} not come to
     */
    public boolean replayUpTo(long last, Consumer<Result> each, ReplayStop stop) throws InterruptedException {
        EventCompletion completion = stop.completion();
        long after = 0;
        while (after < last) {
            if (stop.requested()) {
                // Before the read: one after the stop waits for the database with nothing to end it at once.
                return false;
            }
            long from = after;
            List<DeadLetter> page = stop.database("reading the next letters of the queue",
                    () -> deadLetters.list(consumer, from, PAGE));
            for (DeadLetter letter : page) {
                if (letter.id() > last) {
                    return true;
                }
                if (stop.requested()) {
                    return false;
                }
                // Claimed and read again, as one letter is: another replay may be running it, or have removed it.
                if (!claimAndReplay(letter.id(), completion, stop, each, false)) {
                    return false;
                }
                after = letter.id();
            }
            if (page.size() < PAGE) {
                return true;
            }
        }
        return true;
    }

    /**
     * Why a letter with no configured observer cannot be replayed. The listener's and the pipeline's own letters
     * (names in parentheses) never belonged to an observer, so each gets its own reason and what to do instead:
     * "no longer configured" would mislead the operator into looking for an observer that never existed.
     */
    private static String notAnObserversAction(DeadLetter letter) {
        long row = letter.event().position().offset();
        if (letter.observer().equals(DeadLetter.UNREADABLE_ROW)) {
            return "change_log row " + row + " could not be read as an event (see its error), and reads the same way"
                    + " every time, so it cannot be replayed; the letter stays in the queue until you remove it with"
                    + " `dlq delete --id " + letter.id() + "` (once its change is handled by hand, if it needs to be)";
        }
        if (letter.observer().equals(ProcessEvent.UNPROCESSABLE.observer())) {
            return "the event of change_log row " + row + " could not be processed for any observer; once the cause"
                    + " is fixed, run it for each observer with `replay --observer NAME --from-position " + row
                    + " --to-position " + row + "`, then remove the letter with `dlq delete --id " + letter.id()
                    + "`; it stays in the queue until then";
        }
        return "observer '" + letter.observer() + "' is no longer configured; the letter stays in the queue: put"
                + " the observer back to replay it, or remove the letter with `dlq delete --id " + letter.id() + "`";
    }

    /**
     * Runs the letter's actions and removes it once delivered.
     *
     * @return how it ended, or null when a stop came before its first attempt and {@code notBegunSaid} is false
     */
    private Result replay(DeadLetter letter, EventCompletion completion, ReplayStop stop, boolean notBegunSaid)
            throws InterruptedException {
        Observer observer = observers.get(letter.observer());
        if (observer == null) {
            return new Result(letter.id(), Outcome.STAYS, notAnObserversAction(letter));
        }
        Span root = tracer.startLinkedTrace(REPLAY_DEAD_LETTER, letter.event().traceContext(), SpanKind.INTERNAL);
        try (Scope ignored = root.makeCurrent()) {
            if (root.isRecording()) {
                root.setAttribute(DEAD_LETTER_ID, letter.id())
                        .setAttribute(EVENT_ID, letter.event().id())
                        .setAttribute(ENTITY_TYPE, letter.event().entityType())
                        .setAttribute(OBSERVER, observer.name())
                        .setAttribute(ACTION_TYPE, letter.actionType())
                        .setAttribute(ACTION_INDEX, letter.actionIndex());
            }
            List<Integer> indexes = LetterActions.actionsToReplay(letter, observer);
            if (indexes == null) {
                root.recordError("observer '" + observer.name() + "' no longer has action " + letter.actionIndex(), null);
                return new Result(letter.id(), Outcome.STAYS, "observer '" + observer.name()
                        + "' no longer has action #" + letter.actionIndex() + " of type " + letter.actionType()
                        + "; the letter stays in the queue: put the action back to replay it, or remove the letter"
                        + " with `dlq delete --id " + letter.id() + "`");
            }
            if (letter.actionIndex() < 0) {
                LetterActions.ConditionCheck check = LetterActions.checkCondition(observer, letter, root);
                if (check.failure() != null) {
                    return new Result(letter.id(), Outcome.STAYS, check.failure());
                }
                if (!check.matched()) {
                    removeDone(letter, stop);
                    return new Result(letter.id(), Outcome.DELIVERED, "condition no longer matches; letter removed");
                }
            }
            LetterActions.Ending ending = actions.run(tracer, letter, observer, indexes, root, completion, stop);
            if (!ending.begun() && !notBegunSaid) {
                return null;
            }
            if (!ending.delivered()) {
                if (ending.begun() && root.isRecording()) {
                    root.setAttribute(OUTCOME, "failed");
                }
                return new Result(letter.id(), Outcome.STAYS, ending.message());
            }
            removeDone(letter, stop);
            if (root.isRecording()) {
                root.setAttribute(OUTCOME, "delivered");
            }
            return new Result(letter.id(), Outcome.DELIVERED, ending.message());
        } finally {
            root.end();
        }
    }

    /** Removes a letter its replay settled; a stop while the database holds the removal says what that leaves. */
    private void removeDone(DeadLetter letter, ReplayStop stop) {
        stop.database("removing letter " + letter.id() + ", delivered (or its condition no longer matching), from the"
                + " queue: it may stay there, and the next replay send it again ('pg-observer dlq delete --id "
                + letter.id() + "' if its receiver must not get it twice)", () -> deadLetters.remove(letter.id()));
    }
}
