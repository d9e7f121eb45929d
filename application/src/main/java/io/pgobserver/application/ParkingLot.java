package io.pgobserver.application;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.ParkedEvents;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BooleanSupplier;

import static java.lang.System.Logger.Level.INFO;

/**
 * Parked entities during one term: a stuck entity's events wait durably in {@link ParkedEvents}, in order, while
 * the stream and the checkpoint move on; its own drainer runs them, oldest first, with the usual retries and dead
 * letters, and gives the entity back to the stream once its queue is empty.
 *
 * <p>Events handed over by {@link Lanes} (the parked entity's unfinished events, then every later one) are written
 * by one writer thread in groups; only once durable are they done for the checkpoint. A drainer consults delivery
 * records for every event it runs (a parked event may have run in part before), so nothing that was delivered runs
 * twice. Every write is fenced by the term's claim; a fenced write ends the term.
 */
final class ParkingLot implements Lanes.Parked {

    private static final System.Logger LOG = System.getLogger(ParkingLot.class.getName());
    private static final int HEAD = 64;
    private static final int WRITE_GROUP = 500;
    private static final Duration ROOM_WAIT = Duration.ofMillis(50);

    /** Runs one event until it is done (or dead-lettered); throws InterruptedException when stopped. */
    interface Runner {
        void run(ChangeEvent event, EventCompletion completion) throws InterruptedException;
    }

    private record Handed(String entity, Lanes.Item item) {
    }

    private static final Handed LAST = new Handed(null, null); // queued at a stop: the writer's last (finishWriting)

    private final ParkedEvents store;
    private final CheckpointStore.Fence fence;
    private final Lanes lanes;
    private final Runner runner;
    // Waits the whole time or throws: the lot's loops go on past the term's stop, so a wait that ended then by
    // returning would have them try again at once. Its own stops interrupt its threads.
    private final Sleeper sleeper;
    private final Runnable onFenced;
    private final BooleanSupplier termOver;
    private final LinkedBlockingQueue<Handed> handedOver = new LinkedBlockingQueue<>();
    /** Events handed over and not yet durable, per entity; no entry once all are (a parked row costs memory). */
    private final Map<String, Integer> unwritten = new ConcurrentHashMap<>();
    /** Entities written to since their drainer last read its head: that read may have missed what was written. */
    private final Set<String> writtenSinceHead = ConcurrentHashMap.newKeySet();
    /** Parked entities of this term, each with its turn queued or running until its queue is empty. */
    private final Set<String> draining = ConcurrentHashMap.newKeySet();
    private final Turns drainTurns;
    private final DrainBudget budget;
    private final EventCompletion parkedRun;
    private final FewLines parkedLines = new FewLines(LOG, INFO, 10, "rows parked", System::nanoTime);
    private final FewLines drainedLines = new FewLines(LOG, INFO, 10, "parked rows drained", System::nanoTime);
    private final LotThreads threads = new LotThreads();
    private volatile boolean stopped;
    private volatile boolean closing; // a stop under way: the drainers stopped, the writer finishing

    /**
     * @param places    how many parked events may run at once ({@code listener.max_in_flight}): places of the
     *                  parking lot's own, so that entities stuck for hours cannot take every place the stream runs on
     * @param headBytes what the drainers may hold of parked events read back, at once ({@link DrainBudget})
     */
    ParkingLot(ParkedEvents store, CheckpointStore.Fence fence, Lanes lanes, Runner runner, int places,
               long headBytes, Sleeper sleeper, Runnable onFenced, BooleanSupplier termOver) {
        this.drainTurns = new Turns(places, "pgobserver-drain-");
        this.budget = new DrainBudget(headBytes);
        this.store = store;
        this.fence = fence;
        this.lanes = lanes;
        this.runner = runner;
        this.sleeper = sleeper;
        this.onFenced = onFenced;
        this.termOver = termOver;
        this.parkedRun = new ParkedRun(fence, this::over, onFenced);
    }

    /**
     * Takes up the entities an earlier term left parked: their lanes start parked, so that the stream's events of
     * those entities queue behind what is parked, and their drainers start. Runs before anything is dispatched, on
     * the term's thread: its retries wait with {@code pause}, which the term's stop ends by throwing.
     */
    void resume(Sleeper pause) throws InterruptedException {
        Map<String, Long> parked = Retry.untilDone("cannot load the parked entities", () ->
                store.entities(fence.consumer()), this::over, pause, null);
        for (Map.Entry<String, Long> entity : parked.entrySet()) {
            lanes.parkedAlready(entity.getKey());
            parkedLines.log(() -> "entity " + readable(entity.getKey()) + " is parked with " + entity.getValue()
                    + " event(s); draining them before its new events");
            startDrainer(entity.getKey());
        }
        threads.startWriter(this::writeHandedOver);
    }

    /** Called by {@link Lanes} under the entity's lane lock: queues the events for the writer, never waits. */
    @Override
    public void take(String entity, List<Lanes.Item> events) {
        if (events.isEmpty()) {
            return;
        }
        unwritten.merge(entity, events.size(), Integer::sum);
        for (Lanes.Item item : events) {
            handedOver.add(new Handed(entity, item));
        }
    }

    /** Entities parked now. */
    int parkedEntities() {
        return draining.size();
    }

    /** Per-entity entries held in memory (parked entities, entities handed over): none once all drained. */
    int entriesHeld() {
        return draining.size() + unwritten.size();
    }

    /**
     * A stop's start: the drainers stop (what they did not finish stays parked); the writer writes what was handed over
     * so far (done, then, for the checkpoint saved next), and ends. Waits up to {@code within}, and no longer once the
     * term is over (this process may no longer write: its lock is lost, most often with the database).
     */
    void finishWriting(Duration within) throws InterruptedException {
        closing = true;
        handedOver.add(LAST);
        threads.interruptDrainers();
        threads.awaitWriter(within, termOver);
    }

    /** Stops the writer and the drainers; what they did not finish stays parked for the next term. */
    void stop() {
        stopped = true;
        threads.interruptAll();
    }

    /**
     * Waits up to {@code timeout} for the writer and the drainers to end after {@link #stop()} (interrupted, they end
     * at once, but a drainer may be in the middle of a parked event); whether nothing of the lot runs any more.
     */
    boolean awaitStopped(Duration timeout) throws InterruptedException {
        return threads.awaitEnded(timeout);
    }

    /** Events handed over and not made durable: once stopped, left on their way to parking for the next holder. */
    int unwritten() {
        return unwritten.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Whether the drainers must stop: from the start of a stop on. */
    private boolean over() {
        return closing || !writing();
    }

    /** Whether the writer may go on: until the stop's time runs out, or the term is over. */
    private boolean writing() {
        return !stopped && !termOver.getAsBoolean();
    }

    /**
     * The writer: makes handed-over events durable in groups, in order per entity, then done for the checkpoint. At a
     * stop it ends once it has written what was handed over before it ({@link #LAST}).
     */
    private void writeHandedOver() {
        try {
            for (boolean last = false; !last && writing(); ) {
                Map<String, List<Lanes.Item>> byEntity = nextGroup();
                last = byEntity.remove(LAST.entity()) != null; // LAST comes last: no event was handed over after it
                // Each entity's events are let go once written: done, they no longer count as held, and must not be.
                for (var entities = byEntity.entrySet().iterator(); entities.hasNext(); ) {
                    Map.Entry<String, List<Lanes.Item>> entity = entities.next();
                    write(entity.getKey(), entity.getValue());
                    entities.remove();
                }
            }
        } catch (InterruptedException e) {
            // The term is over: handed-over events not yet written are not done, and are read again.
        } catch (ParkedWrites.Fenced e) {
            onFenced.run();
        }
    }

    /** The next events handed over, up to {@link #WRITE_GROUP}, by entity in order; waits for the first. */
    private Map<String, List<Lanes.Item>> nextGroup() throws InterruptedException {
        List<Handed> group = new ArrayList<>();
        group.add(handedOver.take());
        handedOver.drainTo(group, WRITE_GROUP - 1);
        Map<String, List<Lanes.Item>> byEntity = new LinkedHashMap<>();
        for (Handed handed : group) {
            byEntity.computeIfAbsent(handed.entity(), e -> new ArrayList<>()).add(handed.item());
        }
        return byEntity;
    }

    private void write(String entity, List<Lanes.Item> items) throws InterruptedException {
        List<ChangeEvent> events = new ArrayList<>(items.size());
        for (Lanes.Item item : items) {
            events.add(item.event());
        }
        // Retried after the stop's start too, while the writer finishes: only the term's end or the stop's time end it.
        ParkedWrites.untilDone("cannot park " + events.size() + " event(s) of entity " + readable(entity),
                () -> store.park(fence, entity, events), () -> !writing(), sleeper);
        for (Lanes.Item item : items) {
            EventCompletion.CheckpointSave.runLogged(item.ticket().done());
        }
        writtenSinceHead.add(entity); // before the count goes down: a drainer that sees the count sees this too
        unwritten.compute(entity, (e, count) -> count == items.size() ? null : count - items.size());
        startDrainer(entity);
    }

    private void startDrainer(String entity) {
        if (draining.add(entity)) {
            parkedLines.log(() -> "entity " + readable(entity) + " parked: its events wait in "
                    + "pgobserver.parked_events and run in order while the stream goes on");
            drainTurns.queue(() -> drainTurn(entity));
        }
    }

    /**
     * One turn of a parked entity's draining: runs the head of its queue, oldest first, and removes what is done;
     * queues its next turn behind the other parked entities', or unparks it when its queue is empty. Turns, not a
     * thread per entity: a receiver down for every row parks every row, and each entity waiting for its turn must
     * then cost an entry in a queue, not a thread holding its head of events.
     */
    private void drainTurn(String entity) {
        threads.enter(); // before the check: a stop that comes after it interrupts this turn
        long holding = 0;
        try {
            if (over()) {
                return; // the queue stays parked for the next term
            }
            DrainBudget.Room room = budget.reserve(HEAD);
            if (room == null) { // the drainers' heads hold their bytes: this entity's turn comes again shortly
                sleeper.sleep(ROOM_WAIT);
                if (!over()) {
                    drainTurns.queue(() -> drainTurn(entity));
                }
                return;
            }
            holding = room.bytes();
            writtenSinceHead.remove(entity);
            List<ChangeEvent> head = Retry.untilDone("cannot read the parked events of " + readable(entity),
                    () -> store.head(fence.consumer(), entity, room.events()), this::over, sleeper, null);
            holding = budget.settle(room, head);
            if (head.isEmpty()) {
                // Under the entity's lane lock, as take() runs: a park of the entity right after must start a new
                // drainer, and events handed over just before must be written and drained first.
                if (lanes.unparkIfIdle(entity, () -> {
                    boolean drained = !unwritten.containsKey(entity) && !writtenSinceHead.contains(entity);
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
                runner.run(event, parkedRun);
                ParkedWrites.untilDone("cannot take event " + event.id() + " off the parked queue",
                        () -> store.remove(fence, entity, event.position().offset()), this::over, sleeper);
            }
            if (!over()) {
                drainTurns.queue(() -> drainTurn(entity));
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

    /** An entity key as people read it: "public.orders 42". */
    static String readable(String entity) {
        return entity.replace('\u0000', ' ');
    }
}
