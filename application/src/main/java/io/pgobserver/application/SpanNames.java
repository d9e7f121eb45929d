package io.pgobserver.application;

/** The names of the span tree (docs/architecture.md) and of its attributes, in one place so tests and docs agree. */
public final class SpanNames {

    public static final String PROCESS_EVENT = "process_event";
    public static final String LOAD_CHECKPOINT = "load_checkpoint";
    public static final String EVALUATE_CONDITION = "evaluate_condition";
    public static final String EXECUTE_ACTIONS = "execute_actions";
    public static final String EXECUTE_ACTION = "execute_action";
    public static final String SAVE_CHECKPOINT = "save_checkpoint";
    public static final String CACHE_WRITE = "cache_write";
    public static final String EXPORT_METRICS = "export_metrics";
    public static final String REPLAY_DEAD_LETTER = "replay_dead_letter";
    public static final String DEAD_LETTER = "dead_letter";

    public static final String EVENT_ID = "event_id";
    public static final String ENTITY_TYPE = "entity_type";
    public static final String ENTITY_ID = "entity_id";
    public static final String KIND = "kind";
    public static final String CHECKPOINT_OFFSET = "checkpoint_offset";
    public static final String EVENTS_COVERED = "events_covered";
    public static final String RECOVERED_FROM_CHECKPOINT = "recovered_from_checkpoint";
    public static final String OBSERVER = "observer";
    public static final String CONDITION_MATCHED = "condition_matched";
    public static final String ACTION_COUNT = "action_count";
    public static final String ACTION_TYPE = "action_type";
    public static final String ACTION_INDEX = "action_index";
    public static final String ATTEMPT = "attempt";
    public static final String RETRY_IN_MS = "retry_in_ms";
    /** On a failed attempt: OpenTelemetry's {@code error.type}, the failure's class (a status code, an exception). */
    public static final String ERROR_TYPE = "error.type";
    public static final String DEAD_LETTERED = "dead_lettered";
    public static final String DEDUPLICATED = "deduplicated";
    public static final String DELIVERIES_WRITTEN = "deliveries_written";
    public static final String DEAD_LETTER_ID = "dead_letter_id";
    public static final String OUTCOME = "outcome";
    /** On {@code process_event}: the id of the backfill that logged a read event. */
    public static final String BACKFILL = "backfill";
    /** On {@code process_event}: true when {@code pg-observer replay} ran the event again. */
    public static final String REPLAY = "replay";

    private SpanNames() {
    }
}
