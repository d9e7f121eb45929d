-- Columns left out of the events: install --exclude-column names columns (a password hash, a token, personal data)
-- that never reach change_log, hence no webhook, Slack message, email, Kafka record, span or console page. The
-- trigger's third argument is their names as a text array; its second (a partitioned table's oid, V10) is empty for
-- a table that is not partitioned. The writer's trace context is read from the full row first, so that a
-- traceparent column can be left out and still carry the trace. Triggers installed with one or two arguments behave
-- as before.
create or replace function pgobserver.capture() returns trigger
    language plpgsql
    security definer
    set search_path = pg_catalog, pg_temp
as
$$
declare
    old_row     jsonb;
    new_row     jsonb;
    change_kind text;
    entity      text;
    parent      text := nullif(current_setting('pgobserver.traceparent', true), '');
    state       text := nullif(current_setting('pgobserver.tracestate', true), '');
begin
    if tg_op = 'INSERT' then
        change_kind := 'created';
        new_row := to_jsonb(new);
    elsif tg_op = 'UPDATE' then
        change_kind := 'updated';
        old_row := to_jsonb(old);
        new_row := to_jsonb(new);
    else
        change_kind := 'deleted';
        old_row := to_jsonb(old);
    end if;

    if tg_nargs > 1 and tg_argv[1] <> '' then
        select n.nspname || '.' || c.relname into entity
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where c.oid = tg_argv[1]::oid;
    end if;

    if parent is null and new_row is not null then
        parent := new_row ->> 'traceparent';
        state := new_row ->> 'tracestate';
    end if;

    if tg_nargs > 2 then
        old_row := old_row - tg_argv[2]::text[];
        new_row := new_row - tg_argv[2]::text[];
    end if;

    insert into pgobserver.change_log (entity_type, entity_id, kind, before, after, traceparent, tracestate)
    values (coalesce(entity, tg_table_schema || '.' || tg_table_name),
            coalesce(coalesce(new_row, old_row) ->> tg_argv[0], ''),
            change_kind, old_row, new_row, parent, state);
    return null;
end
$$;
