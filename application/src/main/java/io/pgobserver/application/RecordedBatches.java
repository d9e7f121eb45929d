package io.pgobserver.application;

import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.Checkpoint;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.CheckpointWords;

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
        LOG.log(INFO, line(consumer, resume));
        List<Batch> recorded = resume.recorded();
        String broken = brokenChain(resume);
        if (broken != null) {
            LOG.log(System.Logger.Level.ERROR, "consumer '" + consumer + "': the recorded batches do not follow "
                    + "each other (" + broken + "); rows between them would be skipped. Recorded: " + recorded);
        }
    }

    /**
     * Where the term starts, in words. A consumer with no checkpoint yet starts at the beginning of the change log:
     * said plainly, since it delivers every change captured before this first start ("1/0" said nothing of it).
     * Otherwise its checkpoint as status says it, and the batches read before that it reads again.
     */
    static String line(String consumer, CheckpointStore.Resume resume) {
        List<Batch> recorded = resume.recorded();
        Checkpoint at = resume.checkpoint();
        String where = at.equals(Checkpoint.START) && recorded.isEmpty() ? " with no checkpoint yet: starting at the "
                + "beginning of pgobserver.change_log, so every change captured there so far is delivered"
                : ", resuming at its checkpoint: " + CheckpointWords.of(at, resume.dispatched());
        return "consumer '" + consumer + "' active" + where + (recorded.isEmpty() ? "" : "; re-reading exactly the "
                + recorded.size() + " batch(es) read before (batches " + recorded.getFirst().seq() + ".."
                + recorded.getLast().seq() + ")");
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
