-- A row trigger on a partitioned table runs as a clone on the partition that holds the row, where tg_table_name is
-- the partition's name: events of public.measures came as public.measures_2026, which no observer of
-- public.measures watches. install now passes a partitioned table's oid as a second trigger argument, and the
-- event is named after that table. The name is looked up per row (only for such triggers), so that a renamed
-- partitioned table is named as a renamed plain table is: by its current name. Triggers installed with one
-- argument behave as before.
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

    if tg_nargs > 1 then
        select n.nspname || '.' || c.relname into entity
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where c.oid = tg_argv[1]::oid;
    end if;

    if parent is null and new_row is not null then
        parent := new_row ->> 'traceparent';
        state := new_row ->> 'tracestate';
    end if;

    insert into pgobserver.change_log (entity_type, entity_id, kind, before, after, traceparent, tracestate)
    values (coalesce(entity, tg_table_schema || '.' || tg_table_name),
            coalesce(coalesce(new_row, old_row) ->> tg_argv[0], ''),
            change_kind, old_row, new_row, parent, state);
    return null;
end
$$;
