-- pg-observer's own objects. Flyway creates the schema and keeps its history table in it.

-- The change stream. Readers go by (txid, id), never by id alone: see PostgresChangeSource for why.
create table pgobserver.change_log (
    id          bigint generated always as identity primary key,
    txid        xid8        not null default pg_current_xact_id(),
    event_id    uuid        not null default gen_random_uuid(),
    entity_type text        not null check (entity_type ~ '\S'),
    entity_id   text        not null,
    kind        text        not null check (kind in ('created', 'updated', 'deleted')),
    before      jsonb check (jsonb_typeof(before) in ('object', 'null')),
    after       jsonb check (jsonb_typeof(after) in ('object', 'null')),
    traceparent text,
    tracestate  text,
    occurred_at timestamptz not null default now()
);

create unique index change_log_stream_idx on pgobserver.change_log (txid, id);
create index change_log_occurred_at_idx on pgobserver.change_log (occurred_at);

comment on table pgobserver.change_log is
    'Row changes captured by pgobserver.capture(), or inserted directly by applications (outbox style: '
    'entity_type, entity_id, kind and after are enough). Read in (txid, id) order.';

-- One row per consumer: the position of the last event whose actions have all run or been dead-lettered.
create table pgobserver.checkpoints (
    consumer   text        primary key,
    txid       xid8        not null,
    "offset"   bigint      not null,
    updated_at timestamptz not null default now()
);

create table pgobserver.dead_letters (
    id           bigint generated always as identity primary key,
    event_id     text        not null,
    txid         bigint      not null,
    "offset"     bigint      not null,
    entity_type  text        not null,
    entity_id    text        not null,
    kind         text        not null,
    before       jsonb,
    after        jsonb,
    occurred_at  timestamptz not null,
    traceparent  text,
    tracestate   text,
    observer     text        not null,
    action_index integer     not null,
    action_type  text        not null,
    error        text        not null,
    attempts     integer     not null,
    failed_at    timestamptz not null
);

create index dead_letters_observer_idx on pgobserver.dead_letters (observer);

-- Successful deliveries, so an event redelivered after a crash does not run the same action twice.
create table pgobserver.deliveries (
    delivery_id  text        primary key,
    delivered_at timestamptz not null default now()
);

create index deliveries_delivered_at_idx on pgobserver.deliveries (delivered_at);

-- The row trigger installed on captured tables. TG_ARGV[0] names the entity id column.
-- The writer's trace context comes from `SET LOCAL pgobserver.traceparent = '00-...'` (and tracestate), or
-- else from traceparent/tracestate fields of the new row. Values are stored as they are: they are checked
-- when read, so a malformed one can never fail the application's write.
-- SECURITY DEFINER: applications write their tables under their own roles, which need no privilege on this
-- schema; the pinned search_path keeps a caller's objects from standing in for the ones used here.
create function pgobserver.capture() returns trigger
    language plpgsql
    security definer
    set search_path = pg_catalog, pg_temp
as
$$
declare
    old_row     jsonb;
    new_row     jsonb;
    change_kind text;
    parent      text := nullif(current_setting('pgobserver.traceparent', true), '');
    state       text := nullif(current_setting('pgobserver.tracestate', true), '');
begin
    if tg_op = 'INSERT' then
        change_kind := 'created';
        new_row := to_jsonb(new);
    elsif tg_op = 'UPDATE' then
        change_kind := 'updated';
        old_row := to_jsonb(old);
        new_row := to_jsonb(new);
    else
        change_kind := 'deleted';
        old_row := to_jsonb(old);
    end if;

    if parent is null and new_row is not null then
        parent := new_row ->> 'traceparent';
        state := new_row ->> 'tracestate';
    end if;

    insert into pgobserver.change_log (entity_type, entity_id, kind, before, after, traceparent, tracestate)
    values (tg_table_schema || '.' || tg_table_name,
            coalesce(coalesce(new_row, old_row) ->> tg_argv[0], ''),
            change_kind, old_row, new_row, parent, state);
    return null;
end
$$;

-- Wakes listeners. A statement trigger on change_log itself, so rows inserted directly by applications
-- notify too. PostgreSQL folds identical notifications of one transaction into one, delivered at commit.
create function pgobserver.notify_listeners() returns trigger
    language plpgsql
as
$$
begin
    perform pg_notify('pgobserver_events', '');
    return null;
end
$$;

create trigger change_log_notify
    after insert on pgobserver.change_log
    for each statement
execute function pgobserver.notify_listeners();
