package io.pgobserver.adapters.postgres;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What reading the parked rows costs when a receiver down for every row has parked {@value #ROWS} of them (the
 * default {@code listener.max_parked} with a 256 MiB heap): every queue ({@code entities}, which the run's resume
 * needs) against the totals and the 100 oldest ({@code summary}, which {@code status} and the console read),
 * alternating. A measurement, not a check: not run by the build (its name ends in neither Test nor IT). Run it with
 * {@code mvn -B -pl adapters-postgres -am verify -Djacoco.skip=true -Dtest=ParkedSummaryProbe
 * -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=NoSuchIT -Dfailsafe.failIfNoSpecifiedTests=false}; it prints
 * one line per round to {@code adapters-postgres/target/surefire-reports/*ParkedSummaryProbe-output.txt}.
 */
class ParkedSummaryProbe {

    private static final int ROWS = 223_000;

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    @Test
    void readEveryQueueAgainstTheSummary() {
        DB.execute("truncate pgobserver.parked_events",
                "insert into pgobserver.parked_events (consumer, queue, \"offset\", event_id, txid, entity_type, "
                        + "entity_id, kind, after, occurred_at) select 'c1', 'public.orders\\0' || g, g, 'e' || g, g, "
                        + "'public.orders', g::text, 'created', jsonb_build_object('id', g), now() "
                        + "from generate_series(1, " + ROWS + ") g",
                "analyze pgobserver.parked_events");
        JdbiParkedEvents store = new JdbiParkedEvents(DB.database());
        for (int round = 1; round <= 5; round++) {
            long started = System.nanoTime();
            int all = store.entities("c1").size();
            long between = System.nanoTime();
            var summary = store.summary("c1", 100);
            long ended = System.nanoTime();
            System.out.printf("round %d: entities() read %,d queues in %.0f ms; summary(100) counted %,d and named "
                    + "%d in %.0f ms%n", round, all, (between - started) / 1e6, summary.entities(),
                    summary.oldest().size(), (ended - between) / 1e6);
        }
    }
}
