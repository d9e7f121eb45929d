package io.pgobserver.application;

import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.DeadLetter;
import io.pgobserver.domain.port.Deliveries;
import io.pgobserver.domain.port.DeliveryKey;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.Tracer;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static io.pgobserver.application.SpanNames.OUTCOME;
import static java.lang.System.Logger.Level.WARNING;

/**
 * Runs the actions of one dead letter in a replay. A condition's letter covers every action of its observer: each
 * one delivered is recorded in the delivery log as it is, and one the log has settled is not run again, so a replay
 * that fails or is stopped in the second action leaves the next replay only what is left (the receiver of the first
 * gets it once). Without a delivery log ({@code listener.deduplicate: false}) every action runs again. The log's
 * reads and writes are the stop's database calls ({@link ReplayStop#database}), as the queue's are.
 */
final class LetterActions {

    private static final System.Logger LOG = System.getLogger(LetterActions.class.getName());

    /**
     * How the letter's actions ended: all delivered (or delivered before), and the line that says it; {@code begun} is
     * false when a stop came before this replay sent anything of the letter (its claim and reads done, no attempt of
     * any action begun), so that a replay of the whole queue leaves it as the letters after it, not come to.
     */
    record Ending(boolean delivered, boolean begun, String message) {
    }

    private final String consumer;
    private final RunAction runAction;
    private final Deliveries deliveries;

    /** @param deliveries the delivery log, or null to record nothing and run every action of a letter again */
    LetterActions(String consumer, RunAction runAction, Deliveries deliveries) {
        this.consumer = consumer;
        this.runAction = runAction;
        this.deliveries = deliveries;
    }

    Ending run(Tracer tracer, DeadLetter letter, Observer observer, List<Integer> indexes, Span root,
               EventCompletion completion, ReplayStop stop) throws InterruptedException {
        boolean several = letter.actionIndex() < 0;
        List<String> ids = new ArrayList<>(indexes.size());
        for (int index : indexes) {
            // A letter of one action keeps the id its failed attempts carried, even when the action was edited
            // since (found by its index; a new URL gives an action without an id: a new key): a receiver
            // that took a request whose answer never came tells the replay for the same delivery.
            String actionKey = several ? observer.actionKeys().get(index) : letter.actionKey();
            ids.add(DeliveryKey.of(consumer, letter.event(), observer.name(), actionKey).id());
        }
        // Only a condition's letter: the failed action of a one-action letter is recorded as settled (dead-lettered).
        Set<String> before = several && deliveries != null ? stop.database("reading which actions of letter "
                + letter.id() + " the delivery log has settled; none was sent: it stays in the queue",
                () -> deliveries.settled(ids)) : Set.of();
        List<String> done = new ArrayList<>();
        boolean sent = false; // whether an action of the letter was delivered by this replay
        for (int n = 0; n < indexes.size(); n++) {
            int index = indexes.get(n);
            String action = "action #" + index + " (" + observer.actions().get(index).type() + ")";
            if (before.contains(ids.get(n))) {
                // The log says settled, not by whom: the pipeline may have delivered it since (the event run again
                // after a restart), or dead-lettered it as a letter of its own, as well as an earlier replay.
                done.add(action + " already settled in the delivery log (delivered by the pipeline or an earlier "
                        + "replay, or a dead letter of its own), not sent again");
                continue;
            }
            RunAction.Outcome outcome;
            try {
                outcome = runAction.run(tracer, letter.event(), observer, index, ids.get(n), root, completion);
            } catch (InterruptedException e) {
                if (!completion.cancelled()) {
                    throw e;
                }
                boolean begun = sent || !(e instanceof RunAction.NoAttemptBegun);
                if (begun) {
                    root.recordError("stopped before it was delivered", null);
                } else if (root.isRecording()) {
                    // No error: nothing was sent, as for an event the pipeline's stop left before its first attempt.
                    root.setAttribute(OUTCOME, "stopped").addEvent("stopped before its first attempt: nothing was "
                            + "sent; the letter stays in the queue");
                }
                return new Ending(false, begun, (several ? action + " " : "") + "not delivered: stopped before it "
                        + "was, and no attempt was begun after the stop; it stays in the queue" + after(done));
            }
            if (!outcome.succeeded()) {
                String message = ((ActionResult.Failure) outcome.result()).message();
                root.recordError(message, null);
                return new Ending(false, true, (several ? action + " " : "") + "still failing after "
                        + outcome.attempts() + " attempt(s): " + message + after(done));
            }
            sent = true;
            done.add(action + " delivered" + (several ? recorded(letter, action, ids.get(n), stop) : ""));
        }
        return new Ending(true, true, "delivered" + (several && indexes.size() > 1 ? " (" + String.join("; ", done)
                + ")" : ""));
    }

    /** What the letter's earlier actions got, after the line of the one that stopped it. */
    private static String after(List<String> done) {
        return done.isEmpty() ? "" : " (before it: " + String.join("; ", done) + ")";
    }

    /**
     * Records a condition's letter's action as delivered, so that the next replay of the letter skips it; says when
     * that is not so.
     */
    private String recorded(DeadLetter letter, String action, String id, ReplayStop stop) throws InterruptedException {
        if (deliveries == null) {
            return ", and sent again by the next replay (listener.deduplicate is false)";
        }
        try {
            stop.database("recording " + action + " of letter " + letter.id() + ", delivered, in the delivery log: "
                    + "the letter stays in the queue, and the next replay may send that action again (a webhook with "
                    + "the same webhook-id)", () -> record(letter, id));
            return ", the next replay skips it";
        } catch (RuntimeException e) {
            LOG.log(WARNING, "delivery record of dead letter " + letter.id() + "'s action not written (the next "
                    + "replay sends it again): " + e.getMessage());
            return ", not recorded (" + e.getMessage() + "): the next replay sends it again";
        }
    }

    /** Writes the action's record outside the pipeline: unfenced, so never fenced off. */
    private Void record(DeadLetter letter, String id) throws InterruptedException {
        try {
            deliveries.record(null, letter.event().position().offset(), List.of(id));
            return null;
        } catch (CheckpointStore.FencedException e) {
            throw new IllegalStateException("an unfenced write cannot be fenced", e);
        }
    }

    /**
     * The actions to run: the one that failed, found by its stable key (else, for letters written before actions had
     * keys, by its index and type), or all of them when the condition failed; null when it is gone.
     */
    static List<Integer> actionsToReplay(DeadLetter letter, Observer observer) {
        if (letter.actionIndex() < 0) {
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < observer.actions().size(); i++) {
                all.add(i);
            }
            return all;
        }
        int byKey = observer.actionKeys().indexOf(letter.actionKey());
        if (byKey >= 0) {
            return List.of(byKey);
        }
        if (letter.actionIndex() >= observer.actions().size()
                || !observer.actions().get(letter.actionIndex()).type().equals(letter.actionType())) {
            return null;
        }
        return List.of(letter.actionIndex());
    }

    /** Whether the condition matches the letter's event now, or why it still fails (null when it ran). */
    record ConditionCheck(boolean matched, String failure) {
    }

    /** Evaluates again the condition that failed on the letter's event. */
    static ConditionCheck checkCondition(Observer observer, DeadLetter letter, Span root) {
        try {
            return new ConditionCheck(observer.condition().matches(letter.event()), null);
        } catch (Exception e) {
            String message = "condition of observer '" + observer.name() + "' still fails on event "
                    + letter.event().id() + ": " + e.getMessage() + "; the letter stays";
            root.recordError(message, e);
            return new ConditionCheck(false, message);
        }
    }
}
