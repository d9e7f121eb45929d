package io.pgobserver.application;

import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.Deliveries;
import io.pgobserver.domain.testing.Events;
import io.pgobserver.domain.testing.InMemoryDeliveries;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.Tracer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one write of a cut-short event's delivery records, against a database that does not answer (as the pool waits
 * for a connection while PostgreSQL is stopped): the stop's interrupt must end the wait and stay set.
 */
class DeliveryRecordsTest {

    /** How long a test waits for rememberOnce to return: far past any prompt return, far below the pool's wait. */
    private static final Duration GENEROUS = Duration.ofSeconds(30);

    /** A delivery log whose writes wait until interrupted, as the pool's wait for a connection to a stopped server. */
    private final CountDownLatch answers = new CountDownLatch(1);
    private final CountDownLatch writing = new CountDownLatch(1);
    private final Deliveries unanswered = new Deliveries() {
        @Override
        public Set<String> settled(Collection<String> deliveryIds) {
            return Set.of();
        }

        @Override
        public void record(CheckpointStore.Fence fence, long offset, Collection<String> deliveryIds) {
            writing.countDown();
            try {
                answers.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // as the pool does: "Interrupted during connection acquisition"
                throw new IllegalStateException("interrupted during connection acquisition (test)", e);
            }
        }
    };

    @AfterEach
    void answer() {
        answers.countDown();
    }

    @Test
    void aCutEventKeepsItsInterruptAndDoesNotWaitForADatabaseThatDoesNotAnswer() throws Exception {
        AtomicBoolean interruptedAfter = new AtomicBoolean();
        Thread event = Thread.ofVirtual().start(() -> {
            Thread.currentThread().interrupt(); // the stop's interrupt, as the event is cut
            new DeliveryRecords(unanswered, Sleeper.SYSTEM).rememberOnce(7, List.of("d-1"), completion(false, false));
            interruptedAfter.set(Thread.currentThread().isInterrupted());
        });
        // Before, the interrupt was set aside for the write, which then waited for the database (the pool's 10 s):
        // a stop during an outage took 11 s.
        assertThat(event.join(GENEROUS)).as("rememberOnce returned, not waiting on the database").isTrue();
        assertThat(interruptedAfter).as("the interrupt kept for whoever runs the event").isTrue();
        assertThat(writing.await(GENEROUS.toSeconds(), TimeUnit.SECONDS)).as("the one write still tried").isTrue();
    }

    @Test
    void anEventOfAProcessThatMayNoLongerDispatchDoesNotWaitForItsRecords() throws Exception {
        Thread event = Thread.ofVirtual().start(() -> new DeliveryRecords(unanswered, Sleeper.SYSTEM)
                .rememberOnce(7, List.of("d-1"), completion(true, false)));
        assertThat(event.join(GENEROUS)).as("rememberOnce returned: the lock is lost, the database is down").isTrue();
    }

    @Test
    void aStopArrivingWhileTheWriteWaitsEndsTheWaitAndKeepsTheInterrupt() throws Exception {
        AtomicBoolean interruptedAfter = new AtomicBoolean();
        Thread event = Thread.ofVirtual().start(() -> {
            new DeliveryRecords(unanswered, Sleeper.SYSTEM).rememberOnce(7, List.of("d-1"), completion(false, false));
            interruptedAfter.set(Thread.currentThread().isInterrupted());
        });
        assertThat(writing.await(GENEROUS.toSeconds(), TimeUnit.SECONDS)).isTrue();
        event.interrupt(); // the stop's time ran out
        assertThat(event.join(GENEROUS)).as("rememberOnce returned once interrupted").isTrue();
        assertThat(interruptedAfter).as("the interrupt kept for whoever runs the event").isTrue();
    }

    @Test
    void anEventInterruptedWhileItsRecordsWaitForTheWriterIsCutAndKeepsItsInterrupt() throws Exception {
        // As JdbiDeliveries waits for another event's group-committed write, held by a database that does not answer:
        // the interrupt (a stop's time run out, a lost lock) ends the wait, and the event is cut, not retried.
        Deliveries waitingForTheWriter = new Deliveries() {
            @Override
            public Set<String> settled(Collection<String> deliveryIds) {
                return Set.of();
            }

            @Override
            public void record(CheckpointStore.Fence fence, long offset, Collection<String> deliveryIds)
                    throws InterruptedException {
                writing.countDown();
                answers.await();
            }
        };
        AtomicBoolean cut = new AtomicBoolean();
        AtomicBoolean interruptedAfter = new AtomicBoolean();
        Thread event = Thread.ofVirtual().start(() -> {
            try {
                new DeliveryRecords(waitingForTheWriter, Sleeper.SYSTEM).rememberTraced(Tracer.noop(), Span.noop(), 7,
                        List.of("d-1"), completion(false, false));
            } catch (InterruptedException e) {
                cut.set(true);
            }
            interruptedAfter.set(Thread.currentThread().isInterrupted());
        });
        assertThat(writing.await(GENEROUS.toSeconds(), TimeUnit.SECONDS)).isTrue();
        event.interrupt();
        assertThat(event.join(GENEROUS)).as("the event left the write once interrupted").isTrue();
        assertThat(cut).as("the event cut, not done").isTrue();
        assertThat(interruptedAfter).as("the interrupt kept for whoever runs the event").isTrue();
    }

    @Test
    void anEventTakenAwayWaitsForItsRecordsSoThatItsDrainerSkipsWhatItDelivered() throws Exception {
        InMemoryDeliveries answering = new InMemoryDeliveries();
        new DeliveryRecords(answering, Sleeper.SYSTEM).rememberOnce(7, List.of("d-1"), completion(false, true));
        assertThat(answering.settled(List.of("d-1"))).as("written before rememberOnce returned").contains("d-1");
    }

    @Test
    void anEventTakenAwayAndThenCutDoesNotWaitForItsRecords() throws Exception {
        // Its row was being parked when the lock was lost (or the stop's time ran out, the interrupt spent on the
        // request it cut): the process may no longer dispatch, and its drainer will not read what it delivered.
        // Taken away first, it waited for a database that did not answer, as no cut event does.
        AtomicBoolean cut = new AtomicBoolean();
        Ticket ticket = ProcessEventTest.pipelineTicket(Events.updated(7, "o-7", "paid", "shipped"), cut::get);
        ticket.parking();
        cut.set(true);
        Thread event = Thread.ofVirtual().start(() -> new DeliveryRecords(unanswered, Sleeper.SYSTEM)
                .rememberOnce(7, List.of("d-1"), ticket));
        assertThat(event.join(GENEROUS)).as("rememberOnce returned: the event is cut, the database is down").isTrue();
    }

    @Test
    void aParkedRunThatWaitsToRetryWhenTheLotStopsDoesNotWaitForItsRecords() throws Exception {
        // An action of the parked event waits for its next attempt (taken away, as parking does it), and the lot
        // stops: the stop does not wait for a database that does not answer; the next term runs the event again.
        AtomicBoolean over = new AtomicBoolean();
        ParkedRun run = new ParkedRun(7, null, over::get, () -> { });
        try {
            run.actionBackoff("o", 0, 1, Duration.ofMinutes(1), Sleeper.SYSTEM);
        } catch (InterruptedException e) {
            // it gives its drain place up until its next attempt
        }
        over.set(true);
        Thread event = Thread.ofVirtual().start(() -> new DeliveryRecords(unanswered, Sleeper.SYSTEM)
                .rememberOnce(7, List.of("d-1"), run));
        assertThat(event.join(GENEROUS)).as("rememberOnce returned: the lot stopped, the database is down").isTrue();
    }

    /**
     * An event's completion, as the pipeline's: {@code cut} once this process may no longer run it (a lost lock, a
     * stop's time run out), {@code takenAway} when parked (it lets the attempt under way end: not cut).
     */
    private static EventCompletion completion(boolean cut, boolean takenAway) {
        return new EventCompletion() {
            @Override
            public boolean mayHaveRun() {
                return false;
            }

            @Override
            public boolean cancelled() {
                return cut || takenAway;
            }

            @Override
            public boolean cutsAttemptUnderWay() {
                return cut;
            }

            @Override
            public boolean takenAway() {
                return takenAway;
            }

            @Override
            public CheckpointSave done() {
                return null;
            }
        };
    }
}
