package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.contract.CheckpointStoreContract;
import io.pgobserver.domain.port.CheckpointStore;
import org.junit.jupiter.api.extension.RegisterExtension;

class CheckpointStoreIT extends CheckpointStoreContract {

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    @Override
    protected CheckpointStore newStore() {
        DB.execute("truncate pgobserver.checkpoints", "truncate pgobserver.batches");
        return new JdbiCheckpointStore(DB.database());
    }
}
