-- Delivery core v2: change_log is read in batches between snapshots (as PgQ does), positions are fenced by an
-- epoch, and dead letters and delivery records belong to a consumer.
--
-- The batch read looks rows up by txid (one transaction, or a range of them): the unique (txid, id) index of V1
-- serves both lookups, so no new index is needed.

-- The snapshots that bound each batch a consumer has read, so that a restart re-reads exactly the same rows.
-- Batch 0 is the starting point (its snapshot_to is where batch 1 begins).
create table pgobserver.batches (
    consumer      text        not null,
    seq           bigint      not null check (seq >= 0),
    snapshot_from pg_snapshot not null,
    snapshot_to   pg_snapshot not null,
    primary key (consumer, seq)
);

alter table pgobserver.checkpoints
    add column epoch            bigint not null default 0,
    add column batch            bigint,
    add column after_id         bigint,
    add column dispatched_batch bigint not null default 0,
    add column dispatched_id    bigint not null default 0;

-- A position (txid T, offset I) of the first release means: every row of a transaction below T is done, and the
-- rows of T up to id I. Batch 0 ends at 'T:T:' (every xid below T visible), batch 1 runs from there to
-- '(T+1):(T+1):', which adds exactly transaction T, and the checkpoint is (batch 1, after I): the rest of T comes
-- first, then everything after. The first release may have dispatched rows beyond its checkpoint, up to the last
-- id it read: the high-water mark covers batch 2 up to the current last id, so those rows are looked up in the
-- delivery records rather than taken as never run.
insert into pgobserver.batches (consumer, seq, snapshot_from, snapshot_to)
select consumer, 0, (txid || ':' || txid || ':')::pg_snapshot, (txid || ':' || txid || ':')::pg_snapshot
  from pgobserver.checkpoints
union all
select consumer, 1, (txid || ':' || txid || ':')::pg_snapshot,
       ((txid::text::bigint + 1) || ':' || (txid::text::bigint + 1) || ':')::pg_snapshot
  from pgobserver.checkpoints;

update pgobserver.checkpoints
   set batch = 1,
       after_id = "offset",
       dispatched_batch = 2,
       dispatched_id = coalesce((select max(id) from pgobserver.change_log), 0);

alter table pgobserver.checkpoints
    alter column batch set not null,
    alter column after_id set not null,
    add constraint checkpoints_position_check check (batch >= 1 and after_id >= 0),
    drop column txid,
    drop column "offset";

comment on table pgobserver.checkpoints is
    'One row per consumer: every batch before "batch" is done, and of that batch every row up to after_id. '
    'epoch fences writes (bumped by each process that takes over); dispatched_* is how far dispatch went.';

-- Dead letters belong to the consumer that gave up on them. Letters of the first release go to the only
-- consumer there is, or to 'default' when there is none or several (the first release kept no consumer).
alter table pgobserver.dead_letters
    add column consumer   text,
    add column action_key text;

update pgobserver.dead_letters
   set consumer = coalesce((select min(consumer) from pgobserver.checkpoints
                             having count(*) = 1), 'default'),
       -- The first release keyed actions by position: '<type>-<index>', as observers built without ids are keyed.
       action_key = case when action_index < 0 then action_type else action_type || '-' || action_index end;

alter table pgobserver.dead_letters
    alter column consumer set not null,
    alter column action_key set not null;

drop index pgobserver.dead_letters_observer_idx;
create index dead_letters_consumer_idx on pgobserver.dead_letters (consumer, observer);

-- Delivery ids already name the consumer (they hash it in); the column says whose a record is, for people and
-- for retention. Records of the first release have none.
alter table pgobserver.deliveries
    add column consumer text;
