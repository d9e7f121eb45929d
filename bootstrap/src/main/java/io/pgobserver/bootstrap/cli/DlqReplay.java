package io.pgobserver.bootstrap.cli;

import io.pgobserver.application.ReplayDeadLetters;
import io.pgobserver.application.ReplayStop;
import io.pgobserver.bootstrap.config.OneLine;
import io.pgobserver.domain.port.DeadLetter;
import io.pgobserver.domain.port.DeadLetters;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * {@code dlq replay}. {@code --all} walks the queue a page at a time ({@link ReplayDeadLetters#replayUpTo}) and
 * prints each letter's line as it runs, keeping only counts ({@link LettersReplayed}): a queue of any length is
 * replayed in the same memory, and the user sees it progress.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Run dead-lettered actions again, each in a new trace linked to the event's original "
                + "one. A delivered letter leaves the queue; a failing one stays. A letter another session is "
                + "replaying at the time is not run again here. Exit 0 when no letter stays in the queue (each was "
                + "delivered, or already replayed or deleted elsewhere), 3 when any stays (as 'replay' exits when an "
                + "event is dead-lettered), including one another session was replaying, 1 when there is no "
                + "letter with the --id given, or when SIGINT or SIGTERM stopped it before its last letter (the "
                + "letter under way runs to its end; the rest stay in the queue).")
final class DlqReplay implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    static final class Which {
        @Option(names = "--id", paramLabel = "N", required = true, description = "Replay the letter with this id.")
        Long id;

        @Option(names = "--all", required = true, description = "Replay every letter, oldest first; letters added "
                + "while it runs are left for the next replay.")
        boolean all;
    }

    @Override
    public Integer call() throws Exception {
        // Until its first letter it has changed nothing: a stop ends it at once, also while a database that does
        // not answer holds a read of the queue, which no interrupt ends.
        try (StopSignals signals = StopSignals.endingAtOnceSaying(spec.commandLine().getErr(),
                DlqReplay::stoppedBeforeAny)) {
            return replay(signals);
        }
    }

    /**
     * Reads what to replay, then replays it. A signal while it connects or reads ends it at once and nothing is done;
     * once letters run, it stops the replay at the next letter ({@link ReplayStop}): the one under way runs to its
     * end, so its line says whether it was delivered, and what is left stays in the queue for the next replay.
     */
    private int replay(StopSignals signals) throws Exception {
        // What to replay first, with no action's secret: the replay then needs those of its letters' observers alone.
        String consumer;
        long last;
        Set<String> observers;
        try (AdminSession session = AdminSession.openWithoutActions(options, spec)) {
            DeadLetters queue = session.get(DeadLetters.class);
            consumer = session.config().listener().consumer();
            if (which.id != null) {
                DeadLetter letter = queue.find(consumer, which.id).orElse(null);
                if (letter == null) {
                    // A mistyped id: one line, as dlq delete says it, not a replay report of a letter not there.
                    return DlqCommand.noSuchLetter(spec, consumer, which.id);
                }
                last = which.id;
                observers = Set.of(letter.observer());
            } else {
                // The last id before the observers: a letter added between the two reads is past it, so not run
                // (its observer's secrets may not be loaded), and the observers of the letters up to it are read
                // without reading the letters.
                last = queue.lastId(consumer);
                observers = queue.countByObserver(consumer).keySet();
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        LettersReplayed replayed = new LettersReplayed();
        boolean addedSince = false;
        long left = -1; // the letters in the queue after a stop; -1 when it was not stopped
        if (last > 0) {
            Consumer<ReplayDeadLetters.Result> print = result -> {
                out.println("letter " + result.id() + ": " + OneLine.of(result.message()));
                out.flush();
                replayed.add(result);
            };
            try (AdminSession session = AdminSession.openFor(options, observers)) {
                // Between two actions, a database that does not answer would hold the stop: it ends there at once,
                // naming the command that goes on with what was asked: --all after --id would replay every letter.
                String again = (which.id == null ? "--all" : "--id " + which.id) + options.givenInQuotes();
                ReplayStop stop = new ReplayStop(waiting -> signals.endAtOnce(signals.received() + " received: "
                        + "stopped at once while the database did not answer " + waiting + "; " + replayed.summary()
                        + " (their lines above); the letters not delivered stay in the queue; run 'pg-observer dlq "
                        + "replay " + again + "' again to replay " + (which.id == null ? "them" : "it")));
                // Not an interrupt, which cut the request the receiver had taken and lost its answer.
                signals.instead(stop::request);
                ReplayDeadLetters replay = session.get(ReplayDeadLetters.class);
                DeadLetters queue = session.get(DeadLetters.class);
                if (which.id != null) {
                    replay.replayFound(which.id, stop, print); // found above
                } else if (replay.replayUpTo(last, print, stop)) {
                    addedSince = stop.database("reading the queue's last letter", () -> queue.lastId(consumer)) > last;
                } else {
                    // After the stop, watched as every call after it: a database that does not answer ends the
                    // replay at once 2 s later (the lines above being what ran), not at a second signal.
                    left = stop.database("counting the letters left in the queue",
                            () -> queue.countByObserver(consumer)).values().stream().mapToLong(Long::longValue).sum();
                }
            }
        }
        if (replayed.none() && left < 0) {
            out.println("no dead letters to replay");
        } else {
            out.println(replayed.summary() + (addedSince ? "; letters added since it began (ids after " + last
                    + ") are left for the next replay: pg-observer dlq replay --all" + options.given() : ""));
        }
        out.flush();
        if (replayed.noneStays() && left < 0) {
            return ExitCodes.OK;
        }
        PrintWriter err = spec.commandLine().getErr();
        replayed.errors().forEach(line -> ErrorLines.say(err, "error: " + line, null));
        if (left >= 0) {
            // Said last, as the line to act on: each letter is claimed only while it runs, so none is held after.
            ErrorLines.say(err, "error: " + signals.received() + " received: stopped after the letter under way (its "
                    + "line above says whether it was delivered); " + left + " letter(s) stay in the queue; run "
                    + "'pg-observer dlq replay --all" + options.givenInQuotes() + "' again to replay them", null);
        }
        err.flush();
        if (left >= 0) {
            return ExitCodes.FAILURE;
        }
        // Some letters stay queued, as after a 'replay' whose events were dead-lettered: a script tells that from an
        // id with no letter (above), which is an error. One another session was replaying stays too, until that
        // replay ends: a script that runs 'dlq replay' again on 3 finds it delivered (gone) or runs it then.
        return ExitCodes.DEAD_LETTERED;
    }

    /** A stop while it connected or read what to replay, given the signal (SIGINT): nothing was replayed. */
    private static String stoppedBeforeAny(String signal) {
        return signal + " received before any letter was replayed: stopped, and nothing was done; run the command "
                + "again to do it";
    }
}
