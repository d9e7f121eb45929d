package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.contract.DeadLettersContract;
import io.pgobserver.domain.port.DeadLetters;
import org.junit.jupiter.api.extension.RegisterExtension;

class DeadLettersIT extends DeadLettersContract {

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    @Override
    protected DeadLetters newStore() {
        DB.execute("truncate pgobserver.dead_letters restart identity");
        return new JdbiDeadLetters(DB.database());
    }
}
