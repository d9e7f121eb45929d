package io.pgobserver.application;

import io.pgobserver.domain.event.ChangeEvent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Runs events of one entity one after another, in the order they were submitted, and different entities in
 * parallel on virtual threads. {@code maxInFlight} bounds the events <em>running</em> at once, not the queued ones:
 * one entity with a thousand queued events takes one place, so it cannot hold back the others. What bounds the
 * queued events is {@link Progress}'s {@code maxPending}.
 *
 * <p>An entity's lane runs in turns: a turn runs its oldest event, then queues the lane's next turn behind those of
 * every entity already waiting, so a busy entity gets its share and no more. {@link Turns} takes them in order on at
 * most {@code maxInFlight} threads, each within a place of the permits. The parking lot's drainers have places of
 * their own: entities parked for hours must not take the places the stream runs on.
 *
 * <p>An entity that cannot get on can be {@linkplain #park parked}: its running event stops before its next attempt,
 * and its unfinished events, then every event submitted for it later, go to the {@link Parked} hand-over in order,
 * until {@link #unparkIfIdle} gives the entity back to a lane. {@link #cancel()} interrupts every running event and
 * drops the queued ones; {@link #stop()} drops the queued ones and lets the running ones finish, except that none
 * waits to retry (it stops before its next attempt). What is dropped or stopped is not done: the next holder runs it.
 */
final class Lanes {

    private static final System.Logger LOG = System.getLogger(Lanes.class.getName());

    /** Runs one event to its end; returns normally only when the event is done. */
    interface Work {
        void run(ChangeEvent event, Ticket ticket) throws InterruptedException;
    }

    /** Where the events of a parked entity go, in order. Called under the entity's lane lock: must not block. */
    interface Parked {
        void take(String entity, List<Item> events);
    }

    record Item(ChangeEvent event, Ticket ticket) {
    }

    private final Work work;
    private final Semaphore permits;
    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Thread, Item> running = new ConcurrentHashMap<>();
    private final Turns turns;
    private final Unfinished unfinished = new Unfinished();
    /** Lanes parked or being parked: each is held in memory until its parked queue drains. */
    private final AtomicInteger parkedLanes = new AtomicInteger();
    private final AtomicInteger ranUnfinished = new AtomicInteger(); // see ranUnfinished()
    private volatile Parked parked = (entity, events) -> {
        throw new IllegalStateException("no parking lot: entity " + entity + " cannot be parked");
    };
    private volatile boolean cancelled;

    Lanes(int maxInFlight, Work work, String threadName) {
        this.work = work;
        // Fair: an entity waiting for a place gets the next one, whatever others keep submitting.
        this.permits = new Semaphore(maxInFlight, true);
        this.turns = new Turns(maxInFlight, threadName);
    }

    void parkInto(Parked lot) { // where parked entities' events go
        this.parked = lot;
    }

    /**
     * Hands the event to the lane {@code key} names (its entity's, or its own when no observer needs order), or to
     * the parking lot when that lane is parked. Never waits.
     */
    void submit(String key, ChangeEvent event, Ticket ticket) {
        if (cancelled) {
            return;
        }
        Item item = new Item(event, ticket);
        unfinished.change(1);
        lanes.compute(key, (k, lane) -> {
            if (lane == null) {
                Lane fresh = new Lane();
                fresh.current = item;
                turns.queue(() -> turn(k, fresh));
                return fresh;
            }
            if (lane.parked) {
                parked.take(k, List.of(item));
                unfinished.change(-1);
            } else {
                lane.queue.addLast(item);
            }
            return lane;
        });
    }

    void parkedAlready(String entity) { // parked from the start: its queue is in the store, from an earlier term
        lanes.compute(entity, (key, lane) -> {
            Lane parkedLane = lane != null ? lane : new Lane();
            if (!parkedLane.parked && !parkedLane.parkRequested) {
                parkedLanes.incrementAndGet();
            }
            parkedLane.parked = true;
            return parkedLane;
        });
    }

    /**
     * Parks the entity: its running event stops before its next attempt, and its unfinished events go to the
     * parking lot in order (the running one first), followed by every event submitted for it from now on.
     * False when the entity has no lane (nothing of it runs here) or is parked already.
     */
    boolean park(String entity) {
        boolean[] requested = new boolean[1];
        lanes.computeIfPresent(entity, (key, lane) -> {
            if (lane.parked || lane.parkRequested) {
                return lane;
            }
            lane.parkRequested = true;
            parkedLanes.incrementAndGet();
            requested[0] = true;
            if (lane.current != null) {
                // Not an interrupt: an attempt in flight ends (the receiver may have acted on it), the rest stops.
                lane.current.ticket().parking();
            }
            return lane;
        });
        return requested[0];
    }

    /**
     * Gives a parked entity back to a lane of its own when {@code drained} says its parked queue is empty: checked
     * under the lane's lock, so no event submitted meanwhile can slip between the last parked event and the first
     * new one. True when the entity is no longer parked.
     */
    boolean unparkIfIdle(String entity, BooleanSupplier drained) {
        boolean[] unparked = new boolean[1];
        lanes.compute(entity, (key, lane) -> {
            if (lane == null) {
                unparked[0] = true;
                return null;
            }
            if (lane.parked && drained.getAsBoolean()) {
                unparked[0] = true;
                parkedLanes.decrementAndGet();
                return null;
            }
            return lane;
        });
        return unparked[0];
    }

    /** One turn: the lane's current event; its next turn then queues behind every lane already waiting. */
    private void turn(String key, Lane lane) {
        Thread.interrupted(); // an interrupt meant for this pooled thread's previous turn must not hit this one
        Item item = claim(key, lane, Thread.currentThread());
        if (item == null) {
            return;
        }
        running.put(Thread.currentThread(), item);
        boolean done;
        try {
            done = runOne(item);
        } finally {
            running.remove(Thread.currentThread());
        }
        boolean more = finish(key, item, done);
        Thread.interrupted(); // an interrupt meant for the event just finished must not hit the next
        if (more) {
            turns.queue(() -> turn(key, lane));
        }
    }

    /** The lane's current event, now this thread's; null when the lane was cancelled or parked meanwhile. */
    private Item claim(String key, Lane lane, Thread me) {
        Item[] current = new Item[1];
        lanes.compute(key, (k, l) -> {
            if (cancelled) {
                return dropped(l);
            }
            if (l.parkRequested) {
                handOver(k, l, l.current, false);
                return l;
            }
            l.thread = me;
            current[0] = l.current;
            return l;
        });
        return current[0];
    }

    /** Settles the event just run; true when the lane has a next one. */
    private boolean finish(String key, Item finished, boolean done) {
        boolean[] more = new boolean[1];
        lanes.compute(key, (k, l) -> {
            l.thread = null;
            if (cancelled) {
                ranUnfinished.addAndGet(done || !finished.ticket().entry.started() ? 0 : 1);
                return dropped(l);
            }
            if (l.parkRequested) {
                if (!done || !l.queue.isEmpty()) {
                    handOver(k, l, finished, done);
                    return l;
                }
                parkedLanes.decrementAndGet(); // its last event got through as it was being parked: nothing to park
            }
            unfinished.change(-1);
            l.current = l.queue.pollFirst();
            more[0] = l.current != null;
            return more[0] ? l : null;
        });
        return more[0];
    }

    /** Under the lane's lock, once cancelled: its current and queued events are dropped; the lane goes. */
    private Lane dropped(Lane lane) {
        unfinished.change(-(lane.queue.size() + 1));
        lane.queue.clear();
        return null;
    }

    /** Under the lane's lock: its unfinished events go to the parking lot, the given one first unless done. */
    private void handOver(String key, Lane lane, Item current, boolean done) {
        List<Item> handOver = new ArrayList<>(lane.queue.size() + 1);
        if (!done) {
            handOver.add(current);
        }
        handOver.addAll(lane.queue);
        lane.queue.clear();
        lane.parked = true;
        lane.thread = null;
        lane.current = null;
        parked.take(key, handOver);
        unfinished.change(-(handOver.size() + (done ? 1 : 0)));
    }

    /**
     * Runs one event within a running-attempt place; true when it is done. An event that fails in a way the
     * runner did not handle (an Error) is not done: the checkpoint waits on it until its entity is parked, and the
     * parking lot runs it again. The lane itself goes on with the next event.
     */
    private boolean runOne(Item item) {
        if (cancelled || item.ticket().cancelled()) { // parked while in line: not to wait for a place first
            return false;
        }
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            return false;
        }
        try {
            if (cancelled || item.ticket().cancelled()) {
                return false;
            }
            work.run(item.event(), item.ticket().running());
            return true;
        } catch (InterruptedException e) {
            return false; // cancelled or parked: not done
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.ERROR, "event " + item.event().id() + " (change_log id "
                    + item.event().position().offset() + ") failed unexpectedly; it runs again once parked", e);
            return false;
        } finally {
            permits.release();
        }
    }

    void stop() { // queued events dropped, nothing more started; running ones finish, but none waits to retry
        cancelled = true;
        lanes.keySet().forEach(key -> lanes.computeIfPresent(key, (k, lane) -> lane.stopRetrying()));
    }

    void cancel() { // interrupts running events and drops queued ones; nothing more runs
        cancelled = true;
        running.keySet().forEach(Thread::interrupt);
    }

    List<ChangeEvent> running() { // the events being run now, which a stop that cuts them names
        return running.values().stream().map(Item::event).toList();
    }

    boolean awaitIdle(Duration timeout) throws InterruptedException { // all finished or gone to the parking lot
        return unfinished.awaitNone(timeout);
    }

    int parked() { // lanes parked or being parked, each held in memory until its parked queue drains
        return parkedLanes.get();
    }

    int unfinished() { // events submitted to lanes and not finished
        return unfinished.count();
    }

    int ranUnfinished() { // ran, then ended not done at a stop: cut, or their attempt failed and no retry came
        return ranUnfinished.get();
    }
}
