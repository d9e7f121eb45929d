-- A backfill stopped by a failing chunk (its --where fails on a row, its chunk reads rows again) stays 'running', so
-- that 'backfill --resume' and 'backfill --cancel' work on it as before; these columns tell it from one that is making
-- progress. Written in a transaction of their own after the chunk was rolled back; cleared by the next chunk that
-- succeeds, by a resume, and by a cancel. Null on every backfill that is not stopped.
alter table pgobserver.backfills
    add column last_error text,
    add column stopped_at timestamptz;

comment on column pgobserver.backfills.last_error is
    'why the last chunk failed and stopped the backfill (fix it and resume, or cancel); null unless stopped';
comment on column pgobserver.backfills.stopped_at is
    'when the failing chunk stopped the backfill; null unless stopped';
