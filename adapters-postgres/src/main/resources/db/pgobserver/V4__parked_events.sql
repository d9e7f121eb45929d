-- Parked entities. When one entity's oldest event cannot finish (its receiver is down for hours, say), the pipeline
-- parks the entity: its pending events move here, in order, so that the stream and the checkpoint move on without
-- it, and its own drainer runs them oldest first. Events are copied whole (as dead letters are), so retention of
-- change_log never removes one that is still parked. One queue per consumer and lane (the entity, or a single event
-- of observers with ordering: none), ordered by seq; an event read again after a restart (same change_log id)
-- keeps its place.
create table pgobserver.parked_events (
    consumer    text        not null,
    queue       text        not null,
    seq         bigint generated always as identity,
    "offset"    bigint      not null,
    event_id    text        not null,
    txid        bigint      not null,
    entity_type text        not null,
    entity_id   text        not null,
    kind        text        not null,
    before      jsonb,
    after       jsonb,
    occurred_at timestamptz not null,
    traceparent text,
    tracestate  text,
    parked_at   timestamptz not null default now(),
    primary key (consumer, "offset")
);

create index parked_events_queue_idx on pgobserver.parked_events (consumer, queue, seq);

comment on table pgobserver.parked_events is
    'Events of parked (stuck) entities, per consumer, in the order they run once the entity recovers.';

-- Delivery records say which event they settle, so that retention keeps them as long as the event may run again:
-- until every consumer has passed its change_log row (retention deleted the row) and it is parked nowhere.
-- Records of earlier releases have none, and go by age as before.
alter table pgobserver.deliveries
    add column change_log_id bigint;
