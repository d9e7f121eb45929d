-- Version 2: consumers read in batches between snapshots; letters and records belong to a consumer.
insert into pgobserver.batches (consumer, seq, snapshot_from, snapshot_to)
values ('v2', 0, '1:1:', '1:1:'), ('v2', 1, '1:1:', pg_current_snapshot());
insert into pgobserver.checkpoints (consumer, epoch, batch, after_id) values ('v2', 1, 1, 0);
insert into pgobserver.dead_letters (event_id, txid, "offset", entity_type, entity_id, kind, occurred_at, observer,
                                     action_index, action_type, error, attempts, failed_at, consumer, action_key)
values (gen_random_uuid()::text, 1, 3, 'public.orders', '3', 'created', now(), 'paid', 0, 'webhook', 'HTTP 500', 3,
        now(), 'v2', 'hook');
insert into pgobserver.deliveries (delivery_id, consumer) values ('v2-delivery', 'v2');
