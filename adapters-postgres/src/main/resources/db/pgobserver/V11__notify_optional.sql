-- Two-phase commit. PostgreSQL refuses PREPARE TRANSACTION in a transaction that sent a notification, and the
-- statement trigger on change_log sent one for every insert, so an application that commits in two phases (XA
-- transaction managers) could not write to a captured table at all. A session or transaction that sets
-- pgobserver.notify to off sends none: the listener reads its events at its next poll (listener.poll_interval)
-- instead of at once. Set it per transaction (SET LOCAL pgobserver.notify = off) or per connection (the JDBC URL's
-- options=-c pgobserver.notify=off).
create or replace function pgobserver.notify_listeners() returns trigger
    language plpgsql
as
$$
begin
    if coalesce(lower(current_setting('pgobserver.notify', true)), '') not in ('off', 'false') then
        perform pg_notify('pgobserver_events', '');
    end if;
    return null;
end
$$;
