package io.pgobserver.application;

import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.port.CheckpointStore;

import java.util.List;

import static java.lang.System.Logger.Level.INFO;

/**
 * What a new term finds when it claims the consumer: the batches recorded since the checkpoint, re-read exactly.
 * They must follow on from the checkpoint and from each other; a break would skip the rows between them, so it is
 * logged as an error naming the break.
 */
final class RecordedBatches {

    private static final System.Logger LOG = System.getLogger(RecordedBatches.class.getName());

    private RecordedBatches() {
    }

    static void log(String consumer, CheckpointStore.Resume resume) {
        List<Batch> recorded = resume.recorded();
        LOG.log(INFO, "consumer '" + consumer + "' active, resuming at checkpoint " + resume.checkpoint()
                + (recorded.isEmpty() ? "" : ", re-reading " + recorded.size() + " recorded batch(es) "
                + recorded.getFirst().seq() + ".." + recorded.getLast().seq() + ", dispatched up to "
                + resume.dispatched().batch() + "/" + resume.dispatched().id()));
        String broken = brokenChain(resume);
        if (broken != null) {
            LOG.log(System.Logger.Level.ERROR, "consumer '" + consumer + "': the recorded batches do not follow "
                    + "each other (" + broken + "); rows between them would be skipped. Recorded: " + recorded);
        }
    }

    /** Where the recorded batches stop following on from the checkpoint and each other, or null. */
    static String brokenChain(CheckpointStore.Resume resume) {
        long seq = resume.checkpoint().batch();
        Snapshot to = resume.done();
        for (Batch batch : resume.recorded()) {
            if (batch.seq() != seq || !batch.from().equals(to)) {
                return "expected batch " + seq + " from " + to + ", found " + batch;
            }
            seq++;
            to = batch.to();
        }
        return null;
    }
}
