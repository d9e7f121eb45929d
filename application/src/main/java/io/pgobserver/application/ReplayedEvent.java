package io.pgobserver.application;

import io.pgobserver.domain.event.ChangeEvent;

/**
 * One event of a replay, processed on a virtual thread of its own while the replay's thread waits for it, as the live
 * stream's events run on virtual threads ({@link Turns}). Why: a stop interrupts the replay's thread, and an interrupt
 * cuts a webhook request in flight only on a virtual thread (its socket is closed); on the command's own platform
 * thread the replay waited for the receiver's answer or the action's timeout, however long, before it stopped.
 */
final class ReplayedEvent {

    private ReplayedEvent() {
    }

    /**
     * Processes the event and returns once it is done, as {@link ProcessEvent#process} does.
     *
     * @throws InterruptedException when interrupted before the event was done: its processing was cut (and has
     *                              ended), so the event is not done. An event that got done all the same returns
     *                              normally, with the interrupt kept for the replay to stop before the next one
     */
    static void process(ProcessEvent replaying, ChangeEvent event) throws InterruptedException {
        Throwable[] failure = new Throwable[1];
        Thread thread = Thread.ofVirtual().name("pgobserver-replay-" + event.position().offset()).start(() -> {
            try {
                replaying.process(event, EventCompletion.NONE);
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        boolean interrupted = false;
        while (true) {
            try {
                thread.join(); // orders the thread's writes (the failure, the replay's counts) before what follows
                break;
            } catch (InterruptedException e) {
                // Waits on for its end: what the event delivered is known before the replay says where it stopped.
                interrupted = true;
                thread.interrupt();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        switch (failure[0]) {
            case null -> {
            }
            case InterruptedException e -> throw e;
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            default -> throw new IllegalStateException(failure[0]);
        }
    }
}
