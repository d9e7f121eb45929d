package io.pgobserver.application;

import io.pgobserver.domain.event.ChangeEvent;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Runs events of one entity one after another, in the order they were submitted, and different entities in
 * parallel on virtual threads. {@code maxInFlight} bounds the events <em>running</em> at once, not the queued ones:
 * one entity with a thousand queued events takes one place, so it cannot hold back the others. What bounds the
 * queued events is {@link Progress}'s {@code maxPending}.
 *
 * <p>An entity that cannot get on can be {@linkplain #park parked}: its running attempt is stopped and its unfinished
 * events, then every event submitted for it later, go to the {@link Parked} hand-over in order, until
 * {@link #unparkIfIdle} gives the entity back to a lane.
 *
 * <p>{@link #cancel()} interrupts every running event and drops the queued ones: they are not done, and run
 * again under the consumer's next holder.
 */
final class Lanes {

    private static final System.Logger LOG = System.getLogger(Lanes.class.getName());

    /** Runs one event to its end; returns normally only when the event is done. */
    interface Work {
        void run(ChangeEvent event, Progress.Ticket ticket) throws InterruptedException;
    }

    /** Where the events of a parked entity go, in order. Called under the entity's lane lock: must not block. */
    interface Parked {
        void take(String entity, List<Item> events);
    }

    record Item(ChangeEvent event, Progress.Ticket ticket) {
    }

    /** One entity's state. Only touched inside {@code lanes.compute} for its key. */
    private static final class Lane {
        final ArrayDeque<Item> queue = new ArrayDeque<>();
        Thread thread;
        Item current;
        boolean parkRequested;
        boolean parked;
    }

    private final Work work;
    private final Semaphore permits;
    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();
    private final Set<Thread> running = ConcurrentHashMap.newKeySet();
    private final ThreadFactory threads;
    private final ReentrantLock idleLock = new ReentrantLock();
    private final Condition idle = idleLock.newCondition();
    private volatile Parked parked = (entity, events) -> {
        throw new IllegalStateException("no parking lot: entity " + entity + " cannot be parked");
    };
    private int unfinished;
    private volatile boolean cancelled;

    Lanes(int maxInFlight, Work work, String threadName) {
        this.work = work;
        // Fair: an entity waiting for a place gets the next one, whatever others keep submitting.
        this.permits = new Semaphore(maxInFlight, true);
        this.threads = Thread.ofVirtual().name(threadName, 0).factory();
    }

    /** Where parked entities' events go. */
    void parkInto(Parked lot) {
        this.parked = lot;
    }

    /** The running-attempt places that {@code maxInFlight} bounds: the parking lot's drainers take them too. */
    Semaphore permits() {
        return permits;
    }

    /**
     * Hands the event to the lane {@code key} names (its entity's, or its own when no observer needs order), or to
     * the parking lot when that lane is parked. Never waits.
     */
    void submit(String key, ChangeEvent event, Progress.Ticket ticket) {
        if (cancelled) {
            return;
        }
        Item item = new Item(event, ticket);
        changeUnfinished(1);
        lanes.compute(key, (k, lane) -> {
            if (lane == null) {
                Lane fresh = new Lane();
                fresh.current = item;
                fresh.thread = threads.newThread(() -> drain(k, fresh, item));
                fresh.thread.start();
                return fresh;
            }
            if (lane.parked) {
                parked.take(k, List.of(item));
                changeUnfinished(-1);
            } else {
                lane.queue.addLast(item);
            }
            return lane;
        });
    }

    /** Marks an entity parked from the start (its queue is already in the parked store, from an earlier term). */
    void parkedAlready(String entity) {
        lanes.compute(entity, (key, lane) -> {
            Lane parkedLane = lane != null ? lane : new Lane();
            parkedLane.parked = true;
            return parkedLane;
        });
    }

    /**
     * Parks the entity: its running attempt is stopped before its next step, and its unfinished events go to the
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
            requested[0] = true;
            if (lane.current != null) {
                lane.current.ticket().parking();
            }
            if (lane.thread != null) {
                lane.thread.interrupt();
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
                return null;
            }
            return lane;
        });
        return unparked[0];
    }

    private void drain(String key, Lane lane, Item first) {
        running.add(Thread.currentThread());
        try {
            Item item = first;
            while (item != null) {
                boolean done = runOne(item);
                Item finished = item;
                Item[] next = new Item[1];
                lanes.compute(key, (k, l) -> {
                    if (cancelled) {
                        changeUnfinished(-(l.queue.size() + 1));
                        l.queue.clear();
                        return null;
                    }
                    if (l.parkRequested) {
                        List<Item> handOver = new ArrayList<>(l.queue.size() + 1);
                        if (!done) {
                            handOver.add(finished);
                        }
                        handOver.addAll(l.queue);
                        l.queue.clear();
                        l.parked = true;
                        l.thread = null;
                        l.current = null;
                        parked.take(k, handOver);
                        changeUnfinished(-(handOver.size() + (done ? 1 : 0)));
                        return l;
                    }
                    changeUnfinished(-1);
                    next[0] = l.queue.pollFirst();
                    l.current = next[0];
                    return next[0] == null ? null : l;
                });
                item = next[0];
                Thread.interrupted(); // an interrupt meant for the event just finished must not hit the next
            }
        } finally {
            running.remove(Thread.currentThread());
        }
    }

    /**
     * Runs one event within a running-attempt place; true when it is done. An event that fails in a way the
     * runner did not handle (an Error) is not done: the checkpoint waits on it until its entity is parked, and the
     * parking lot runs it again. The lane itself goes on with the next event.
     */
    private boolean runOne(Item item) {
        if (cancelled || item.ticket().cancelled()) {
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
            work.run(item.event(), item.ticket());
            return true;
        } catch (InterruptedException e) {
            return false; // cancelled or parked: not done
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.ERROR, "event " + item.event().id() + " (change_log id "
                    + item.event().position().offset() + ") failed unexpectedly; its entity goes on, and the event "
                    + "runs again once the entity is parked", e);
            return false;
        } finally {
            permits.release();
        }
    }

    private void changeUnfinished(int delta) {
        idleLock.lock();
        try {
            unfinished += delta;
            if (unfinished == 0) {
                idle.signalAll();
            }
        } finally {
            idleLock.unlock();
        }
    }

    /** Interrupts running events and drops queued ones; nothing more runs. */
    void cancel() {
        cancelled = true;
        for (Thread thread : running) {
            thread.interrupt();
        }
    }

    /** Waits until every submitted event has finished or gone to the parking lot, up to {@code timeout}. */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        idleLock.lock();
        try {
            while (unfinished > 0 && left > 0) {
                left = idle.awaitNanos(left);
            }
            return unfinished == 0;
        } finally {
            idleLock.unlock();
        }
    }

    /** Events submitted to lanes and not finished. */
    int unfinished() {
        idleLock.lock();
        try {
            return unfinished;
        } finally {
            idleLock.unlock();
        }
    }
}
