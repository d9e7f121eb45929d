package io.pgobserver.application;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.ParkedEvents;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import static io.pgobserver.application.ParkingLot.readable;
import static java.lang.System.Logger.Level.INFO;

/**
 * The drainers of a {@link ParkingLot}'s entities: each parked entity's events run oldest first, one at a time, in
 * turns taken on places of the lot's own ({@code listener.max_in_flight}), and the entity goes back to the stream once
 * its queue is empty. A place is held by attempts running, not by waits between them: an event that must wait for an
 * action's next attempt gives its place up ({@link ParkedRun}) and takes a turn again once the wait is over
 * ({@link WaitingRoom}), so that entities stuck for good do not keep one whose receiver recovered waiting behind them.
 */
final class Drainers {

    private static final System.Logger LOG = System.getLogger(Drainers.class.getName());
    private static final int HEAD = 64;
    private static final Duration ROOM_WAIT = Duration.ofMillis(50);

    private final ParkedEvents store;
    private final CheckpointStore.Fence fence;
    private final Lanes lanes;
    private final ParkingLot.Runner runner;
    private final Sleeper sleeper; // waits the whole time or throws (ParkingLot's)
    private final Runnable onFenced;
    private final BooleanSupplier over;
    private final Predicate<String> unwritten;
    private final LotThreads threads;
    /** Entities written to since their drainer last read its head: that read may have missed what was written. */
    private final Set<String> writtenSinceHead = ConcurrentHashMap.newKeySet();
    /** Parked entities of this term, each with its turn queued, running or waiting until its queue is empty. */
    private final Set<String> draining = ConcurrentHashMap.newKeySet();
    private final Turns turns;
    private final DrainBudget budget;
    private final WaitingRoom waitingRoom = new WaitingRoom();
    private final FewLines parkedLines = new FewLines(LOG, INFO, 10, "rows parked", System::nanoTime);
    private final FewLines drainedLines = new FewLines(LOG, INFO, 10, "parked rows drained", System::nanoTime);

    /**
     * @param places    how many parked events may run at once
     * @param headBytes what the drainers may hold of parked events read back, at once ({@link DrainBudget})
     * @param over      whether the drainers must stop
     * @param unwritten whether events of an entity were handed over and are not yet durable
     */
    Drainers(ParkedEvents store, CheckpointStore.Fence fence, Lanes lanes, ParkingLot.Runner runner, int places,
             long headBytes, Sleeper sleeper, Runnable onFenced, BooleanSupplier over, Predicate<String> unwritten,
             LotThreads threads) {
        this.store = store;
        this.fence = fence;
        this.lanes = lanes;
        this.runner = runner;
        this.sleeper = sleeper;
        this.onFenced = onFenced;
        this.over = over;
        this.unwritten = unwritten;
        this.threads = threads;
        this.turns = new Turns(places, "pgobserver-drain-");
        this.budget = new DrainBudget(headBytes);
    }

    /** Starts the thread that hands waiting entities back to the turns. */
    void open() {
        threads.startHelper("pgobserver-drain-waits", () -> waitingRoom.handBack(this::queue));
    }

    /** Entities parked now. */
    int parked() {
        return draining.size();
    }

    /** An entity left parked by an earlier term, with {@code events} events: its drainer starts. */
    void resumed(String entity, long events) {
        parkedLines.log(() -> "entity " + readable(entity) + " is parked with " + events
                + " event(s); draining them before its new events");
        start(entity);
    }

    /** Events of the entity were made durable: before they stop counting as unwritten, so a drainer sees one or both. */
    void written(String entity) {
        writtenSinceHead.add(entity);
    }

    /** Starts the entity's drainer, unless it has one. */
    void start(String entity) {
        if (draining.add(entity)) {
            parkedLines.log(() -> "entity " + readable(entity) + " parked: its events wait in "
                    + "pgobserver.parked_events and run in order while the stream goes on");
            queue(entity, null);
        }
    }

    private void queue(String entity, ParkedRun resumed) {
        turns.queue(() -> turn(entity, resumed));
    }

    /**
     * One turn of a parked entity's draining: runs the head of its queue, oldest first, and removes what is done;
     * queues its next turn behind the other parked entities', or unparks it when its queue is empty, or leaves it in
     * the waiting room when its event must wait to retry ({@code resumed} then goes on with that event). Turns, not a
     * thread per entity: a receiver down for every row parks every row, and each entity waiting for its turn must
     * then cost an entry in a queue, not a thread holding its head of events.
     */
    private void turn(String entity, ParkedRun resumed) {
        threads.enter(); // before the check: a stop that comes after it interrupts this turn
        long holding = 0;
        try {
            if (over.getAsBoolean()) {
                return; // the queue stays parked for the next term
            }
            DrainBudget.Room room = budget.reserve(HEAD);
            if (room == null) { // the drainers' heads hold their bytes: this entity's turn comes again shortly
                sleeper.sleep(ROOM_WAIT);
                if (!over.getAsBoolean()) {
                    queue(entity, resumed);
                }
                return;
            }
            holding = room.bytes();
            writtenSinceHead.remove(entity);
            List<ChangeEvent> head = Retry.untilDone("cannot read the parked events of " + readable(entity),
                    () -> store.head(fence.consumer(), entity, room.events()), over, sleeper, null);
            holding = budget.settle(room, head);
            if (head.isEmpty()) {
                // Under the entity's lane lock, as take() runs: a park of the entity right after must start a new
                // drainer, and events handed over just before must be written and drained first.
                if (lanes.unparkIfIdle(entity, () -> {
                    boolean drained = !unwritten.test(entity) && !writtenSinceHead.contains(entity);
                    if (drained) { // forgotten, or every row parked in a term (days, weeks) would stay in memory
                        draining.remove(entity);
                    }
                    return drained;
                })) {
                    drainedLines.log(() -> "entity " + readable(entity) + " drained its parked events; back in the "
                            + "stream");
                    return;
                }
                sleeper.sleep(Duration.ofMillis(20)); // the writer is making newer events durable
            }
            for (ChangeEvent event : head) {
                long offset = event.position().offset();
                ParkedRun run = resumed != null && resumed.offset() == offset ? resumed.again()
                        : new ParkedRun(offset, fence, over, onFenced);
                resumed = null;
                if (!ranOrWaits(entity, event, run)) {
                    return; // its head is let go: read again when its wait is over
                }
                ParkedWrites.untilDone("cannot take event " + event.id() + " off the parked queue",
                        () -> store.remove(fence, entity, offset), over, sleeper);
            }
            if (!over.getAsBoolean()) {
                queue(entity, null);
            }
        } catch (InterruptedException e) {
            // The term is over: the queue stays parked for the next term.
        } catch (ParkedWrites.Fenced e) {
            onFenced.run();
        } catch (RuntimeException e) {
            // Not expected (the runner handles an event's failures). The entity must not stay counted as draining
            // with no turn queued: the next event parked for it starts its draining again, as a new term would.
            draining.remove(entity);
            LOG.log(System.Logger.Level.ERROR, "draining the parked events of entity " + readable(entity)
                    + " failed; it drains again when its next event is parked, or in the next term", e);
        } finally {
            budget.release(holding);
            threads.leave();
            Thread.interrupted(); // a turn's thread takes the next turn: this one's interrupt is spent
        }
    }

    /** Runs the event: true once done, false when it waits for its next attempt in the waiting room. */
    private boolean ranOrWaits(String entity, ChangeEvent event, ParkedRun run) throws InterruptedException {
        try {
            runner.run(event, run);
            return true;
        } catch (InterruptedException e) {
            if (run.waiting() && !over.getAsBoolean()) {
                waitingRoom.enter(entity, run);
                return false;
            }
            throw e;
        }
    }
}
