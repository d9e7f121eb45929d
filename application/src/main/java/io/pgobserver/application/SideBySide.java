package io.pgobserver.application;

import io.pgobserver.domain.trace.Scope;
import io.pgobserver.domain.trace.Span;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs one event's matching observers side by side, each on a virtual thread of its own, and waits for them all: an
 * observer whose receiver is down then holds back the others' deliveries of the event by nothing, where one after
 * another it held them for as long as its retries lasted. One observer runs on the caller's thread, as before.
 *
 * <p>The event is done only when every observer is, so one entity's events still run in commit order. Stopping the
 * event (its lane parked, the term over) interrupts the caller, and the caller every observer it waits for; it
 * returns only once they all have ended, so that what they delivered is known before the event is given up.
 */
final class SideBySide {

    private SideBySide() {
    }

    /** One observer's run for the event: true when all its actions ran, false when some were dead-lettered. */
    interface ObserverRun {
        boolean run(int index) throws InterruptedException;
    }

    /**
     * Runs {@code count} observers' runs, on threads of their own when there are several, each with {@code current}
     * made current (the event's root span: logs carry its trace id). Returns each run's answer, in order.
     *
     * @throws InterruptedException when the caller was interrupted, or a run was cut off (stop or parking), after
     *                              every run has ended
     * @throws RuntimeException     the first run's failure, in observer order, after every run has ended
     */
    static boolean[] run(int count, Span current, ObserverRun observerRun) throws InterruptedException {
        boolean[] answers = new boolean[count];
        if (count == 1) {
            answers[0] = observerRun.run(0);
            return answers;
        }
        Throwable[] failures = new Throwable[count];
        List<Thread> threads = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int index = i;
            threads.add(Thread.ofVirtual().name("pgobserver-observer-", index).start(() -> {
                try (Scope ignored = current.makeCurrent()) {
                    answers[index] = observerRun.run(index);
                } catch (Throwable e) {
                    failures[index] = e;
                }
            }));
        }
        boolean interrupted = awaitAll(threads);
        // Thread.join orders each thread's writes before what follows it here.
        for (Throwable failure : failures) {
            if (failure instanceof InterruptedException e) {
                throw e;
            }
        }
        if (interrupted) {
            throw new InterruptedException("the event was stopped while its observers ran");
        }
        for (Throwable failure : failures) {
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
        }
        return answers;
    }

    /** Waits for every thread; interrupted, it interrupts them and still waits. True when the caller was interrupted. */
    private static boolean awaitAll(List<Thread> threads) {
        boolean interrupted = false;
        for (Thread thread : threads) {
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    if (!interrupted) {
                        interrupted = true;
                        threads.forEach(Thread::interrupt);
                    }
                }
            }
        }
        return interrupted;
    }
}
