package io.pgobserver.bootstrap.cli;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.pgobserver.application.ReplayDeadLetters;
import io.pgobserver.bootstrap.config.OneLine;
import io.pgobserver.domain.port.DeadLetter;
import io.pgobserver.domain.port.DeadLetters;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** The dead-letter queue: {@code dlq list}, {@code dlq replay} and {@code dlq delete}. */
@Command(name = "dlq", mixinStandardHelpOptions = true,
        description = "Inspect, replay and delete the dead-letter queue: actions that failed for good.",
        subcommands = {DlqCommand.ListLetters.class, DlqCommand.Replay.class, DlqCommand.Delete.class})
final class DlqCommand implements Runnable {

    /** How many ids of letters not delivered the error line names. */
    private static final int IDS_NAMED = 20;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: choose one of "
                + spec.subcommands().keySet());
    }

    /** {@code dlq list}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List dead letters, oldest first: id, observer, action, attempts, when it failed, the "
                    + "event and the error. It only reads: exit 4 when pg-observer is not installed in the database "
                    + "or its schema is older than this release.")
    static final class ListLetters implements Callable<Integer> {

        @Mixin
        ConfigOptions options;

        @Spec
        CommandSpec spec;

        static final int DEFAULT_LIMIT = 100;
        /**
         * The most letters one page shows, as the console's list scans: a page is read into memory and printed at
         * once, so a longer queue is paged with --after rather than read whole.
         */
        static final int MAX_LIMIT = 10_000;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "" + DEFAULT_LIMIT,
                description = "Show at most N letters, 1 to " + MAX_LIMIT + " (default: ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--after", paramLabel = "ID", defaultValue = "0",
                description = "Show only letters with an id above ID: the next page of a long queue (the last line "
                        + "of a page names the command that shows the next one).")
        long after;

        @Option(names = "--json", description = "Print a JSON array, for scripts.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be 1 to " + MAX_LIMIT
                        + ", was " + limit + "; a longer queue is read page by page: --after ID shows the letters "
                        + "after ID, the last id of the page before");
            }
            if (after < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--after must be a letter id (0 or "
                        + "more), was " + after + ": use the last id of the page before, or leave it out to start "
                        + "with the oldest letter");
            }
            List<DeadLetter> letters;
            long total;
            try (AdminSession session = AdminSession.openToRead(options, spec)) {
                DeadLetters queue = session.get(DeadLetters.class);
                String consumer = session.config().listener().consumer();
                // One more than shown: whether a next page exists, without counting what is after this one.
                letters = queue.list(consumer, after, limit + 1);
                total = queue.countByObserver(consumer).values().stream().mapToLong(Long::longValue).sum();
            }
            boolean more = letters.size() > limit;
            letters = letters.subList(0, Math.min(limit, letters.size()));
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(json(letters));
            } else if (letters.isEmpty()) {
                out.println(after == 0 || total == 0 ? "no dead letters"
                        : "no dead letters after id " + after + " (" + total + " in all: leave out --after to see "
                        + "them from the oldest)");
            } else {
                out.printf("%-6s %-20s %-10s %-8s %-20s %-45s %s%n", "ID", "OBSERVER", "ACTION", "ATTEMPTS",
                        "FAILED AT", "EVENT (ID ENTITY KIND)", "ERROR");
                for (DeadLetter letter : letters) {
                    out.printf("%-6d %-20s %-10s %-8d %-20s %-45s %s%n", letter.id(), letter.observer(),
                            action(letter), letter.attempts(), letter.failedAt().truncatedTo(ChronoUnit.SECONDS), event(letter),
                            OneLine.of(letter.error()));
                }
                if (more) {
                    out.println("(" + letters.size() + " of " + total + " shown; the next page: dlq list --after "
                            + letters.getLast().id() + (limit == DEFAULT_LIMIT ? "" : " --limit " + limit) + ")");
                }
            }
            out.flush();
            return ExitCodes.OK;
        }

        private static String json(List<DeadLetter> letters) {
            JsonMapper mapper = JsonMapper.builder().build();
            ArrayNode array = mapper.createArrayNode();
            for (DeadLetter letter : letters) {
                var node = array.addObject();
                node.put("id", letter.id());
                node.put("observer", letter.observer());
                node.put("action_type", letter.actionType());
                node.put("action_index", letter.actionIndex());
                node.put("attempts", letter.attempts());
                node.put("failed_at", letter.failedAt().toString());
                node.put("error", letter.error());
                node.put("event_id", letter.event().id().toString());
                node.put("entity_type", letter.event().entityType());
                node.put("entity_id", letter.event().entityId());
                node.put("kind", letter.event().kind().wireName());
            }
            return array.toString();
        }
    }

    /** {@code dlq replay}. */
    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Run dead-lettered actions again, each in a new trace linked to the event's original "
                    + "one. A delivered letter leaves the queue; a failing one stays. Exit 0 when every replayed "
                    + "letter was delivered, 3 when any stays in the queue (as 'replay' exits when an event is "
                    + "dead-lettered), 1 when there is no letter with the --id given.")
    static final class Replay implements Callable<Integer> {

        @Mixin
        ConfigOptions options;

        @Spec
        CommandSpec spec;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Which which;

        static final class Which {
            @Option(names = "--id", paramLabel = "N", required = true, description = "Replay the letter with this id.")
            Long id;

            @Option(names = "--all", required = true, description = "Replay every letter, oldest first.")
            boolean all;
        }

        @Override
        public Integer call() throws Exception {
            // The letters first, with no action's secret: the replay then needs those of their observers alone.
            List<DeadLetter> letters;
            String consumer;
            try (AdminSession session = AdminSession.openWithoutActions(options, spec)) {
                DeadLetters queue = session.get(DeadLetters.class);
                consumer = session.config().listener().consumer();
                letters = which.id != null ? queue.find(consumer, which.id).stream().toList()
                        : queue.list(consumer, Integer.MAX_VALUE);
            }
            if (which.id != null && letters.isEmpty()) {
                // A mistyped id: one line, as dlq delete says it, not a replay report of a letter that is not there.
                return noSuchLetter(spec, consumer, which.id);
            }
            List<ReplayDeadLetters.Result> results = new ArrayList<>();
            if (!letters.isEmpty()) {
                try (AdminSession session = AdminSession.openFor(options,
                        letters.stream().map(DeadLetter::observer).collect(Collectors.toSet()))) {
                    ReplayDeadLetters replay = session.get(ReplayDeadLetters.class);
                    // The letters read: one added since may be of an observer whose secrets were not loaded.
                    List<Long> ids = which.id != null ? List.of(which.id)
                            : letters.stream().map(DeadLetter::id).toList();
                    for (long id : ids) {
                        results.add(replay.replay(id));
                    }
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            if (results.isEmpty()) {
                out.println("no dead letters to replay");
                out.flush();
                return ExitCodes.OK;
            }
            for (ReplayDeadLetters.Result result : results) {
                out.println("letter " + result.id() + ": " + OneLine.of(result.message()));
            }
            List<ReplayDeadLetters.Result> failed = results.stream().filter(r -> !r.delivered()).toList();
            out.println("replayed " + results.size() + ": " + (results.size() - failed.size()) + " delivered, "
                    + failed.size() + " not delivered");
            out.flush();
            if (failed.isEmpty()) {
                return ExitCodes.OK;
            }
            PrintWriter err = spec.commandLine().getErr();
            err.println("error: " + (failed.size() == 1
                    ? "letter " + failed.getFirst().id() + " was not delivered: "
                            + OneLine.of(failed.getFirst().message())
                    : failed.size() + " letters were not delivered (ids " + ids(failed)
                            + "; reasons above); they stay in the queue"));
            err.flush();
            // The letters ran and some stay queued, as after a 'replay' whose events were dead-lettered: a script
            // tells that from an id with no letter (above), which is an error.
            return ExitCodes.DEAD_LETTERED;
        }
    }

    private static int noSuchLetter(CommandSpec spec, String consumer, long id) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("error: consumer '" + consumer + "' has no dead letter with id " + id + " (see 'dlq list')");
        err.flush();
        return ExitCodes.FAILURE;
    }

    /**
     * {@code dlq delete}: some letters can never be delivered by a replay (their observer or action was removed, a
     * row that cannot be read, an event run again by {@code replay}); without a way to remove them, {@code status}
     * and {@code dlq replay --all} would report them for ever.
     */
    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete one letter without running its action: for a letter no replay can deliver (its "
                    + "observer or action was removed) or one handled another way. Exit 1 when there is no such "
                    + "letter.")
    static final class Delete implements Callable<Integer> {

        @Mixin
        ConfigOptions options;

        @Spec
        CommandSpec spec;

        @Option(names = "--id", paramLabel = "N", required = true, description = "Delete the letter with this id.")
        long id;

        @Override
        public Integer call() throws Exception {
            try (AdminSession session = AdminSession.openWithoutActions(options, spec)) {
                DeadLetters queue = session.get(DeadLetters.class);
                String consumer = session.config().listener().consumer();
                DeadLetter letter = queue.find(consumer, id).orElse(null);
                if (letter == null || !queue.remove(id)) {
                    return noSuchLetter(spec, consumer, id);
                }
                PrintWriter out = spec.commandLine().getOut();
                out.println("letter " + id + " deleted: observer " + letter.observer() + ", " + action(letter)
                        + ", event " + event(letter) + "; its action was not run");
                out.flush();
                return ExitCodes.OK;
            }
        }
    }

    /** The first ids, then how many more: a queue of thousands must not make a line of thousands of ids. */
    private static String ids(List<ReplayDeadLetters.Result> failed) {
        String first = failed.stream().limit(IDS_NAMED).map(r -> Long.toString(r.id()))
                .collect(Collectors.joining(", "));
        return failed.size() <= IDS_NAMED ? first : first + " and " + (failed.size() - IDS_NAMED) + " more";
    }

    private static String action(DeadLetter letter) {
        return letter.actionIndex() < 0 ? letter.actionType() : letter.actionType() + "#" + letter.actionIndex();
    }

    private static String event(DeadLetter letter) {
        return letter.event().id() + " " + letter.event().entityType() + "/" + letter.event().entityId() + " "
                + letter.event().kind().wireName();
    }
}
