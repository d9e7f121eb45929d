package io.pgobserver.domain.contract;

import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.port.ChangeSource;
import io.pgobserver.domain.port.ChangeSource.ChangeSourceException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link ChangeSource} must do: batches between snapshots hold exactly the rows of the transactions
 * that committed between them, in id order. The subclass provides the source and a writer that opens real
 * transactions on the same store.
 */
public abstract class ChangeSourceContract {

    /** A transaction of the store under test, open until committed or rolled back. */
    protected interface Transaction {
        /** Writes a change of {@code entityId} to {@code status}; returns the row's change_log id. */
        long write(String entityId, String status);

        /**
         * Writes a row the store accepts but that cannot become an event (for PostgreSQL: jsonb nested deeper than
         * the observer reads); returns its change_log id.
         */
        long writeUnreadable(String entityId);

        void commit();

        void rollback();
    }

    /** A source on a store where rows written by {@link #begin()} show up. */
    protected abstract ChangeSource newSource();

    /** Opens a transaction on the store of the source last made by {@link #newSource()}. */
    protected abstract Transaction begin();

    private ChangeSource source;

    @BeforeEach
    void createSource() {
        source = newSource();
    }

    private long commit(String entityId, String status) {
        Transaction tx = begin();
        long id = tx.write(entityId, status);
        tx.commit();
        return id;
    }

    private List<Long> ids(Batch batch, long afterId, int max) throws ChangeSourceException {
        return ids(source.read(batch, afterId, max));
    }

    private static List<Long> ids(ChangeSource.Page page) {
        return page.events().stream().map(e -> e.position().offset()).toList();
    }

    private List<Long> ids(Batch batch) throws ChangeSourceException {
        return ids(batch, 0, 1000);
    }

    @Test
    void aBatchHoldsWhatCommittedBetweenItsSnapshots() throws Exception {
        Snapshot s0 = source.snapshot();
        long a = commit("o-1", "new");
        long b = commit("o-2", "new");
        Snapshot s1 = source.snapshot();
        long c = commit("o-3", "new");
        Snapshot s2 = source.snapshot();

        Batch first = new Batch(1, s0, s1);
        assertThat(ids(first)).containsExactly(a, b);
        assertThat(ids(first.then(s2))).containsExactly(c);
        assertThat(ids(first.then(s2).then(source.snapshot()))).isEmpty();
        List<ChangeEvent> events = source.read(first, 0, 10).events();
        assertThat(events.getFirst().entityId()).isEqualTo("o-1");
    }

    @Test
    void aTransactionThatCommitsOutOfXidOrderLandsInTheBatchOfItsCommit() throws Exception {
        Snapshot s0 = source.snapshot();
        Transaction older = begin();
        long other = older.write("o-9", "touched");      // the older transaction now holds the lower id
        Transaction younger = begin();
        long paid = younger.write("o-500", "paid");
        younger.commit();
        Snapshot s1 = source.snapshot();
        long shipped = older.write("o-500", "shipped");
        older.commit();
        Snapshot s2 = source.snapshot();

        Batch first = new Batch(1, s0, s1);
        assertThat(ids(first)).containsExactly(paid);
        assertThat(ids(first.then(s2))).containsExactly(other, shipped);
        assertThat(other).isLessThan(paid);
    }

    @Test
    void anOpenTransactionIsInNoBatchAndHoldsNoOtherBack() throws Exception {
        Snapshot s0 = source.snapshot();
        Transaction open = begin();
        long late = open.write("o-1", "late");
        long a = commit("o-2", "new");
        Snapshot s1 = source.snapshot();
        long b = commit("o-3", "new");
        Snapshot s2 = source.snapshot();
        Batch first = new Batch(1, s0, s1);
        assertThat(ids(first)).containsExactly(a);
        Batch second = first.then(s2);
        assertThat(ids(second)).containsExactly(b);

        open.commit();
        assertThat(ids(second.then(source.snapshot()))).containsExactly(late);
    }

    @Test
    void rowsOfAnAbortedTransactionNeverAppear() throws Exception {
        Snapshot s0 = source.snapshot();
        Transaction aborted = begin();
        aborted.write("o-1", "never");
        Snapshot s1 = source.snapshot();
        long kept = commit("o-2", "new");
        aborted.rollback();
        Snapshot s2 = source.snapshot();
        Batch first = new Batch(1, s0, s1);
        assertThat(ids(first)).isEmpty();
        assertThat(ids(first.then(s2))).containsExactly(kept);
        assertThat(ids(new Batch(1, s0, s2))).containsExactly(kept);
    }

    @Test
    void aBatchIsReadPageByPageAfterAnId() throws Exception {
        Snapshot s0 = source.snapshot();
        Transaction big = begin();
        List<Long> written = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            written.add(big.write("o-" + i, "new"));
        }
        big.commit();
        Batch batch = new Batch(1, s0, source.snapshot());
        List<Long> paged = new ArrayList<>();
        long after = 0;
        int pages = 0;
        ChangeSource.Page page;
        do {
            page = source.read(batch, after, 3);
            assertThat(page.events().size()).isLessThanOrEqualTo(3);
            paged.addAll(ids(page));
            assertThat(page.lastId()).isGreaterThanOrEqualTo(after);
            after = page.lastId();
            pages++;
        } while (!page.end());
        assertThat(paged).isEqualTo(written);
        assertThat(pages).isBetween(3, 4);
        assertThat(after).isEqualTo(written.getLast());
        assertThat(ids(batch, written.get(4), 10)).containsExactly(written.get(5), written.get(6));
        ChangeSource.Page nothing = source.read(batch, written.getLast(), 3);
        assertThat(nothing.events()).isEmpty();
        assertThat(nothing.lastId()).isEqualTo(written.getLast());
        assertThat(nothing.end()).isTrue();
    }

    @Test
    void rowsThatCannotBeReadAtTheEndOfAPageDoNotEndTheBatch() throws Exception {
        Snapshot s0 = source.snapshot();
        Transaction tx = begin();
        long a = tx.write("o-1", "new");
        tx.writeUnreadable("o-2");
        long unreadable = tx.writeUnreadable("o-3");
        long b = tx.write("o-4", "new");
        long c = tx.write("o-5", "new");
        tx.commit();
        Batch batch = new Batch(1, s0, source.snapshot());

        ChangeSource.Page first = source.read(batch, 0, 3);
        assertThat(ids(first)).containsExactly(a);
        assertThat(first.lastId()).isEqualTo(unreadable);
        assertThat(first.end()).isFalse();
        ChangeSource.Page second = source.read(batch, first.lastId(), 3);
        assertThat(ids(second)).containsExactly(b, c);
        assertThat(second.end()).isTrue();
    }

    /**
     * A transaction that holds the newest transaction id while a snapshot is taken, with nothing younger finished
     * yet, is running but not in the snapshot's in-progress list (PostgreSQL's xmax is the newest finished id plus
     * one, not the next id to hand out), and its row's id is below anything handed out after the snapshot. It must
     * still be read in the batch of its commit.
     */
    @Test
    void aTransactionHoldingTheNewestIdWhenASnapshotIsTakenIsReadWhenItCommits() throws Exception {
        Snapshot s0 = source.snapshot();
        long before = commit("o-1", "new");
        Transaction newest = begin();
        long late = newest.write("o-2", "late");
        Snapshot s1 = source.snapshot();
        newest.commit();
        long after = commit("o-3", "new");
        Snapshot s2 = source.snapshot();

        Batch first = new Batch(1, s0, s1);
        assertThat(ids(first)).containsExactly(before);
        assertThat(ids(first.then(s2))).containsExactly(late, after);
    }

    @Test
    void reReadingABatchGivesTheSameRows() throws Exception {
        Snapshot s0 = source.snapshot();
        Transaction open = begin();
        open.write("o-1", "late");
        long a = commit("o-2", "new");
        Batch batch = new Batch(1, s0, source.snapshot());
        List<Long> first = ids(batch);
        commit("o-3", "new");
        open.commit();
        assertThat(ids(batch)).isEqualTo(first).containsExactly(a);
    }

    @Test
    void theLagCountsRowsCommittedAfterTheDoneSnapshot() throws Exception {
        Snapshot s0 = source.snapshot();
        commit("o-1", "new");
        commit("o-2", "new");
        Snapshot s1 = source.snapshot();
        assertThat(source.lag(s1).events()).isZero();
        assertThat(source.lag(s0).events()).isEqualTo(2);
    }
}
