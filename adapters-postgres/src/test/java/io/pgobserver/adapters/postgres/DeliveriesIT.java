package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.contract.DeliveriesContract;
import io.pgobserver.domain.port.Deliveries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

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
}
