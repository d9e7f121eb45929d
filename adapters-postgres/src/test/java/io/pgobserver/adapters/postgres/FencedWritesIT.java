package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.contract.FencedWritesContract;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

/** Parked events, delivery records and dead letters in PostgreSQL keep the fenced-writes contract. */
class FencedWritesIT extends FencedWritesContract {

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    @Override
    protected Stores newStores() {
        DB.execute("truncate pgobserver.checkpoints", "truncate pgobserver.batches", "truncate pgobserver.deliveries",
                "truncate pgobserver.dead_letters", "truncate pgobserver.parked_events");
        JdbiDeliveries deliveries = new JdbiDeliveries(DB.database(), TestPostgres.listener("c1", Duration.ofSeconds(1)));
        return new Stores(new JdbiCheckpointStore(DB.database()), new JdbiParkedEvents(DB.database()), deliveries,
                new JdbiDeadLetters(DB.database()));
    }
}
