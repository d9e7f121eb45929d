package io.pgobserver.domain.testing;

import io.pgobserver.domain.contract.CheckpointStoreContract;
import io.pgobserver.domain.contract.DeadLettersContract;
import io.pgobserver.domain.contract.DeliveriesContract;
import io.pgobserver.domain.contract.TracerContract;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.DeadLetters;
import io.pgobserver.domain.port.Deliveries;
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
        @Override
        protected DeadLetters newStore() {
            return new InMemoryDeadLetters();
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
    class RecordingTracerTest extends TracerContract {
        @Override
        protected Tracer newTracer() {
            return new RecordingTracer();
        }
    }
}
