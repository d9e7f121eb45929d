package io.pgobserver.domain.port;

import io.pgobserver.domain.event.Checkpoint;

/**
 * A consumer's checkpoint said in words, the one way every log line, command and console page says it: the last
 * change_log id whose events are done, with the batch in parentheses for support. The internal "7/1042" said nothing
 * to an operator reading the log at 3 a.m.
 */
public final class CheckpointWords {

    private CheckpointWords() {
    }

    /**
     * "events done up to change_log id 1042 (batch 7 in progress, every earlier batch done)", "every batch before
     * batch 4 done, none of its events yet", or "no event done yet".
     */
    public static String of(Checkpoint at) {
        if (at.afterId() > 0) {
            return "events done up to change_log id " + at.afterId() + " (batch " + at.batch() + " in progress"
                    + (at.batch() > 1 ? ", every earlier batch done)" : ")");
        }
        return at.batch() > 1 ? "every batch before batch " + at.batch() + " done, none of its events yet"
                : "no event done yet";
    }

    /**
     * The checkpoint and, when events past it were handed to actions (a restart checks those against the delivery
     * records), how far: "…; handed to actions up to id 1044, not yet done", naming the batch when it is a later one.
     */
    public static String of(Checkpoint at, CheckpointStore.HighWater handed) {
        boolean ahead = handed.batch() > at.batch() || handed.batch() == at.batch() && handed.id() > at.afterId();
        return ahead ? of(at) + "; handed to actions up to id " + handed.id()
                + (handed.batch() == at.batch() ? "" : " (batch " + handed.batch() + ")") + ", not yet done" : of(at);
    }
}
