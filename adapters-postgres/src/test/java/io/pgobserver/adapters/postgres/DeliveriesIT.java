package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.contract.DeliveriesContract;
import io.pgobserver.domain.port.Deliveries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

class DeliveriesIT extends DeliveriesContract {

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    @Override
    protected Deliveries newStore() {
        DB.execute("truncate pgobserver.deliveries");
        return new JdbiDeliveries(DB.database(), TestPostgres.listener("it", Duration.ofSeconds(1)));
    }

    /** Group commit: many events at once, each id (some twice) committed by the time its call returns. */
    @Test
    void concurrentRecordsAreEachCommittedWhenTheCallReturns() throws Exception {
        Deliveries store = newStore();
        int callers = 3 * JdbiDeliveries.MAX_BATCH;
        List<Future<Boolean>> seenAfterReturn = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < callers; i++) {
                String id = "event-" + (i % (callers - 10)) + ".observer.0";
                seenAfterReturn.add(pool.submit(() -> {
                    store.record(id);
                    return store.settled(List.of(id)).contains(id);
                }));
            }
            for (Future<Boolean> seen : seenAfterReturn) {
                assertThat(seen.get()).isTrue();
            }
        }
        assertThat(store.settled(List.of("event-" + (callers - 11) + ".observer.0",
                "event-" + (callers - 10) + ".observer.0"))).containsExactly("event-" + (callers - 11) + ".observer.0");
        DB.execute("do $$ begin if exists (select 1 from pgobserver.deliveries where consumer is distinct from 'it') "
                + "then raise 'a delivery record without its consumer'; end if; end $$");
    }

    /**
     * A stop (or a lost lock) interrupting an event that waits for the group-committed write of another, itself held
     * by a database that does not answer (here a session holding the table's lock): it leaves at once with the
     * interrupt, which the pipeline names as the event's cut. Before, the wait ignored the interrupt: the stop gave up
     * on such events after 5 s, neither recorded nor named, and the next holder ran their actions again.
     */
    @Test
    void aCallerWaitingForTheWriterLeavesWhenInterruptedAndTheWriteUnderWayStillCompletes() throws Exception {
        Deliveries store = newStore();
        try (Connection lock = TestPostgres.connect(DB.settings())) {
            lock.setAutoCommit(false);
            lock.createStatement().execute("lock table pgobserver.deliveries in access exclusive mode");
            CompletableFuture<Throwable> first = new CompletableFuture<>();
            recordAside(store, "first.observer.0", first);
            awaitTrue("the first write waiting for the table's lock", () -> writesWaitingForALock() == 1);
            CompletableFuture<Throwable> second = new CompletableFuture<>();
            Thread waiting = recordAside(store, "second.observer.0", second);
            awaitTrue("the second caller waiting for the writer", () -> waiting.getState() == Thread.State.WAITING);

            waiting.interrupt();
            assertThat(second.get(30, TimeUnit.SECONDS)).as("how the interrupted caller left, at once")
                    .isInstanceOf(InterruptedException.class);
            assertThat(first).as("the write under way, still waiting for the table").isNotDone();

            lock.rollback();
            assertThat(first.get(30, TimeUnit.SECONDS)).as("what the first caller threw").isNull();
        }
        assertThat(store.settled(List.of("first.observer.0"))).as("the write under way completed")
                .containsExactly("first.observer.0");
    }

    /** Records {@code id} on a virtual thread of its own, completing {@code ended} with what it threw, or null. */
    private static Thread recordAside(Deliveries store, String id, CompletableFuture<Throwable> ended) {
        return Thread.ofVirtual().start(() -> {
            try {
                store.record(id);
                ended.complete(null);
            } catch (Throwable e) {
                ended.complete(e);
            }
        });
    }

    private static long writesWaitingForALock() {
        try (Connection c = TestPostgres.connect(DB.settings());
             ResultSet rs = c.createStatement().executeQuery("select count(*) from pg_stat_activity where "
                     + "wait_event_type = 'Lock' and query like 'insert into pgobserver.deliveries%'")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits up to 30 s for {@code condition}. */
    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }
}
