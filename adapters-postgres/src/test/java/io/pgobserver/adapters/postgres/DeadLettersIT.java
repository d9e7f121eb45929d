package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.contract.DeadLettersContract;
import io.pgobserver.domain.port.DeadLetters;
import io.pgobserver.domain.port.Deliveries;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

class DeadLettersIT extends DeadLettersContract {

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    @Override
    protected DeadLetters newStore() {
        DB.execute("truncate pgobserver.dead_letters restart identity", "truncate pgobserver.deliveries");
        return new JdbiDeadLetters(DB.database());
    }

    @Override
    protected Deliveries deliveries() {
        return new JdbiDeliveries(DB.database(), TestPostgres.listener("it", Duration.ofSeconds(1)));
    }
}
