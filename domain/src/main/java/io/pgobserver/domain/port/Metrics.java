package io.pgobserver.domain.port;

/**
 * Counters and histograms of the pipeline. Calls are on the hot path: implementations record and return,
 * never block or throw.
 */
public interface Metrics {

    /** Records nothing. */
    Metrics NOOP = new Metrics() {
    };

    /** One event fully handled. {@code outcome}: {@code matched}, {@code unmatched}, {@code failed}. */
    default void eventProcessed(String entityType, String outcome, long durationNanos) {
    }

    /**
     * One action attempt.
     *
     * @param observer  the observer's configured name: bounded, so two observers of one action type are told apart
     * @param outcome   {@code success}, {@code retry}, {@code failed}
     * @param errorType null on success; else the failure's {@link ActionResult.Failure#errorType()} (OpenTelemetry's
     *                  {@code error.type}: a status code, a short identifier, an exception's class name)
     */
    default void actionExecuted(String observer, String actionType, String outcome, String errorType, long durationNanos) {
    }

    default void deadLettered(String observer, String actionType) {
    }

    /** One event at least one of whose actions needed more than one attempt. */
    default void eventRetried(String entityType) {
    }

    /**
     * One HTTP request an action sent (a webhook, a Slack call), as OpenTelemetry's
     * {@code http.client.request.duration} records it.
     *
     * @param status    the response's status code, or 0 when no response arrived
     * @param errorType null when it went through; else the status code ({@code "503"}) for a 4xx or 5xx answer, or
     *                  the failure's kind ({@code "timeout"}, the exception's class name) when none arrived
     */
    default void httpClientRequest(String method, String host, int port, int status, String errorType,
                                   long durationNanos) {
    }

    /** A checkpoint was saved: its age is measured from here. */
    default void checkpointSaved() {
    }

    /** How far the listener is behind the stream. */
    default void listenerLag(long events, long ageMillis) {
    }

    /**
     * How long the oldest open transaction that has written events has been open ({@link
     * ChangeSource#oldestOpenWriter()}): its events wait for its commit. 0 when there is none.
     */
    default void openTransactionAge(long ageMillis) {
    }

    /**
     * Where to read, when metrics are collected, how many entities this process has parked (their events wait in
     * the parked queues). Set when a term starts; a process that leads no longer reads zero.
     */
    default void parkedEntities(java.util.function.LongSupplier count) {
    }

    /**
     * The observed tables whose capture is broken now ({@link CaptureInstaller#problems}), each reported until a
     * later check no longer finds it. Replaces what an earlier call set.
     */
    default void captureProblems(java.util.List<CaptureInstaller.Problem> problems) {
    }
}
