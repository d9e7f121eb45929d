package io.pgobserver.domain.testing;

import io.pgobserver.domain.contract.ChangeSourceContract;
import io.pgobserver.domain.contract.CheckpointStoreContract;
import io.pgobserver.domain.contract.DeadLettersContract;
import io.pgobserver.domain.contract.DeliveriesContract;
import io.pgobserver.domain.contract.FencedWritesContract;
import io.pgobserver.domain.contract.LeadershipContract;
import io.pgobserver.domain.contract.TracerContract;
import io.pgobserver.domain.port.ChangeSource;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.DeadLetters;
import io.pgobserver.domain.port.Deliveries;
import io.pgobserver.domain.port.Leadership;
import io.pgobserver.domain.trace.Tracer;
import org.junit.jupiter.api.Nested;

/** The in-memory fakes keep the same contracts as the real adapters, so tests on them mean something. */
class FakesContractTest {

    @Nested
    class CheckpointStoreTest extends CheckpointStoreContract {
        @Override
        protected CheckpointStore newStore() {
            return new InMemoryCheckpointStore();
        }
    }

    @Nested
    class DeadLettersTest extends DeadLettersContract {
        private InMemoryDeliveries deliveries;

        @Override
        protected DeadLetters newStore() {
            deliveries = new InMemoryDeliveries();
            return new InMemoryDeadLetters(deliveries);
        }

        @Override
        protected Deliveries deliveries() {
            return deliveries;
        }
    }

    @Nested
    class ChangeSourceTest extends ChangeSourceContract {
        private InMemoryChangeSource source;

        @Override
        protected ChangeSource newSource() {
            source = new InMemoryChangeSource();
            return source;
        }

        @Override
        protected Transaction begin() {
            InMemoryChangeSource.Transaction tx = source.begin();
            return new Transaction() {
                @Override
                public long write(String entityId, String status) {
                    return tx.write(Events.updated(0, entityId, "new", status)).position().offset();
                }

                @Override
                public long writeUnreadable(String entityId) {
                    return tx.writeUnreadable(Events.updated(0, entityId, "new", "unreadable")).position().offset();
                }

                @Override
                public void commit() {
                    tx.commit();
                }

                @Override
                public void rollback() {
                    tx.rollback();
                }
            };
        }
    }

    @Nested
    class LeadershipTest extends LeadershipContract {
        private final InMemoryLeadership.Lock lock = new InMemoryLeadership.Lock();

        @Override
        protected Leadership newContender() {
            return new InMemoryLeadership(lock);
        }

        @Override
        protected void loseSession(Leadership holder) {
            ((InMemoryLeadership) holder).lose();
        }
    }

    @Nested
    class DeliveriesTest extends DeliveriesContract {
        @Override
        protected Deliveries newStore() {
            return new InMemoryDeliveries();
        }
    }

    @Nested
    class FencedWritesTest extends FencedWritesContract {
        @Override
        protected Stores newStores() {
            InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();
            InMemoryDeliveries deliveries = new InMemoryDeliveries(checkpoints);
            return new Stores(checkpoints, new InMemoryParkedEvents(checkpoints), deliveries,
                    new InMemoryDeadLetters(deliveries));
        }
    }

    @Nested
    class RecordingTracerTest extends TracerContract {
        @Override
        protected Tracer newTracer() {
            return new RecordingTracer();
        }
    }
}
