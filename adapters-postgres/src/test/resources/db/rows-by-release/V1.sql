-- Rows as the release whose schema is at version 1 writes them, in each of its tables, and a captured table.
-- MigrationsIT applies every later migration over them; a migration that creates a table adds a file here.
create table public.orders (id bigint primary key, status text);
create trigger pgobserver_capture after insert or update or delete on public.orders
    for each row execute function pgobserver.capture('id');
insert into public.orders values (1, 'new'), (2, 'new');
update public.orders set status = 'paid' where id = 1;
insert into pgobserver.change_log (entity_type, entity_id, kind, after)
values ('app.invoices', '7', 'created', '{"id": 7}');
insert into pgobserver.checkpoints (consumer, txid, "offset")
values ('v1', pg_current_xact_id(), (select min(id) from pgobserver.change_log));
insert into pgobserver.dead_letters (event_id, txid, "offset", entity_type, entity_id, kind, occurred_at, observer,
                                     action_index, action_type, error, attempts, failed_at)
values (gen_random_uuid()::text, 1, 1, 'public.orders', '1', 'created', now(), 'paid', 0, 'webhook', 'HTTP 500', 3,
        now());
insert into pgobserver.deliveries (delivery_id) values ('v1-delivery');
