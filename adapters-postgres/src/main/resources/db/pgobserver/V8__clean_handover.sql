-- The epoch whose holder stopped cleanly, with nothing left running: the next claim need not wait out that holder's
-- lease before it dispatches. A consumer created from now on starts released (epoch 0 never had a holder); those
-- created before wait one lease on their next start, as every start did until now.
alter table pgobserver.checkpoints
    add column released_epoch bigint;

comment on column pgobserver.checkpoints.released_epoch is
    'epoch whose holder released the consumer after a clean stop; a claim right after it dispatches at once';
