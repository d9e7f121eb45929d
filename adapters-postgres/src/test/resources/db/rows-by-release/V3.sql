-- Version 3: batches carry their snapshots' bounds.
insert into pgobserver.batches (consumer, seq, snapshot_from, snapshot_to, from_taker_xid, from_ids_before,
                                from_ids_after, to_taker_xid, to_ids_before, to_ids_after)
select 'v2', 2, snapshot_to, s.snapshot, 0, 0, 0, s.taker_xid::text::bigint, s.ids_before, s.ids_after
  from pgobserver.batches, pgobserver.take_snapshot() s
 where consumer = 'v2' and seq = 1;
