package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.config.ListenerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

/**
 * What one retention pass over the delivery records costs after a receiver was down for long: {@value #HELD} old
 * records held by dead letters (a {@code dlq replay} may still run their events), older than {@value #DELETABLE}
 * old records that can go, and as many young ones. A measurement, not a check: not run by the build (its name ends
 * in neither Test nor IT). Run it with {@code mvn -B -pl adapters-postgres -am verify -Djacoco.skip=true
 * -Dtest=RetentionPassProbe -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=NoSuchIT
 * -Dfailsafe.failIfNoSpecifiedTests=false}; it prints one line per pass to
 * {@code adapters-postgres/target/surefire-reports/*RetentionPassProbe-output.txt}.
 */
class RetentionPassProbe {

    private static final int HELD = 200_000;
    private static final int DELETABLE = 200_000;

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    @Test
    void onePassOverHeldRecordsAheadOfDeletableOnes() {
        RetentionJob job = new RetentionJob(DB.database(), new ListenerSettings("it", 100, Duration.ofSeconds(1), 16,
                1000, Duration.ofMillis(200), Duration.ofDays(1)));
        for (int round = 1; round <= 2; round++) {
            DB.execute("truncate pgobserver.deliveries", "truncate pgobserver.dead_letters",
                    "insert into pgobserver.dead_letters (consumer, event_id, txid, \"offset\", entity_type, "
                            + "entity_id, kind, occurred_at, observer, action_index, action_key, action_type, error, "
                            + "attempts, failed_at) select 'it', g::text, 0, g, 'public.orders', g::text, 'created', "
                            + "now(), 'o', 0, 'k', 'webhook', 'HTTP 503', 5, now() from generate_series(1, " + HELD
                            + ") g",
                    // Held first in every order: the heap's, delivered_at's and delivery_id's.
                    "insert into pgobserver.deliveries (delivery_id, delivered_at, consumer, change_log_id) "
                            + "select 'held_' || lpad(g::text, 7, '0'), now() - interval '3 days' + g * interval "
                            + "'1 ms', 'it', g from generate_series(1, " + HELD + ") g",
                    "insert into pgobserver.deliveries (delivery_id, delivered_at, consumer, change_log_id) "
                            + "select 'old_' || lpad(g::text, 7, '0'), now() - interval '2 days' + g * interval "
                            + "'1 ms', 'it', " + HELD + " + g from generate_series(1, " + DELETABLE + ") g",
                    "insert into pgobserver.deliveries (delivery_id, consumer, change_log_id) "
                            + "select 'young_' || lpad(g::text, 7, '0'), 'it', " + (HELD + DELETABLE) + " + g "
                            + "from generate_series(1, " + (HELD + DELETABLE) + ") g",
                    "vacuum analyze pgobserver.deliveries", "vacuum analyze pgobserver.dead_letters");
            long started = System.nanoTime();
            job.runOnce();
            long ended = System.nanoTime();
            long left = DB.database().jdbi().withHandle(handle -> handle
                    .createQuery("select count(*) from pgobserver.deliveries").mapTo(Long.class).one());
            System.out.printf("pass %d: %,d held and %,d deletable old records (and %,d young) in %.1f s, %,d left%n",
                    round, HELD, DELETABLE, HELD + DELETABLE, (ended - started) / 1e9, left);
        }
    }
}
