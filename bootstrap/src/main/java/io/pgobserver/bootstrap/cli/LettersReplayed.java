package io.pgobserver.bootstrap.cli;

import io.pgobserver.application.ReplayDeadLetters;
import io.pgobserver.bootstrap.config.OneLine;
import io.pgobserver.domain.spi.DeadLetterReplay;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What a {@code dlq replay} did, counted as its letters run: counts and the first ids not delivered, never every
 * result, so that a queue of a million letters takes no more memory to report than one of ten. A letter another
 * session was replaying, or had already removed, was not run here: each is counted apart, as neither delivered nor
 * failed.
 */
final class LettersReplayed {

    /** How many ids of letters not delivered the error line names. */
    static final int IDS_NAMED = 20;

    private long replayed;
    private final DeadLetterReplay.Tally tally = new DeadLetterReplay.Tally();
    private final Kept notDelivered = new Kept();
    private final Kept elsewhere = new Kept();

    /** The letters of one kind that stay in the queue: how many, the first ids and the first one's reason. */
    private static final class Kept {
        private long count;
        private final List<Long> first = new ArrayList<>();
        private String firstReason;

        void add(ReplayDeadLetters.Result result) {
            if (count++ == 0) {
                firstReason = result.message();
            }
            if (first.size() < IDS_NAMED) {
                first.add(result.id());
            }
        }

        /** The first ids, then how many more: a queue of thousands must not make a line of thousands of ids. */
        String ids() {
            return first.stream().map(String::valueOf).collect(Collectors.joining(", "))
                    + (count > IDS_NAMED ? " and " + (count - IDS_NAMED) + " more" : "");
        }
    }

    void add(ReplayDeadLetters.Result result) {
        replayed++;
        tally.add(result.outcome());
        switch (result.outcome()) {
            case STAYS -> notDelivered.add(result);
            case REPLAYED_ELSEWHERE -> elsewhere.add(result);
            case DELIVERED, GONE -> { }
        }
    }

    boolean none() {
        return replayed == 0;
    }

    /** Whether no letter this replay came to stays in the queue: each was delivered, or was gone already. */
    boolean noneStays() {
        return notDelivered.count == 0 && elsewhere.count == 0;
    }

    /**
     * The summary line, as {@code replayed 3: 2 delivered, 1 not delivered}, then the letters not run here, when
     * there are any.
     */
    String summary() {
        return "replayed " + replayed + ": " + tally.counts();
    }

    /** The error lines naming the letters that stay in the queue, one line per kind; only when some do. */
    List<String> errors() {
        List<String> lines = new ArrayList<>();
        if (notDelivered.count == 1) {
            lines.add("letter " + notDelivered.first.getFirst() + " was not delivered: "
                    + OneLine.of(notDelivered.firstReason));
        } else if (notDelivered.count > 1) {
            lines.add(notDelivered.count + " letters were not delivered (ids " + notDelivered.ids()
                    + "; reasons above); they stay in the queue");
        }
        if (elsewhere.count == 1) {
            lines.add("letter " + elsewhere.first.getFirst() + " was not run: "
                    + OneLine.of(elsewhere.firstReason));
        } else if (elsewhere.count > 1) {
            lines.add(elsewhere.count + " letters were not run: another session was replaying them (ids "
                    + elsewhere.ids() + "); they stay in the queue until it ends, delivered or not");
        }
        return lines;
    }
}
