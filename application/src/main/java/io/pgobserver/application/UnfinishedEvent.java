package io.pgobserver.application;

import io.pgobserver.domain.trace.Span;

import static io.pgobserver.application.SpanNames.OUTCOME;

/**
 * How the root span of an event that did not finish ends. Only a failure of the event's own is an error: an event
 * stopped or taken away is an expected outcome (every rolling deploy stops some), runs again elsewhere, and leaves
 * its status unset, as OpenTelemetry asks for outcomes that are not errors. A back-end's search for failed traces
 * then finds the events that failed, not every event a deploy handed over.
 */
final class UnfinishedEvent {

    private UnfinishedEvent() {
    }

    /**
     * Marks {@code root} for the exception that ended the event's run: {@code parked} when its row was parked,
     * {@code stopped} when this process may no longer run it (an {@link InterruptedException}: a stop, the lock lost,
     * the place claimed), else an error.
     */
    static void mark(Span root, Exception why, EventCompletion completion) {
        if (!(why instanceof InterruptedException)) {
            root.recordError("event not finished: " + why.getMessage(), why);
        } else if (completion.takenAway()) {
            root.setAttribute(OUTCOME, "parked").addEvent("parked: runs again, in order, from the parked queue");
        } else {
            root.setAttribute(OUTCOME, "stopped").addEvent("stopped before finishing (" + why.getMessage()
                    + "): the consumer's next holder delivers it again");
        }
    }
}
