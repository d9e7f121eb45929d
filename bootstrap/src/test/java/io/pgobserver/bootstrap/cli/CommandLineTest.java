package io.pgobserver.bootstrap.cli;

import io.pgobserver.bootstrap.config.AdapterManifest;
import io.pgobserver.bootstrap.wiring.AdapterCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command line without a database: help, version, usage errors (exit 2 and a usage line), configuration
 * errors (exit 2 naming the key), and an unreachable database (exit 1, one line, the stack trace only with
 * {@code --verbose}).
 */
class CommandLineTest {

    private static final String PASSWORD = "s3cret-pass-4711";

    @TempDir
    Path dir;

    @Test
    void version_names_the_program() {
        Cli.Result result = Cli.run("--version");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).startsWith("pg-observer ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "demo", "check-config", "install", "status", "dlq", "dlq list", "dlq replay", "adapters"})
    void every_command_has_help(String command) {
        Cli.Result result = Cli.run((command + " --help").split(" "));
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).startsWith("Usage: pg-observer " + command).contains("--help");
    }

    @Test
    void top_level_help_lists_the_commands() {
        Cli.Result result = Cli.run("--help");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("run", "demo", "install", "status", "dlq", "check-config", "adapters");
    }

    @ParameterizedTest
    @CsvSource({"run,run", "check-config,check-config", "install --table public.orders,install", "status,status",
            "dlq list,dlq list", "dlq replay --all,dlq replay"})
    void unknown_flag_is_a_usage_error(String command, String name) {
        Cli.Result result = Cli.run((command + " --bogus").split(" "));
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err().lines().toList()).containsExactly("usage error: unknown option '--bogus' of "
                + "pg-observer " + name, "(see: pg-observer " + name + " --help)");
        assertThat(result.out()).isEmpty();
    }

    /**
     * A mistyped option beside --help (or --version) is the usage error it is without it, as kubectl has it: picocli
     * printed the help and exited 0, so the typo went unnoticed. The help command's own options are checked alike.
     */
    @ParameterizedTest
    @CsvSource({"status --help --bogus,pg-observer status", "status --bogus --help,pg-observer status",
            "dlq list --help --bogus,pg-observer dlq list", "--help --bogus,pg-observer",
            "--version --bogus,pg-observer", "help dlq --bogus,pg-observer help", "dlq help list --bogus,pg-observer dlq help"})
    void unknown_flag_beside_help_is_a_usage_error(String command, String name) {
        Cli.Result result = Cli.run(command.split(" "));
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err().lines().toList()).containsExactly("usage error: unknown option '--bogus' of " + name,
                "(see: " + name + " --help)");
        assertThat(result.out()).as("no help printed").isEmpty();
    }

    /**
     * A mistyped option is named with a guess, as a mistyped command or key is: picocli said "Unknown options:
     * '--cofnig', 'x.yaml'", the value taken for an option too, and no guess.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "status --cofnig x.yaml           | unknown option '--cofnig' of pg-observer status (did you mean --config?)",
            "dlq list --limt=5                | unknown option '--limt' of pg-observer dlq list (did you mean --limit?)",
            "backfill --table t --resum --x   | unknown option '--resum' of pg-observer backfill (did you mean --resume?)",
            "status --verbos                  | unknown option '--verbos' of pg-observer status (did you mean --verbose?)",
            "status -x                        | unknown option '-x' of pg-observer status"})
    void a_mistyped_option_is_named_with_a_guess(String command, String message) {
        Cli.Result result = Cli.run(command.trim().split(" +"));
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err().lines().toList()).first().isEqualTo("usage error: " + message);
    }

    @Test
    void a_command_of_an_adapter_not_installed_names_the_folder_to_put_back() {
        AdapterCatalog all = AdapterCatalog.discover();
        AdapterCatalog withoutDemo = new AdapterCatalog(all.adapters().stream()
                .filter(a -> !a.name().equals("demo")).toList(), AdapterManifest.classPath());

        Cli.Result result = Cli.run(withoutDemo, Map.of(), "demo", "--events", "1");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err().lines().toList()).first().isEqualTo("usage error: demo is a command of the adapter "
                + "demo, which is not installed: add its folder to adapters/, or point --adapters-dir (or "
                + "PGOBSERVER_ADAPTERS_DIR) at a folder that has it");
        assertThat(Cli.run(withoutDemo, Map.of(), "help", "demo").err().lines().toList()).as("its help").first()
                .isEqualTo(result.err().lines().findFirst().orElseThrow());
        assertThat(Cli.run(withoutDemo, Map.of(), "dmeo").err().lines().toList()).as("a typo")
                .first().asString().startsWith("usage error: unknown command 'dmeo' of pg-observer; the commands are: ");
    }

    /** A mistyped command is called one, with picocli's guess, not "Unmatched argument at index 0". */
    @Test
    void a_mistyped_command_is_named_with_a_guess_and_the_commands() {
        Cli.Result top = Cli.run("stauts");
        assertThat(top.exitCode()).as(top.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(top.err().lines().toList()).containsExactly("usage error: unknown command 'stauts' of "
                + "pg-observer (did you mean status?); the commands are: " + String.join(", ",
                PgObserverCommand.commandLine().getSubcommands().keySet()), "(see: pg-observer --help)");
        Cli.Result dlq = Cli.run("dlq", "lst");
        assertThat(dlq.exitCode()).as(dlq.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(dlq.err().lines().toList()).containsExactly("usage error: unknown command 'lst' of pg-observer "
                + "dlq (did you mean list?); the commands are: list, replay, delete", "(see: pg-observer dlq --help)");
    }

    /** {@code help} takes a command's path, as git's and kubectl's do; below a command too: {@code dlq help list}. */
    @ParameterizedTest
    @CsvSource({"help dlq list,dlq list --help", "help dlq replay,dlq replay --help", "help dlq,dlq --help",
            "help,--help", "help status,status --help", "dlq help list,dlq list --help", "dlq help,dlq --help"})
    void help_shows_the_help_of_the_command_at_its_path(String asked, String same) {
        Cli.Result help = Cli.run(asked.split(" "));
        assertThat(help.exitCode()).as(help.toString()).isZero();
        assertThat(help.err()).isEmpty();
        assertThat(help.out()).isEqualTo(Cli.run(same.split(" ")).out());
    }

    /** The help below dlq works but is not offered: dlq's help and its usage errors name list, replay, delete. */
    @Test
    void help_of_an_unknown_command_names_the_commands_at_its_level_with_a_guess() {
        for (String[] asked : List.of(new String[]{"help", "dlq", "lst"}, new String[]{"dlq", "help", "lst"})) {
            Cli.Result typo = Cli.run(asked);
            assertThat(typo.exitCode()).as(typo.toString()).isEqualTo(ExitCodes.USAGE);
            assertThat(typo.err().lines().toList()).containsExactly("usage error: unknown command 'lst' of "
                    + "pg-observer dlq (did you mean list?); the commands are: list, replay, delete",
                    "(see: pg-observer dlq --help)");
            assertThat(typo.out()).isEmpty();
        }
        Cli.Result top = Cli.run("help", "stauts");
        assertThat(top.exitCode()).as(top.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(top.err().lines().toList()).containsExactly("usage error: unknown command 'stauts' of "
                + "pg-observer (did you mean status?); the commands are: " + String.join(", ",
                PgObserverCommand.commandLine().getSubcommands().keySet()), "(see: pg-observer --help)");
        Cli.Result tooDeep = Cli.run("help", "dlq", "list", "extra");
        assertThat(tooDeep.exitCode()).as(tooDeep.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(tooDeep.err().lines().toList()).containsExactly("usage error: pg-observer dlq list has no "
                + "commands, so 'extra' is none of them: leave it out to see the help of pg-observer dlq list",
                "(see: pg-observer dlq list --help)");
        assertThat(Cli.run("dlq", "--help").out()).contains("  list ").doesNotContainPattern("(?m)^  help ");
        assertThat(Cli.run("dlq").err()).startsWith("usage error: missing command: choose one of [list, replay, "
                + "delete]\n");
    }

    /** 0s wrote orders in a tight loop: refused before the demo's database starts, naming the bounds. */
    @Test
    void the_demos_interval_is_refused_outside_its_bounds() {
        Cli.Result result = Cli.run("demo", "--events", "1", "--interval", "0s");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err().lines().toList()).containsExactly("usage error: --interval must be between 10ms "
                + "and 1h (e.g. 1s, or 100ms for a busier demo), was 0s", "(see: pg-observer demo --help)");
    }

    /** A word like no command gets no guess: picocli's "did you mean status?" for 'bogus' was noise. */
    @Test
    void a_word_like_no_command_is_told_the_commands_without_a_guess() {
        Cli.Result result = Cli.run("bogus");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err().lines().toList()).containsExactly("usage error: unknown command 'bogus' of "
                + "pg-observer; the commands are: " + String.join(", ",
                PgObserverCommand.commandLine().getSubcommands().keySet()), "(see: pg-observer --help)");
    }

    /** Numbers are asked for in the user's words, not Java's type names; the demo's errors name pg-observer demo. */
    @Test
    void a_number_option_that_is_no_number_asks_for_a_whole_number() {
        Cli.Result id = Cli.run("dlq", "replay", "--id", "seven");
        assertThat(id.err().lines().toList()).containsExactly("usage error: Invalid value for option '--id': "
                + "'seven' is not a whole number", "(see: pg-observer dlq replay --help)");
        Cli.Result events = Cli.run("demo", "--events", "lots");
        assertThat(events.err().lines().toList()).containsExactly("usage error: Invalid value for option "
                + "'--events': 'lots' is not a whole number", "(see: pg-observer demo --help)");
        Cli.Result interval = Cli.run("demo", "--interval", "soon");
        assertThat(interval.exitCode()).as(interval.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(interval.err().lines().toList()).containsExactly("usage error: --interval must be a duration "
                + "such as 500ms, 1s, 2m or 1h, was 'soon'", "(see: pg-observer demo --help)");
    }

    @Test
    void missing_command_is_a_usage_error() {
        assertThat(Cli.run().exitCode()).isEqualTo(ExitCodes.USAGE);
        Cli.Result dlq = Cli.run("dlq");
        assertThat(dlq.exitCode()).as(dlq.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(dlq.err()).contains("missing command", "list", "replay");
    }

    @Test
    void install_needs_a_table() {
        Cli.Result result = Cli.run("install");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("--table");
    }

    @Test
    void replay_needs_exactly_one_of_id_and_all() {
        Cli.Result none = Cli.run("dlq", "replay");
        assertThat(none.exitCode()).as(none.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(none.err()).contains("--id", "--all");
        Cli.Result both = Cli.run("dlq", "replay", "--id", "1", "--all");
        assertThat(both.exitCode()).as(both.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(both.err()).contains("mutually exclusive");
        Cli.Result notANumber = Cli.run("dlq", "replay", "--id", "seven");
        assertThat(notANumber.exitCode()).as(notANumber.toString()).isEqualTo(ExitCodes.USAGE);
    }

    /**
     * A page is read into memory and printed at once: a limit past 10,000 (or none at all) is refused before any
     * database is asked, naming the way to read a longer queue.
     */
    @ParameterizedTest
    @ValueSource(strings = {"0", "-5", "10001", "2000000000"})
    void list_limit_out_of_range_is_a_usage_error_naming_the_range_and_paging(String limit) {
        Cli.Result result = Cli.run("dlq", "list", "--limit", limit);
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err().lines().toList()).containsExactly("usage error: --limit must be 1 to 10000, was "
                + limit + "; a longer queue is read page by page: --after ID shows the letters after ID, the last id "
                + "of the page before", "(see: pg-observer dlq list --help)");
    }

    @Test
    void list_after_must_be_an_id() {
        Cli.Result result = Cli.run("dlq", "list", "--after", "-1");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).startsWith("usage error: --after must be a letter id (0 or more), was -1: use the "
                + "last id of the page before, or leave it out to start with the oldest letter\n");
    }

    /**
     * A stop that waits for nothing would cut every request in flight for nothing gained (SIGKILL is as fast and loses
     * nothing either), and one past an hour outlasts any supervisor's patience: both are refused before the start,
     * in the units they were given in, with the bounds.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"0s|0s", "50ms|50ms", "PT-5S|-5s", "2h|2h", "1d 12h|1d 12h"})
    void shutdown_timeout_out_of_range_is_a_usage_error(String given, String printed) {
        // No database configured: the flag is read first, and its mistake told first.
        Cli.Result result = Cli.run("run", "--shutdown-timeout", given);
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).startsWith("usage error: --shutdown-timeout must be between 100ms and 1h (e.g. 30s; "
                + "kill -9 stops at once and loses nothing), was " + printed + "\n");
    }

    /** Found by the request's own check, before any connection: the database here is unreachable. */
    @ParameterizedTest
    @ValueSource(strings = {"0", "-5", "100001"})
    void backfill_chunk_out_of_range_is_a_usage_error(String chunk) throws IOException {
        Cli.Result result = Cli.run(unreachable(closedPort()), "backfill", "--table", "orders", "--chunk", chunk);
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).startsWith("usage error: backfill --chunk must be between 1 and 100000, was "
                + chunk + " ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--resume", "--cancel"})
    void a_resumed_or_cancelled_backfill_keeps_its_chunk_size(String flag) throws IOException {
        Cli.Result result = Cli.run(unreachable(closedPort()), "backfill", "--table", "orders", flag, "--chunk", "50");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).startsWith("usage error: --observer, --where and --chunk belong to a new backfill");
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "install --table public.orders", "status", "dlq list", "dlq replay --all"})
    void missing_database_url_is_a_configuration_error(String command) {
        Cli.Result result = Cli.run((command).split(" "));
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err().lines().toList()).singleElement().asString()
                .startsWith("configuration error: database.url is required").contains("DATABASE_URL");
    }

    @ParameterizedTest
    @ValueSource(strings = {"status", "dlq list", "install --table public.orders", "check-config"})
    void bad_configuration_names_the_key(String command) throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), """
                database: { url: jdbc:postgresql://localhost:5432/app }
                listener: { batchsize: 10 }
                """);
        Cli.Result result = Cli.run((command + " --config " + file).split(" "));
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err().lines().toList()).singleElement().asString()
                .startsWith("configuration error: ").contains("listener.batchsize");
    }

    @Test
    void bad_value_from_set_names_the_key() {
        Cli.Result result = Cli.run(Map.of("DATABASE_URL", "jdbc:postgresql://localhost:5432/app"),
                "status", "--set", "listener.batch_size=lots");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).startsWith("configuration error: ").contains("listener.batch_size");
    }

    @ParameterizedTest
    @ValueSource(strings = {"check-config", "status", "run"})
    void a_log_level_that_is_none_is_a_configuration_error(String command) {
        // Logback would take it for DEBUG; like every variable it is checked, before anything is booted.
        Cli.Result result = Cli.run(Map.of("DATABASE_URL", "jdbc:postgresql://localhost:5432/app",
                "PGOBSERVER_LOG_LEVEL", "bogus"), command);
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err().strip()).isEqualTo("configuration error: PGOBSERVER_LOG_LEVEL is 'bogus', which is "
                + "not a log level: use one of TRACE, DEBUG, INFO, WARN, ERROR (or unset it for INFO)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"check-config", "status", "run"})
    void a_log_format_that_is_none_is_a_configuration_error(String command) {
        Cli.Result result = Cli.run(Map.of("DATABASE_URL", "jdbc:postgresql://localhost:5432/app",
                "PGOBSERVER_LOG_FORMAT", "logfmt"), command);
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err().strip()).isEqualTo("configuration error: PGOBSERVER_LOG_FORMAT is 'logfmt', which is "
                + "not a log format: use one of text, json (or unset it for text)");
    }

    @Test
    void missing_config_file_is_a_configuration_error() {
        Cli.Result result = Cli.run("status", "--config", dir.resolve("nope.yaml").toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).startsWith("configuration error: ").contains("nope.yaml");
    }

    /**
     * {@code run} in another folder than its pg-observer.yaml, without --config: before, it took the consumer and
     * passed every change with nothing delivered (here it waited for the unreachable database instead, without end).
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void run_without_a_configuration_file_or_an_observer_is_refused_naming_the_folder() throws IOException {
        assertThat(Path.of("pg-observer.yaml")).as("the test's working folder has no configuration").doesNotExist();
        Cli.Result result = Cli.run(unreachable(closedPort()), "run", "--set", "admin.port=-1");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err().strip()).as(result.toString()).isEqualTo("configuration error: run has no observer: "
                + "no --config was given and there is no pg-observer.yaml in " + Path.of("").toAbsolutePath()
                + ", so every change captured would be passed with nothing delivered; give the file with --config "
                + "FILE, or run from its folder");
    }

    /** A person waits at the terminal: these fail at once. ({@code run} waits for its database: DatabaseAtStartIT.) */
    @ParameterizedTest
    @ValueSource(strings = {"status", "status --json", "dlq list", "dlq replay --all", "install --table public.orders"})
    void unreachable_database_is_one_line_naming_host_and_port(String command) throws IOException {
        int port = closedPort();
        Cli.Result result = Cli.run(unreachable(port), command.split(" "));
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.FAILURE);
        assertThat(result.err().lines().toList()).as(result.toString()).singleElement().asString()
                .startsWith("error: cannot connect to PostgreSQL at ")
                .contains("localhost:" + port)
                .contains("--verbose");
        assertThat(result.err()).doesNotContain(PASSWORD).doesNotContain("\tat ");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void verbose_adds_the_stack_trace() throws IOException {
        int port = closedPort();
        Cli.Result result = Cli.run(unreachable(port), "--verbose", "dlq", "list");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.FAILURE);
        assertThat(result.err()).startsWith("error: cannot connect to PostgreSQL at ").contains("\tat ")
                .doesNotContain(PASSWORD);
        Cli.Result after = Cli.run(unreachable(port), "status", "--verbose");
        assertThat(after.err()).as(after.toString()).contains("\tat ");
    }

    /** Time and position ranges are two ways to name a stretch; a mix is refused before anything connects. */
    @ParameterizedTest
    @CsvSource(delimiterString = "|", textBlock = """
            --from 2026-12-04T20:34:01Z --to-position 5                | --from, --to-position
            --from-position 1 --to 2026-12-04T20:34:01Z                | --to, --from-position
            --from 2026-12-04T20:34:01Z --to 2026-12-04T20:35:01Z --from-position 1 --to-position 2 | --from, --to, --from-position, --to-position
            """)
    void replay_refuses_a_mix_of_time_and_position(String range, String given) throws IOException {
        Cli.Result result = Cli.run(unreachable(closedPort()),
                ("replay --observer hooky " + range).split(" "));
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err().lines().toList()).containsExactly("usage error: time and position ranges cannot be "
                + "mixed (given: " + given + "): replay either --from TIME --to TIME or --from-position ID "
                + "--to-position ID", "(see: pg-observer replay --help)");
        assertThat(result.out()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiterString = "|", textBlock = """
            --from 2026-12-04T20:34:01Z  | --from needs --to, the stretch's last moment (a time in the future means up to now)
            --to 2026-12-04T20:34:01Z    | --to needs --from, the stretch's first moment
            --from-position 7            | --from-position needs --to-position, the stretch's last change_log id
            --to-position 7              | --to-position needs --from-position, the stretch's first change_log id
            --observer-only              | say which stretch to replay: --from TIME --to TIME, or --from-position ID --to-position ID
            """)
    void replay_needs_both_ends_of_one_kind_of_range(String range, String message) throws IOException {
        String args = "replay --observer hooky" + (range.equals("--observer-only") ? "" : " " + range);
        Cli.Result result = Cli.run(unreachable(closedPort()), args.split(" "));
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err().lines().toList()).first().isEqualTo("usage error: " + message);
    }

    @Test
    void replay_help_shows_the_two_kinds_of_range_and_its_exit_codes() {
        Cli.Result result = Cli.run("replay", "--help");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).startsWith("""
                Usage: pg-observer replay [-hV] [--verbose] [--adapters-dir=DIR] [-c=FILE]
                    [--set=KEY=VALUE]... --observer=NAME
                    (--from=TIME --to=TIME | --from-position=ID --to-position=ID)
                Run a stretch""")
                .contains("--from-position=ID", "--to-position=ID", "--to=TIME", "up to now")
                .contains("Exit codes:", "3   the stretch ran, and at least one event failed and was dead-lettered");
    }

    /**
     * Commands that run or check actions need every variable an action uses, and stop on an unset one before
     * connecting (replay only those of its observer); those that run none get past it (here to the unreachable
     * database: exit 1, not 2), and so does dlq replay, which reads whose letters it replays before it needs
     * their observers' variables.
     */
    @ParameterizedTest
    @ValueSource(strings = {"run", "check-config", "replay --observer slack_bot --from-position 1 --to-position 2"})
    void a_command_that_runs_actions_needs_their_secrets(String command) throws IOException {
        Cli.Result result = Cli.run(unreachable(closedPort()), withSlackConfig(command));
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err().lines().toList()).containsExactly("configuration error: "
                + "observers.slack_bot.actions[0].token uses ${SLACK_TOKEN}, which is not set: export SLACK_TOKEN "
                + "or write ${SLACK_TOKEN:-default}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"status", "status --json", "dlq list", "install --table public.orders",
            "backfill --cancel --table public.orders", "backfill --table public.orders", "backfill --resume",
            "replay --observer other --from-position 1 --to-position 2", "dlq replay --all", "dlq replay --id 1"})
    void a_command_that_runs_no_action_does_without_their_secrets(String command) throws IOException {
        Cli.Result result = Cli.run(unreachable(closedPort()), withSlackConfig(command));
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.FAILURE);
        assertThat(result.err()).as(result.toString()).startsWith("error: cannot connect to PostgreSQL at ")
                .doesNotContain("SLACK_TOKEN");
    }

    /** A database-less check: the {@code --config} of an observer whose Slack token comes from the environment. */
    private String[] withSlackConfig(String command) throws IOException {
        Path file = Files.writeString(dir.resolve("slack.yaml"), """
                observers:
                  other:
                    entity: public.orders
                    actions: [ { type: webhook, url: "http://127.0.0.1:1/h" } ]
                  slack_bot:
                    entity: public.orders
                    actions: [ { type: slack, token: "${SLACK_TOKEN}", channel: "#ops", text: "hi" } ]
                """);
        return (command + " --config " + file).split(" ");
    }

    private static Map<String, String> unreachable(int port) {
        return Map.of("DATABASE_URL", "postgres://observer:" + PASSWORD + "@localhost:" + port + "/app");
    }

    /** A local port that nothing listens on. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
