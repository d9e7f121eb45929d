package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.pgobserver.domain.port.CaptureInstaller;
import io.pgobserver.domain.port.Metrics;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * The pipeline's metrics on the OpenTelemetry metrics SDK. Names follow OpenTelemetry's conventions; the
 * Prometheus exporter turns them into {@code pgobserver_events_processed_total},
 * {@code pgobserver_event_duration_seconds}, {@code pgobserver_action_duration_seconds},
 * {@code pgobserver_action_failures_total}, {@code pgobserver_dead_letters_total},
 * {@code pgobserver_events_retried_total}, {@code pgobserver_listener_lag},
 * {@code pgobserver_listener_lag_age_seconds}, {@code pgobserver_listener_open_transaction_age_seconds},
 * {@code pgobserver_checkpoint_age_seconds}, {@code pgobserver_parked_entities}, {@code pgobserver_capture_problems},
 * and the semantic conventions' {@code http.client.request.duration} (scraped
 * as {@code http_client_request_duration_seconds}).
 * Attribute sets are made once per label combination, so recording allocates nothing in steady state.
 */
final class OtelMetrics implements Metrics {

    static final String SCOPE = "io.pgobserver";
    /** Seconds, from half a millisecond (a cached webhook) to a minute (a retried, timed-out one). */
    static final List<Double> DURATION_BUCKETS = List.of(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
            0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0);

    private static final AttributeKey<String> ENTITY_TYPE = AttributeKey.stringKey("entity_type");
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("outcome");
    private static final AttributeKey<String> ACTION_TYPE = AttributeKey.stringKey("action_type");
    private static final AttributeKey<String> OBSERVER = AttributeKey.stringKey("observer");
    private static final AttributeKey<String> TABLE = AttributeKey.stringKey("table");
    private static final AttributeKey<String> PROBLEM = AttributeKey.stringKey("problem");
    /** The semantic conventions' buckets for {@code http.client.request.duration}, in seconds. */
    static final List<Double> HTTP_BUCKETS = List.of(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0,
            2.5, 5.0, 7.5, 10.0);
    private static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    private static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    private static final AttributeKey<Long> STATUS_CODE = AttributeKey.longKey("http.response.status_code");
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    private final LongCounter eventsProcessed;
    private final DoubleHistogram eventDuration;
    private final DoubleHistogram actionDuration;
    private final LongCounter actionFailures;
    private final LongCounter deadLetters;
    private final LongCounter eventsRetried;
    private final DoubleHistogram httpClientDuration;
    private volatile long lastCheckpointNanos;
    private final AttributeSets entityOutcome = new AttributeSets(ENTITY_TYPE, OUTCOME);
    private final AttributeSets attemptSucceeded = new AttributeSets(OBSERVER, ACTION_TYPE, OUTCOME);
    private final AttributeSets attemptFailed = new AttributeSets(OBSERVER, ACTION_TYPE, OUTCOME, ERROR_TYPE);
    private final AttributeSets observerAction = new AttributeSets(OBSERVER, ACTION_TYPE);
    private volatile long lagEvents;
    private volatile long lagAgeMillis;
    private volatile long openTransactionAgeMillis;
    private volatile LongSupplier parked = () -> 0;
    private volatile List<CaptureInstaller.Problem> captureProblems = List.of();

    OtelMetrics(Meter meter) {
        eventsProcessed = meter.counterBuilder("pgobserver.events.processed")
                .setDescription("Events fully handled, by entity type and outcome (matched, unmatched, failed)")
                .setUnit("{event}").build();
        eventDuration = meter.histogramBuilder("pgobserver.event.duration")
                .setDescription("Time to handle one event, from dispatch to checkpoint hand-off")
                .setUnit("s").setExplicitBucketBoundariesAdvice(DURATION_BUCKETS).build();
        actionDuration = meter.histogramBuilder("pgobserver.action.duration")
                .setDescription("Time of one action attempt, by observer, action type and outcome (success, retry,"
                        + " failed); failed attempts with error.type")
                .setUnit("s").setExplicitBucketBoundariesAdvice(DURATION_BUCKETS).build();
        actionFailures = meter.counterBuilder("pgobserver.action.failures")
                .setDescription("Action attempts that failed, by observer, action type, outcome (retry, failed) and"
                        + " error.type")
                .setUnit("{attempt}").build();
        deadLetters = meter.counterBuilder("pgobserver.dead_letters")
                .setDescription("Actions given up and stored as dead letters, by observer and action type")
                .setUnit("{action}").build();
        eventsRetried = meter.counterBuilder("pgobserver.events.retried")
                .setDescription("Events at least one of whose actions took more than one attempt, by entity type")
                .setUnit("{event}").build();
        httpClientDuration = meter.histogramBuilder("http.client.request.duration")
                .setDescription("Duration of HTTP client requests (webhook and Slack actions), as the semantic"
                        + " conventions define it")
                .setUnit("s").setExplicitBucketBoundariesAdvice(HTTP_BUCKETS).build();
        meter.gaugeBuilder("pgobserver.checkpoint.age")
                .setDescription("Time since the last checkpoint was saved (reported once one was)")
                .setUnit("s").buildWithCallback(m -> {
                    long last = lastCheckpointNanos;
                    if (last != 0) {
                        m.record((System.nanoTime() - last) / 1e9);
                    }
                });
        meter.gaugeBuilder("pgobserver.listener.lag").ofLongs()
                .setDescription("Events committed but not yet read by the listener")
                .setUnit("{event}").buildWithCallback(m -> m.record(lagEvents));
        meter.gaugeBuilder("pgobserver.listener.lag.age")
                .setDescription("Age of the oldest event not yet read by the listener")
                .setUnit("s").buildWithCallback(m -> m.record(lagAgeMillis / 1000.0));
        meter.gaugeBuilder("pgobserver.listener.open_transaction.age")
                .setDescription("How long the oldest open transaction that has written events has been open: its "
                        + "events wait for its commit (0 when none)")
                .setUnit("s").buildWithCallback(m -> m.record(openTransactionAgeMillis / 1000.0));
        meter.gaugeBuilder("pgobserver.parked.entities").ofLongs()
                .setDescription("Entities parked: a receiver keeps failing for them, and their events wait in order")
                .setUnit("{entity}").buildWithCallback(m -> m.record(parked.getAsLong()));
        // One series per broken table, 1 while it lasts: an alert can name the table, and leave out the kind
        // "missing" where an application writes a table's events itself.
        meter.gaugeBuilder("pgobserver.capture.problems").ofLongs()
                .setDescription("Observed tables whose capture a schema change broke, by table and problem"
                        + " (missing, not_captured, partition, id_column); checked every minute")
                .setUnit("{table}").buildWithCallback(m -> captureProblems.forEach(problem -> m.record(1,
                        Attributes.of(TABLE, problem.table(), PROBLEM, problem.kind().label()))));
    }

    @Override
    public void eventProcessed(String entityType, String outcome, long durationNanos) {
        Attributes attributes = entityOutcome.get(entityType, outcome);
        eventsProcessed.add(1, attributes);
        eventDuration.record(durationNanos / 1e9, attributes);
    }

    @Override
    public void actionExecuted(String observer, String actionType, String outcome, String errorType,
                               long durationNanos) {
        if (errorType == null) {
            actionDuration.record(durationNanos / 1e9, attemptSucceeded.get(observer, actionType, outcome));
            return;
        }
        // A failed attempt carries error.type, as the semantic conventions ask of every failed operation; its set is
        // kept too, since a receiver that is down fails every attempt with the same few error types.
        Attributes attributes = attemptFailed.get(observer, actionType, outcome, errorType);
        actionDuration.record(durationNanos / 1e9, attributes);
        actionFailures.add(1, attributes);
    }

    @Override
    public void deadLettered(String observer, String actionType) {
        deadLetters.add(1, observerAction.get(observer, actionType));
    }

    @Override
    public void eventRetried(String entityType) {
        // Rare (a retry waits for a backoff), so the attributes are made per call.
        eventsRetried.add(1, Attributes.of(ENTITY_TYPE, entityType == null ? "unknown" : entityType));
    }

    @Override
    public void httpClientRequest(String method, String host, int port, int status, String errorType,
                                  long durationNanos) {
        // Made per call: one per HTTP request, next to which building five attributes is nothing.
        var attributes = Attributes.builder().put(HTTP_METHOD, method).put(SERVER_ADDRESS, host)
                .put(SERVER_PORT, port);
        if (status > 0) {
            attributes.put(STATUS_CODE, status);
        }
        if (errorType != null) {
            attributes.put(ERROR_TYPE, errorType);
        }
        httpClientDuration.record(durationNanos / 1e9, attributes.build());
    }

    @Override
    public void checkpointSaved() {
        long now = System.nanoTime();
        lastCheckpointNanos = now == 0 ? 1 : now;
    }

    @Override
    public void listenerLag(long events, long ageMillis) {
        lagEvents = events;
        lagAgeMillis = ageMillis;
    }

    @Override
    public void openTransactionAge(long ageMillis) {
        openTransactionAgeMillis = ageMillis;
    }

    @Override
    public void parkedEntities(LongSupplier count) {
        parked = count;
    }

    @Override
    public void captureProblems(List<CaptureInstaller.Problem> problems) {
        captureProblems = List.copyOf(problems);
    }
}
