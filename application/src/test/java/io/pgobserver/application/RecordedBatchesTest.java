package io.pgobserver.application;

import io.pgobserver.domain.event.Checkpoint;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.port.CheckpointStore;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The line a new term logs: where it starts, in words a reader of the log at 3 a.m. can act on. */
class RecordedBatchesTest {

    private static CheckpointStore.Resume at(Checkpoint checkpoint) {
        return new CheckpointStore.Resume(new CheckpointStore.Fence("shop", 1), checkpoint, Snapshot.ORIGIN,
                List.of(), CheckpointStore.HighWater.NONE, true);
    }

    @Test
    void a_consumer_with_no_checkpoint_says_it_starts_at_the_beginning_of_the_change_log() {
        assertThat(RecordedBatches.line("shop", at(Checkpoint.START))).isEqualTo("consumer 'shop' active with no "
                + "checkpoint yet: starting at the beginning of pgobserver.change_log, so every change captured there "
                + "so far is delivered");
    }

    @Test
    void a_consumer_with_a_checkpoint_says_in_words_what_it_has_done() {
        assertThat(RecordedBatches.line("shop", at(new Checkpoint(5, 0))))
                .isEqualTo("consumer 'shop' active, resuming at checkpoint 5/0 (every batch before batch 5 done)");
        assertThat(RecordedBatches.line("shop", at(new Checkpoint(7, 1042))))
                .isEqualTo("consumer 'shop' active, resuming at checkpoint 7/1042 (batch 7 done up to change_log id 1042)");
    }
}
