package io.pgobserver.application;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.ParkedEvents;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BooleanSupplier;

/**
 * Parked entities during one term: a stuck entity's events wait durably in {@link ParkedEvents}, in order, while
 * the stream and the checkpoint move on; its own drainer runs them, oldest first, with the usual retries and dead
 * letters, and gives the entity back to the stream once its queue is empty ({@link Drainers}).
 *
 * <p>Events handed over by {@link Lanes} (the parked entity's unfinished events, then every later one) are written
 * by one writer thread in groups; only once durable are they done for the checkpoint. A drainer consults delivery
 * records for every event it runs (a parked event may have run in part before), so nothing that was delivered runs
 * twice. Every write is fenced by the term's claim; a fenced write ends the term.
 */
final class ParkingLot implements Lanes.Parked {

    private static final int WRITE_GROUP = 500;

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
    // Waits the whole time or throws: the lot's loops go on past the term's stop, so a wait that ended then by
    // returning would have them try again at once. Its own stops interrupt its threads.
    private final Sleeper sleeper;
    private final Runnable onFenced;
    private final BooleanSupplier termOver;
    private final LinkedBlockingQueue<Handed> handedOver = new LinkedBlockingQueue<>();
    /** Events handed over and not yet durable, per entity; no entry once all are (a parked row costs memory). */
    private final Map<String, Integer> unwritten = new ConcurrentHashMap<>();
    private final Drainers drainers;
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
        this.store = store;
        this.fence = fence;
        this.lanes = lanes;
        this.sleeper = sleeper;
        this.onFenced = onFenced;
        this.termOver = termOver;
        this.drainers = new Drainers(store, fence, lanes, runner, places, headBytes, sleeper, onFenced, this::over,
                unwritten::containsKey, threads);
    }

    /**
     * Takes up the entities an earlier term left parked: their lanes start parked, so that the stream's events of
     * those entities queue behind what is parked, and their drainers start. Runs before anything is dispatched, on
     * the term's thread: its retries wait with {@code pause}, which the term's stop ends by throwing.
     */
    void resume(Sleeper pause) throws InterruptedException {
        Map<String, Long> parked = Retry.untilDone("cannot load the parked entities", () ->
                store.entities(fence.consumer()), this::over, pause, null);
        drainers.open();
        for (Map.Entry<String, Long> entity : parked.entrySet()) {
            lanes.parkedAlready(entity.getKey());
            drainers.resumed(entity.getKey(), entity.getValue());
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
        return drainers.parked();
    }

    /** Per-entity entries held in memory (parked entities, entities handed over): none once all drained. */
    int entriesHeld() {
        return drainers.parked() + unwritten.size();
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
        drainers.written(entity); // before the count goes down: a drainer that sees the count sees this too
        unwritten.compute(entity, (e, count) -> count == items.size() ? null : count - items.size());
        drainers.start(entity);
    }

    /** An entity key as people read it: "public.orders 42". */
    static String readable(String entity) {
        return entity.replace('\u0000', ' ');
    }
}
