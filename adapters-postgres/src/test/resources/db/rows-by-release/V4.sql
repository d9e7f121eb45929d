-- Version 4: parked events; delivery records name their change_log row.
insert into pgobserver.parked_events (consumer, queue, "offset", event_id, txid, entity_type, entity_id, kind,
                                      after, occurred_at)
select 'v2', 'public.orders:1', id, event_id::text, txid::text::bigint, entity_type, entity_id, kind, after,
       occurred_at
  from pgobserver.change_log where id = (select max(id) from pgobserver.change_log);
insert into pgobserver.deliveries (delivery_id, consumer, change_log_id)
values ('v4-delivery', 'v2', (select max(id) from pgobserver.change_log));
