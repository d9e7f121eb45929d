package io.pgobserver.application;

import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.Deliveries;
import io.pgobserver.domain.port.DoneParts;
import io.pgobserver.domain.testing.InMemoryDeliveries;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ActionPartsTest {

    private static final List<String> RECIPIENTS = List.of("ops@example.com", "audit@example.com", "full@example.com");

    /** Another process running the delivery again (a dlq replay, a restart) finds the parts done before. */
    @Test
    void partsDoneByOneProcessAreDoneForTheNext() {
        InMemoryDeliveries log = new InMemoryDeliveries();
        new ActionParts("msg_1", 7, log).add(List.of("ops@example.com", "audit@example.com"));

        ActionParts next = new ActionParts("msg_1", 7, log);

        assertThat(next.of(RECIPIENTS)).containsExactlyInAnyOrder("ops@example.com", "audit@example.com");
        assertThat(new ActionParts("msg_2", 7, log).of(RECIPIENTS)).as("another delivery's").isEmpty();
        assertThat(log.isSettled("msg_1")).as("the action itself is not done").isFalse();
        assertThat(log.lookups()).isEqualTo(2);
        next.of(RECIPIENTS);
        assertThat(log.lookups()).as("each part is asked of the log once per run").isEqualTo(2);
    }

    /** Records name the delivery and a hash of the part: the log keeps no address. */
    @Test
    void theLogKeepsNoPartItself() {
        InMemoryDeliveries log = new InMemoryDeliveries();
        new ActionParts("msg_1", 7, log).add(List.of("ops@example.com"));

        assertThat(log.isSettled("msg_1/ops@example.com")).isFalse();
        assertThat(new ActionParts("msg_1", 7, null).of(RECIPIENTS)).as("without a log, another run knows nothing")
                .isEmpty();
    }

    /**
     * A write cut by an interrupt may still be made (the delivery log writes queued records with the next write), so
     * the warning does not say the parts are lost. Before, it said "not recorded" and that a replay does them again.
     */
    @Test
    void anInterruptedRecordIsNotSaidToBeLost() {
        InMemoryDeliveries recorded = new InMemoryDeliveries();
        Deliveries writtenThenInterrupted = new Deliveries() {
            @Override
            public Set<String> settled(Collection<String> ids) {
                return recorded.settled(ids);
            }

            @Override
            public void record(CheckpointStore.Fence fence, long offset, Collection<String> ids)
                    throws CheckpointStore.FencedException, InterruptedException {
                recorded.record(fence, offset, ids);
                throw new InterruptedException("stopping");
            }
        };
        List<String> lines = new ArrayList<>();
        // No LoggerFinder on this module's class path: System.Logger writes to java.util.logging.
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(ActionParts.class.getName());
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                lines.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(handler);
        try {
            new ActionParts("msg_1", 7, writtenThenInterrupted).add(List.of("ops@example.com"));
        } finally {
            log.removeHandler(handler);
            Thread.interrupted();
        }

        assertThat(new ActionParts("msg_1", 7, recorded).of(RECIPIENTS)).containsExactly("ops@example.com");
        assertThat(lines).containsExactly("delivery msg_1: 1 part(s) done (such as an email's recipients reached) "
                + "perhaps not recorded in the delivery log (interrupted while they were written); a retry in this "
                + "process skips them, one in another process (a dlq replay) may do them again");
    }

    /**
     * Every run of every action gets its parts, and most executors never ask for them (webhooks, Slack): until one
     * does, they cost the one object. Before, each run allocated two sets too, about 200 bytes per action, more than
     * a whole event's other work in a webhook-only pipeline.
     */
    @Test
    void partsNeverAskedForCostNoMoreThanTheirOwnObject() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        InMemoryDeliveries log = new InMemoryDeliveries();
        ActionParts[] runs = new ActionParts[10_000]; // kept, so that none is optimised away
        for (int i = 0; i < runs.length; i++) { // warm up, so the JIT has compiled the path measured below
            runs[i] = new ActionParts("msg_1", 7, log);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < runs.length; i++) {
            runs[i] = new ActionParts("msg_1", 7, log);
        }
        long perRun = (threads.getCurrentThreadAllocatedBytes() - before) / runs.length;

        // One object of four fields is 32 to 48 bytes, whatever the JVM's pointer size; two sets would be 160 more.
        assertThat(perRun).isLessThan(100);
        assertThat(runs[runs.length - 1].of(List.of("ops@example.com"))).as("still works once asked").isEmpty();
    }

    /** A log that cannot say fails the attempt (to be retried) rather than guess; one that cannot write forgets. */
    @Test
    void aFailingLogIsNotGuessedAt() {
        InMemoryDeliveries log = new InMemoryDeliveries();
        ActionParts parts = new ActionParts("msg_1", 7, log);
        log.setFailing(true);

        parts.add(List.of("ops@example.com"));

        assertThat(parts.of(List.of("ops@example.com"))).as("this run still knows").containsExactly("ops@example.com");
        assertThatThrownBy(() -> parts.of(RECIPIENTS)).isInstanceOf(DoneParts.Unknown.class)
                .hasMessageContaining("the delivery log cannot say what a former attempt did");
        log.setFailing(false);
        assertThat(new ActionParts("msg_1", 7, log).of(RECIPIENTS)).as("not recorded").isEmpty();
    }
}
