package io.pgobserver.bootstrap.cli;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.pgobserver.bootstrap.config.OneLine;
import io.pgobserver.domain.port.DeadLetter;
import io.pgobserver.domain.port.DeadLetters;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/** The dead-letter queue: {@code dlq list}, {@code dlq replay} and {@code dlq delete}. */
@Command(name = "dlq", mixinStandardHelpOptions = true,
        description = "Inspect, replay and delete the dead-letter queue: actions that failed for good.",
        subcommands = {DlqCommand.ListLetters.class, DlqReplay.class, DlqCommand.Delete.class})
final class DlqCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: choose one of "
                + CommandHelp.shown(spec.commandLine()));
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

        @Option(names = "--json", description = "Print a JSON array, for scripts; when more letters follow, the next "
                + "page's command is on standard error.")
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
            try (StopSignals ignored = StopSignals.endingAtOnce(spec.commandLine().getErr(),
                    () -> "nothing was changed: 'dlq list' only reads")) {
                return list();
            }
        }

        private int list() throws Exception {
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
            }
            if (more) {
                // With --json on standard error, as gh and kubectl print their hints: standard output stays the
                // array alone, and a script that pages reads there whether a next page exists.
                String hint = "(" + letters.size() + " of " + total + " shown; the next page: dlq list --after "
                        + letters.getLast().id() + (limit == DEFAULT_LIMIT ? "" : " --limit " + limit)
                        + (json ? " --json" : "") + ")";
                if (json) {
                    ErrorLines.note(spec.commandLine().getErr(), hint);
                } else {
                    out.println(hint);
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

    /** A mistyped id: one line on standard error, exit 1. */
    static int noSuchLetter(CommandSpec spec, String consumer, long id) {
        PrintWriter err = spec.commandLine().getErr();
        ErrorLines.say(err, "error: consumer '" + consumer + "' has no dead letter with id " + id
                + " (see 'dlq list')", null);
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
            // What a stop says is done: the delete is one statement, and once sent its outcome is the server's.
            AtomicReference<String> done = new AtomicReference<>("nothing was deleted: letter " + id
                    + " is in the queue as it was (if it was there)");
            try (StopSignals ignored = StopSignals.endingAtOnce(spec.commandLine().getErr(), done::get);
                 AdminSession session = AdminSession.openWithoutActions(options, spec)) {
                DeadLetters queue = session.get(DeadLetters.class);
                String consumer = session.config().listener().consumer();
                DeadLetter letter = queue.find(consumer, id).orElse(null);
                if (letter == null) {
                    return noSuchLetter(spec, consumer, id);
                }
                done.set("the delete of letter " + id + " was sent and its answer not awaited: it may be deleted or "
                        + "not; 'dlq list' shows whether it is still there (its action was not run either way)");
                if (!queue.remove(id)) {
                    return noSuchLetter(spec, consumer, id);
                }
                done.set("letter " + id + " was deleted; its action was not run");
                PrintWriter out = spec.commandLine().getOut();
                out.println("letter " + id + " deleted: observer " + letter.observer() + ", " + action(letter)
                        + ", event " + event(letter) + "; its action was not run");
                out.flush();
                return ExitCodes.OK;
            }
        }
    }

    private static String action(DeadLetter letter) {
        return letter.actionIndex() < 0 ? letter.actionType() : letter.actionType() + "#" + letter.actionIndex();
    }

    private static String event(DeadLetter letter) {
        return letter.event().id() + " " + letter.event().entityType() + "/" + letter.event().entityId() + " "
                + letter.event().kind().wireName();
    }
}
