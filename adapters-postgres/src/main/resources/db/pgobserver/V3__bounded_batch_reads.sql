-- Batches are read in time proportional to the page, whatever the batch holds (see PostgresChangeSource): each
-- snapshot is taken with the bounds that make it possible, and those bounds are stored with the batches.

-- The bounds rest on ids being handed out in time order: with a sequence cache above 1 each session draws from a
-- block of its own, and a later row could get a smaller id than one handed out before a snapshot.
do
$$
begin
    if (select s.seqcache from pg_sequence s
         where s.seqrelid = pg_get_serial_sequence('pgobserver.change_log', 'id')::regclass) <> 1 then
        raise exception 'the sequence of pgobserver.change_log.id must have CACHE 1 (ids in time order); run '
            '"alter table pgobserver.change_log alter column id set cache 1" and start again';
    end if;
end
$$;

-- A transaction's first insert into change_log would draw the row's id (column 1) before its own transaction id
-- is assigned (by the txid default, column 2). Assigning the transaction id first, before any row of the
-- statement, means every row's id is drawn after its transaction got its id: a transaction whose id is above a
-- snapshot taker's holds only ids above those handed out before that taker's id was assigned. The condition keeps
-- the cost to one check per statement; the function runs once per transaction at most, and only for
-- transactions whose first write is to change_log (capture triggers run after the captured row's write).
create function pgobserver.assign_transaction_id() returns trigger
    language plpgsql
as
$$
begin
    perform pg_current_xact_id();
    return null;
end
$$;

create trigger change_log_transaction_id
    before insert on pgobserver.change_log
    for each statement
    when (pg_current_xact_id_if_assigned() is null)
execute function pgobserver.assign_transaction_id();

-- Takes a snapshot as PgQ's ticker does, with its own transaction id: the last id handed out, then an id of its
-- own (above every transaction id assigned so far), the snapshot, and the last id handed out again. One round
-- trip; the caller commits at once. Rows inserted with OVERRIDING SYSTEM VALUE (explicit ids) break the bounds.
create function pgobserver.take_snapshot(out snapshot pg_snapshot, out taker_xid xid8, out ids_before bigint,
                                         out ids_after bigint)
    language plpgsql
    volatile
    set search_path = pg_catalog, pg_temp
as
$$
begin
    ids_before := coalesce(pg_sequence_last_value('pgobserver.change_log_id_seq'), 0);
    taker_xid := pg_current_xact_id();
    snapshot := pg_current_snapshot();
    ids_after := coalesce(pg_sequence_last_value('pgobserver.change_log_id_seq'), 0);
end
$$;

-- The bounds of each batch's two snapshots: all three or none (batches recorded before this migration).
alter table pgobserver.batches
    add column from_taker_xid  bigint,
    add column from_ids_before bigint,
    add column from_ids_after  bigint,
    add column to_taker_xid    bigint,
    add column to_ids_before   bigint,
    add column to_ids_after    bigint,
    add constraint batches_from_bounds_check
        check (num_nulls(from_taker_xid, from_ids_before, from_ids_after) in (0, 3)),
    add constraint batches_to_bounds_check
        check (num_nulls(to_taker_xid, to_ids_before, to_ids_after) in (0, 3));

-- The origin ('1:1:', nothing visible) has exact bounds whenever it was recorded: every id comes after it.
update pgobserver.batches set from_taker_xid = 0, from_ids_before = 0, from_ids_after = 0
 where snapshot_from::text = '1:1:';
update pgobserver.batches set to_taker_xid = 0, to_ids_before = 0, to_ids_after = 0
 where snapshot_to::text = '1:1:';
