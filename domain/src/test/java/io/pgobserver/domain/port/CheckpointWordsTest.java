package io.pgobserver.domain.port;

import io.pgobserver.domain.event.Checkpoint;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checkpoint as status, run's log lines and the console say it: in change_log ids, with the batch in parentheses
 * for support. They used to print "7/1042", "21/0" and "dispatched to 8/1050".
 */
class CheckpointWordsTest {

    @Test
    void a_checkpoint_inside_a_batch_names_the_last_change_log_id_done_and_the_batch() {
        assertThat(CheckpointWords.of(new Checkpoint(7, 1042)))
                .isEqualTo("events done up to change_log id 1042 (batch 7 in progress, every earlier batch done)");
        assertThat(CheckpointWords.of(new Checkpoint(1, 9)))
                .isEqualTo("events done up to change_log id 9 (batch 1 in progress)");
    }

    @Test
    void a_checkpoint_at_the_start_of_a_batch_says_what_is_done_and_what_not() {
        assertThat(CheckpointWords.of(new Checkpoint(21, 0)))
                .isEqualTo("every batch before batch 21 done, none of its events yet");
        assertThat(CheckpointWords.of(Checkpoint.START)).isEqualTo("no event done yet");
    }

    @Test
    void events_handed_to_actions_past_the_checkpoint_are_named_by_id_and_by_batch_when_in_a_later_one() {
        assertThat(CheckpointWords.of(new Checkpoint(7, 1042), new CheckpointStore.HighWater(7, 1044)))
                .isEqualTo("events done up to change_log id 1042 (batch 7 in progress, every earlier batch done); "
                        + "handed to actions up to id 1044, not yet done");
        assertThat(CheckpointWords.of(new Checkpoint(4, 0), new CheckpointStore.HighWater(5, 2000)))
                .isEqualTo("every batch before batch 4 done, none of its events yet; handed to actions up to id 2000 "
                        + "(batch 5), not yet done");
    }

    @Test
    void a_mark_at_or_behind_the_checkpoint_adds_nothing() {
        assertThat(CheckpointWords.of(new Checkpoint(1, 9), new CheckpointStore.HighWater(1, 9)))
                .isEqualTo("events done up to change_log id 9 (batch 1 in progress)");
        assertThat(CheckpointWords.of(new Checkpoint(3, 0), new CheckpointStore.HighWater(2, 500)))
                .isEqualTo("every batch before batch 3 done, none of its events yet");
        assertThat(CheckpointWords.of(Checkpoint.START, CheckpointStore.HighWater.NONE)).isEqualTo("no event done yet");
    }
}
