package io.pgobserver.adapters.postgres;

/**
 * The sessions that hold locks on some relations, as pg_stat_activity shows them ({@code session 4242 (idle in
 * transaction since 02:51:07)}): named when DDL gave up waiting for them, so that the operator knows whose
 * transaction to end. Read after the failed statement, so they may have ended meanwhile.
 */
final class LockHolders {

    /** Completed by a condition on {@code l.relation}. */
    static final String SESSIONS_HOLDING_RELATION = """
            select distinct format('session %s (%s since %s)', a.pid, a.state, to_char(a.xact_start, 'HH24:MI:SS'))
              from pg_locks l join pg_stat_activity a on a.pid = l.pid
             where l.granted and l.pid <> pg_backend_pid() and l.relation\s""";

    private LockHolders() {
    }

    /** "the transactions of session …, session …", or a generic phrase when none is left to name. */
    static String described(java.util.List<String> sessions) {
        return sessions.isEmpty() ? "the transactions using it" : "the transactions of " + String.join(", ", sessions);
    }
}
