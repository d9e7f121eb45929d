package io.pgobserver.application;

import io.pgobserver.domain.port.Backfill;
import io.pgobserver.domain.port.BackfillRequest;
import io.pgobserver.domain.port.Backfills;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Runs a backfill chunk after chunk until it finishes or is cancelled ({@code pg-observer backfill}). The chunks
 * log read changes into the change stream; the pipeline of {@code run} delivers them like any other change, so this
 * runs beside it, in another process or the same. A chunk that fails (a deadlock with an application transaction,
 * a failover) is rolled back whole and run again after a backoff: nothing of it was logged.
 */
public final class RunBackfill {

    private final Backfills backfills;
    private final Sleeper sleeper;

    public RunBackfill(Backfills backfills, Sleeper sleeper) {
        this.backfills = Objects.requireNonNull(backfills, "backfills");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /**
     * Starts the backfill, or finds the table's unfinished one to resume.
     *
     * @throws IllegalArgumentException when the table cannot be backfilled (the message says why and how to fix it)
     */
    public Backfill start(BackfillRequest request) {
        return backfills.start(request);
    }

    /**
     * Runs the backfill's chunks from its last finished one.
     *
     * @param progress told where the backfill stands after each chunk
     * @return where it stands at the end: finished or cancelled
     * @throws InterruptedException when interrupted; the chunk in flight is rolled back or committed, never half,
     *                              and a later run resumes after the last committed one
     */
    public Backfill run(Backfill backfill, Consumer<Backfill> progress) throws InterruptedException {
        Backfill current = backfill;
        long id = backfill.id();
        while (current.state() == Backfill.State.RUNNING) {
            current = Retry.untilDone("backfill " + id + ": the chunk failed and is run again", () -> chunk(id),
                    () -> Thread.currentThread().isInterrupted(), sleeper, null);
            progress.accept(current);
        }
        return current;
    }

    private Backfill chunk(long id) {
        try {
            return backfills.runChunk(id);
        } catch (IllegalArgumentException e) {
            throw new Retry.GiveUp(e.getMessage(), e);
        }
    }
}
