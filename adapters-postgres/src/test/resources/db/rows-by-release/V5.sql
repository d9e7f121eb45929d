-- Version 5: the last snapshot each consumer took.
insert into pgobserver.snapshot_takers (consumer, taker_xid, taken_at) values ('v2', pg_current_xact_id(), now());
