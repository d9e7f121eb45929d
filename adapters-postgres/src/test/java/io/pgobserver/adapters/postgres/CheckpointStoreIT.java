package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.contract.CheckpointStoreContract;
import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.Checkpoint;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.port.CheckpointStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CheckpointStoreIT extends CheckpointStoreContract {

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    @Override
    protected CheckpointStore newStore() {
        DB.execute("truncate pgobserver.checkpoints", "truncate pgobserver.batches");
        return new JdbiCheckpointStore(DB.database());
    }

    /** The table keeps the last done batch (where a restart resumes) and the ones after it, no more. */
    @Test
    void savesDeleteTheRowsOfBatchesNoLongerNeeded() throws Exception {
        CheckpointStore store = newStore();
        CheckpointStore.Fence fence = store.claim("c1").fence();
        Batch batch = new Batch(0, Snapshot.ORIGIN, Snapshot.ORIGIN);
        for (int i = 1; i <= 5; i++) {
            batch = batch.then(new Snapshot((10 * i) + ":" + (10 * i) + ":"));
            store.dispatching(fence, batch, 1);
        }
        assertThat(batchNumbers()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        store.save(fence, new Checkpoint(4, 0));
        assertThat(batchNumbers()).containsExactly(3L, 4L, 5L);
    }

    /** Who claimed the consumer and when: the console's leader and its "since". */
    @Test
    void aClaimRecordsTheProcessAndTheTime() {
        CheckpointStore store = newStore();
        java.time.Instant before = java.time.Instant.now().minusSeconds(5);
        long epoch = store.claim("c1").fence().epoch();

        CheckpointStore.Saved saved = store.load("c1").orElseThrow();

        assertThat(saved.epoch()).isEqualTo(epoch);
        assertThat(saved.claimedBy()).isEqualTo(ProcessName.CURRENT).startsWith(ProcessHandle.current().pid() + "@");
        assertThat(saved.claimedAt()).isAfter(before);
    }

    private static List<Long> batchNumbers() throws Exception {
        try (Connection connection = TestPostgres.connect(DB.settings());
             ResultSet rs = connection.createStatement()
                     .executeQuery("select seq from pgobserver.batches where consumer = 'c1' order by seq")) {
            List<Long> seqs = new ArrayList<>();
            while (rs.next()) {
                seqs.add(rs.getLong(1));
            }
            return seqs;
        }
    }
}
