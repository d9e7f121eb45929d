-- A snapshot must hold after any crash that follows it. It names transaction ids as finished (and its taker's own
-- id as one without rows); if a crash lost the taker's commit, and with it the commits the WAL writer had not
-- flushed yet, the server would hand those ids out again, and a batch recorded with that snapshot (by the process
-- that took it, once the server is back) would count the new transactions as already read: their rows would never
-- be delivered. A transaction that writes no WAL commits without waiting for a flush, whatever synchronous_commit
-- says, so the taker writes its row here: its commit then flushes (the listener's session commits synchronously),
-- and with it every commit before it.
create table pgobserver.snapshot_takers (
    consumer  text        primary key,
    taker_xid xid8        not null,
    taken_at  timestamptz not null
);

comment on table pgobserver.snapshot_takers is
    'The last snapshot each consumer''s listener took: written by the snapshot''s own transaction so that its commit '
    'is flushed before the snapshot is used.';
