-- Version 6: backfills log read changes; retention keeps a horizon (its one row comes with the migration).
insert into pgobserver.backfills (table_name, chunk, last_key, rows_done) values ('public.orders', 500, '{7}', 7);
insert into pgobserver.change_log (entity_type, entity_id, kind, after, backfill_id)
values ('public.orders', '7', 'read', '{"id": 7, "status": "new"}', (select max(id) from pgobserver.backfills));
update pgobserver.retention_horizon set max_deleted_id = 0, max_deleted_at = now();
