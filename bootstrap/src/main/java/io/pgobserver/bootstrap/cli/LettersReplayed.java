package io.pgobserver.bootstrap.cli;

import io.pgobserver.application.ReplayDeadLetters;
import io.pgobserver.bootstrap.config.OneLine;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What a {@code dlq replay} did, counted as its letters run: counts and the first ids not delivered, never every
 * result, so that a queue of a million letters takes no more memory to report than one of ten.
 */
final class LettersReplayed {

    /** How many ids of letters not delivered the error line names. */
    static final int IDS_NAMED = 20;

    private long replayed;
    private long notDelivered;
    private final List<Long> firstNotDelivered = new ArrayList<>();
    private String firstReason;

    void add(ReplayDeadLetters.Result result) {
        replayed++;
        if (result.delivered()) {
            return;
        }
        if (notDelivered++ == 0) {
            firstReason = result.message();
        }
        if (firstNotDelivered.size() < IDS_NAMED) {
            firstNotDelivered.add(result.id());
        }
    }

    boolean none() {
        return replayed == 0;
    }

    boolean allDelivered() {
        return notDelivered == 0;
    }

    /** The summary line, as {@code replayed 3: 2 delivered, 1 not delivered}. */
    String summary() {
        return "replayed " + replayed + ": " + (replayed - notDelivered) + " delivered, " + notDelivered
                + " not delivered";
    }

    /** The error line naming the letters that stay in the queue; only when some do. */
    String error() {
        if (notDelivered == 1) {
            return "letter " + firstNotDelivered.getFirst() + " was not delivered: " + OneLine.of(firstReason);
        }
        // The first ids, then how many more: a queue of thousands must not make a line of thousands of ids.
        String ids = firstNotDelivered.stream().map(String::valueOf).collect(Collectors.joining(", "));
        return notDelivered + " letters were not delivered (ids " + ids
                + (notDelivered > IDS_NAMED ? " and " + (notDelivered - IDS_NAMED) + " more" : "")
                + "; reasons above); they stay in the queue";
    }
}
