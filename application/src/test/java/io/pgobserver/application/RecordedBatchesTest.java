package io.pgobserver.application;

import io.pgobserver.domain.event.Batch;
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
        assertThat(RecordedBatches.line("shop", at(new Checkpoint(5, 0)))).isEqualTo("consumer 'shop' active, resuming "
                + "at its checkpoint: every batch before batch 5 done, none of its events yet");
        assertThat(RecordedBatches.line("shop", at(new Checkpoint(7, 1042)))).isEqualTo("consumer 'shop' active, "
                + "resuming at its checkpoint: events done up to change_log id 1042 (batch 7 in progress, every "
                + "earlier batch done)");
    }

    /** It used to end "re-reading 2 recorded batch(es) 7..8, dispatched up to 8/1050". */
    @Test
    void a_restart_says_how_far_events_were_handed_to_actions_and_which_batches_it_reads_again() {
        Snapshot first = new Snapshot("900:905:");
        Snapshot second = new Snapshot("905:910:");
        CheckpointStore.Resume resume = new CheckpointStore.Resume(new CheckpointStore.Fence("shop", 2),
                new Checkpoint(7, 1042), Snapshot.ORIGIN, List.of(new Batch(7, Snapshot.ORIGIN, first),
                new Batch(8, first, second)), new CheckpointStore.HighWater(8, 1050), false);
        assertThat(RecordedBatches.line("shop", resume)).isEqualTo("consumer 'shop' active, resuming at its "
                + "checkpoint: events done up to change_log id 1042 (batch 7 in progress, every earlier batch done); "
                + "handed to actions up to id 1050 (batch 8), not yet done; re-reading exactly the 2 batch(es) read "
                + "before (batches 7..8)");
    }

    /** A first term that read a batch and stopped before saving its checkpoint: the next one resumes, not starts. */
    @Test
    void a_consumer_without_a_checkpoint_but_with_a_batch_read_says_it_resumes() {
        Snapshot read = new Snapshot("900:905:");
        CheckpointStore.Resume resume = new CheckpointStore.Resume(new CheckpointStore.Fence("shop", 2),
                Checkpoint.START, Snapshot.ORIGIN, List.of(new Batch(1, Snapshot.ORIGIN, read)),
                new CheckpointStore.HighWater(1, 3), false);
        assertThat(RecordedBatches.line("shop", resume)).isEqualTo("consumer 'shop' active, resuming at its "
                + "checkpoint: no event done yet; handed to actions up to id 3, not yet done; re-reading exactly the 1 "
                + "batch(es) read before (batches 1..1)");
    }
}
