package io.pgobserver.adapters.postgres;

import java.util.List;

/**
 * The sessions that hold locks on some relations, as pg_stat_activity shows them ({@code session 4242 (idle in
 * transaction since 02:51:07)}): named when DDL gave up waiting for them, so that the operator knows whose
 * transaction to end. Read after the failed statement, so they may have ended meanwhile.
 */
final class LockHolders {

    /**
     * How many sessions a message names: with hundreds of pooled sessions holding a lock, listing them all would
     * bury the advice after them. The longest-running come first, as they are the likeliest to end.
     */
    static final int NAMED = 5;

    private LockHolders() {
    }

    /**
     * The query for the sessions holding a lock on the relations {@code relation} is {@code relationCondition}, the
     * longest-running transaction first.
     */
    static String sessionsHolding(String relationCondition) {
        return """
                select held.session from (
                  select distinct a.pid, a.xact_start,
                         format('session %s (%s since %s)', a.pid, a.state, to_char(a.xact_start, 'HH24:MI:SS'))
                           as session
                    from pg_locks l join pg_stat_activity a on a.pid = l.pid
                   where l.granted and l.pid <> pg_backend_pid() and l.relation\s""" + relationCondition + """

                ) held order by held.xact_start nulls last, held.pid""";
    }

    /**
     * "the transactions of session …, session …" (the first {@value #NAMED}, then "and N more"), or a generic phrase
     * when none is left to name.
     */
    static String described(List<String> sessions) {
        if (sessions.isEmpty()) {
            return "the transactions using it";
        }
        String named = String.join(", ", sessions.subList(0, Math.min(NAMED, sessions.size())));
        int more = sessions.size() - NAMED;
        return "the transactions of " + named + (more > 0 ? " and " + more + " more" : "");
    }
}
