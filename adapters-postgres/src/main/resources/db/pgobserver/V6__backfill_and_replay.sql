-- Backfills and replays (docs/architecture.md, "Backfill and replay").

-- A backfill logs one 'read' change per existing row, in the same transaction that holds the row's share lock, so
-- that per row the read and the live changes reach change_log in commit order.
alter table pgobserver.change_log drop constraint change_log_kind_check;
alter table pgobserver.change_log
    add constraint change_log_kind_check check (kind in ('created', 'updated', 'deleted', 'read'));

-- A read change names the backfill that logged it (the event span's "backfill" attribute) and, when the backfill
-- is for one observer, that observer: the others skip it. Null on every live change. Dead letters and parked
-- events copy whole events, so they keep both.
alter table pgobserver.change_log
    add column backfill_id     bigint,
    add column target_observer text;
alter table pgobserver.dead_letters
    add column backfill_id     bigint,
    add column target_observer text;
alter table pgobserver.parked_events
    add column backfill_id     bigint,
    add column target_observer text;

-- One row per backfill. last_key holds the primary key of the last row of the last finished chunk, as text per
-- key column (null before the first chunk): a resume continues after it. The row is updated in the chunk's own
-- transaction, so it never runs ahead of, or behind, the read changes logged.
create table pgobserver.backfills (
    id           bigint generated always as identity primary key,
    table_name   text        not null,
    observer     text,
    where_clause text,
    chunk        integer     not null check (chunk between 1 and 100000),
    last_key     text[],
    rows_done    bigint      not null default 0,
    state        text        not null default 'running' check (state in ('running', 'finished', 'cancelled')),
    started_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    finished_at  timestamptz,
    cancelled_at timestamptz
);

-- One running backfill per table: a second start is refused (or resumes the first) rather than interleaving.
create unique index backfills_one_running_idx on pgobserver.backfills (table_name) where state = 'running';

comment on table pgobserver.backfills is
    'Backfills (pg-observer backfill): one read change per existing row, chunk by chunk in primary-key order.';

-- How far retention has deleted change_log: the largest id and time of any row it removed. A replay whose stretch
-- starts at or below them may have lost rows, and is refused. One row, written in each delete's own statement.
create table pgobserver.retention_horizon (
    single          boolean     primary key default true check (single),
    max_deleted_id  bigint      not null default 0,
    max_deleted_at  timestamptz not null default '-infinity'
);

insert into pgobserver.retention_horizon default values;
