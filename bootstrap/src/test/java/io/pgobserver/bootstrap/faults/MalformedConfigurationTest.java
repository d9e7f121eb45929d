package io.pgobserver.bootstrap.faults;

import io.pgobserver.bootstrap.cli.PgObserverCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malformed configuration of every kind, through the command line a user runs ({@code check-config}): exit code 2,
 * one line naming the key (or the variable, the file, the observer), no stack trace, nothing echoed that could be
 * a secret. The loader's own rules are tested in {@code ConfigLoaderTest}; this is the user-visible contract.
 */
class MalformedConfigurationTest {

    private static final String DATABASE = "database: { url: \"jdbc:postgresql://127.0.0.1:1/app\", user: app }\n";
    private static final String OBSERVER = "observers:\n  o:\n    entity: public.orders\n";
    private static final String WEBHOOK = "    actions: [ { type: webhook, url: \"http://127.0.0.1:1/h\" } ]\n";

    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {
    }

    private Result checkConfig(String yaml, String... extra) throws Exception {
        Path file = dir.resolve("pg-observer.yaml");
        Files.writeString(file, yaml);
        List<String> args = new ArrayList<>(List.of("check-config", "--config", file.toString()));
        args.addAll(List.of(extra));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = PgObserverCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args.toArray(String[]::new));
        return new Result(exit, out.toString(), err.toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = "|", textBlock = """
            not YAML                        | database: [unclosed                                      | not valid YAML
            not a mapping                   | - one\\n- two                                             | must be a YAML mapping
            unknown top-level key           | @DB databse: { url: x }                                   | databse
            unknown nested key              | @DB listener: { batch_sise: 5 }                           | listener.batch_sise
            text where a number belongs     | @DB listener: { batch_size: lots }                        | listener.batch_size
            number out of range             | @DB listener: { batch_size: 0 }                           | listener.batch_size
            bad duration                    | @DB listener: { poll_interval: soon }                     | listener.poll_interval
            negative duration               | @DB listener: { checkpoint_interval: -5s }                | listener.checkpoint_interval
            duration below its range        | @DB listener: { capture_check_interval: 100ms }           | listener.capture_check_interval must be between 1s and 24h (e.g. 1m, or 10s to hear sooner of a dropped capture), was 100ms
            duration above its range        | @DB listener: { capture_check_interval: 2d }              | listener.capture_check_interval must be between 1s and 24h
            duration that is none           | @DB listener: { capture_check_interval: hourly }          | listener.capture_check_interval must be a duration such as 500ms, 1s, 2m or 1h, was 'hourly'
            a mapping where a value belongs | @DB tracing: { service_name: { a: b } }                   | tracing.service_name
            unknown exporter                | @DB tracing: { exporter: carrier-pigeon }                 | carrier-pigeon
            unknown protocol                | @DB tracing: { protocol: smoke-signals }                  | tracing.protocol
            sample rate above 1             | @DB tracing: { sample_rate: 2 }                           | tracing.sample_rate
            boolean that is not one         | @DB tracing: { enabled: maybe }                           | tracing.enabled
            unset variable                  | @DB metrics: { port: \"${PGOBSERVER_TEST_UNSET_VAR}\" }   | PGOBSERVER_TEST_UNSET_VAR
            observer without entity         | @DB observers: { o: { actions: [ { type: webhook, url: \"http://h/\" } ] } } | observers.o.entity
            unknown change kind             | @DB @OBS    on: [exploded]\\n@HOOK                       | observers.o.on
            observer without actions        | @DB @OBS    condition: \"true\"                            | observers.o.actions
            unknown action type             | @DB @OBS    actions: [ { type: pigeon } ]                  | pigeon
            relative webhook URL            | @DB @OBS    actions: [ { type: webhook, url: /hooks } ]    | url
            unknown action key              | @DB @OBS    actions: [ { type: webhook, url: \"http://h/\", retries: 3 } ] | retries
            condition that does not compile | @DB @OBS    condition: \"after.status ==\"\\n@HOOK       | observers.o.condition does not compile
            condition of the wrong type     | @DB @OBS    condition: \"after.total + 1\"\\n@HOOK       | observers.o.condition must be true or false
            retry attempts of zero          | @DB @OBS    retry: { max_attempts: 0 }\\n@HOOK          | observers.o.retry.max_attempts
            backoff bounds reversed         | @DB @OBS    retry: { initial_backoff: 10s, max_backoff: 1s }\\n@HOOK | observers.o.retry
            slack text with a partial       | @DB @OBS    actions: [ { type: slack, webhook_url: \"http://h/\", text: \"{{> footer}}\" } ] | text template does not compile: partials ({{> footer}}) are not supported
            slack with nowhere to post      | @DB @OBS    actions: [ { type: slack, text: hi } ]         | observers.o.actions[0]: set exactly one of webhook_url
            email without recipients        | @DB @OBS    actions: [ { type: email, subject: hi, text: hi } ] | to
            webhook secret not base64       | @DB @OBS    actions: [ { type: webhook, url: \"http://h/\", secret: \"whsec_!!!\" } ] | secret
            smtp without host               | @DB email: { smtp: { from: a@b.c } }                      | email.smtp.host
            an entity given twice           | @DB @OBS    entity: public.invoices\\n@HOOK              | gives observers.o.entity twice at line 5
            a password given twice          | database:\\n  url: \"jdbc:postgresql://h/db\"\\n  password: a\\n  password: b\\n | gives database.password twice at line 4
            email subject with a tag left open | @DB email: { smtp: { host: mail, from: a@b.c } }\\n@OBS    actions: [ { type: email, to: a@b.c, text: hi, subject: \"order {{after.id\" } ] | subject template does not compile: the tag at column 7 ({{after.id) is not closed
            slack text with an empty tag    | @DB @OBS    actions: [ { type: slack, webhook_url: \"http://h/\", text: \"order {{}}\" } ] | text template does not compile: it has an empty tag {{}}
            webhook URL that is no URL      | @DB @OBS    actions: [ { type: webhook, url: \"http://h/a b\" } ] | observers.o.actions[0].url is not a valid URL
            not YAML, told in one line      | database: [unclosed                                      | is not valid YAML at line 1, column 20: expected
            """)
    void a_malformed_configuration_exits_2_naming_what_is_wrong(String kind, String yaml, String named)
            throws Exception {
        String text = yaml.replace("\\n", "\n").replace("@DB ", DATABASE).replace("@OBS", OBSERVER)
                .replace("@HOOK", WEBHOOK).replace("\\\"", "\"");
        Result result = checkConfig(text);
        assertThat(result.exit()).as("%s: exit code; stderr: %s", kind, result.err()).isEqualTo(2);
        assertThat(result.err()).as(kind).startsWith("configuration error: ").contains(named)
                .doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(result.err().strip()).as("%s: one line", kind).doesNotContain("\n")
                .as("%s: the key named once", kind).doesNotContainPattern("(observers\\.o\\.actions\\[0\\]): \\1");
        assertThat(result.out()).as(kind).isEmpty();
    }

    /**
     * Whole messages, in the configuration's own words: durations as it writes them (0s, 1500ms, never Java's PT0S),
     * and the key named once.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = "|", textBlock = """
            park_after of zero       | @DB listener: { park_after: 0s }                                  | listener.park_after must be between 1s and 24h (e.g. 30s), was 0s
            backoff bounds reversed  | @DB @OBS    retry: { initial_backoff: 10s, max_backoff: 1.5s }\\n@HOOK | observers.o.retry.max_backoff (1.5s) must not be shorter than retry.initial_backoff (10s): raise max_backoff or lower initial_backoff
            condition with SQL's =   | @DB @OBS    condition: \"after.status = shipped\"\\n@HOOK      | observers.o.condition does not compile: 1:14: token recognition error at: '= '; 1:16: extraneous input 'shipped' expecting <EOF> (CEL compares with == and quotes text: after.status == 'shipped')
            condition of wrong type  | @DB @OBS    condition: \"after.total + 1\"\\n@HOOK             | observers.o.condition must be true or false, but 'after.total + 1' gives a sum (a number, text or a list) (compare it, e.g. after.status == 'shipped')
            database URL with no scheme | database: { url: \"app:S3cret@db:5432/shop\" }       | database.url has no scheme: write jdbc:postgresql://host:port/db or postgres://user:pass@host:port/db
            database URL of another kind | database: { url: \"jdbc:postgres://db/shop\" }       | database.url starts with jdbc:postgres://: write jdbc:postgresql://host:port/db or postgres://user:pass@host:port/db
            webhook URL with no scheme | @DB @OBS    actions: [ { type: webhook, url: \"localhost:8080/hook\" } ] | observers.o.actions[0].url has no http:// or https:// in front: write an absolute URL such as https://hooks.example.com/orders (webhook actions come from adapters-actions)
            one action without its list | @DB @OBS    actions: { type: webhook, url: \"http://h/\" } | observers.o.actions must be a list: start each item with '- ' on a line of its own, or write [ { ... }, { ... } ]
            webhook URL of another scheme | @DB @OBS    actions: [ { type: webhook, url: \"ftp://host/x\" } ] | observers.o.actions[0].url uses ftp://: webhook and Slack requests are sent over http:// or https://; write an absolute URL such as https://hooks.example.com/orders (webhook actions come from adapters-actions)
            slack URL of another scheme | @DB @OBS    actions: [ { type: slack, webhook_url: \"ftp://host/x\", text: hi } ] | observers.o.actions[0].webhook_url uses ftp://: webhook and Slack requests are sent over http:// or https://; write an absolute URL such as https://hooks.example.com/orders (slack actions come from adapters-actions)
            connect timeout of zero  | @DB actions: { connect_timeout: 0s }                              | actions.connect_timeout must be between 100ms and 10m (e.g. 5s), was 0s
            read timeout too short   | @DB actions: { read_timeout: 10ms }                               | actions.read_timeout must be between 100ms and 10m (e.g. 10s), was 10ms
            smtp timeout of zero     | @DB email: { smtp: { host: mail, from: a@b.c, timeout: 0s } }     | email.smtp.timeout must be between 100ms and 10m (e.g. 30s), was 0s
            slack text with a tag left open | @DB @OBS    actions: [ { type: slack, webhook_url: \"http://h/\", text: \"order {{after.id\" } ] | observers.o.actions[0]: slack (incoming webhook): text template does not compile: the tag at column 7 ({{after.id) is not closed: end it with }}, such as {{after.id}} (slack actions come from adapters-actions)
            one of two kafka keys left open | @DB kafka: { bootstrap_servers: \"127.0.0.1:1\" }\\n@OBS    actions: [ { type: kafka, topic: orders }, { type: kafka, topic: audit, key: \"{{after.id\" } ] | observers.o.actions[1]: kafka audit: key template does not compile: the tag at column 1 ({{after.id) is not closed: end it with }}, such as {{after.id}} (kafka actions come from adapters-kafka)
            """)
    void a_malformed_configuration_is_told_in_its_own_words(String kind, String yaml, String message)
            throws Exception {
        String text = yaml.replace("\\n", "\n").replace("@DB ", DATABASE).replace("@OBS", OBSERVER)
                .replace("@HOOK", WEBHOOK).replace("\\\"", "\"");
        Result result = checkConfig(text);
        assertThat(result.exit()).as(kind).isEqualTo(2);
        assertThat(result.err()).as(kind).isEqualTo("configuration error: " + message + System.lineSeparator());
    }

    @Test
    void a_missing_file_a_missing_database_and_a_bad_flag_are_usage_errors() throws Exception {
        StringWriter err = new StringWriter();
        var cli = PgObserverCommand.commandLine();
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("check-config", "--config", dir.resolve("absent.yaml").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("absent.yaml").contains("does not exist");

        Result noDatabase = checkConfig(OBSERVER + WEBHOOK);
        if (System.getenv("DATABASE_URL") == null) {
            assertThat(noDatabase.exit()).isEqualTo(2);
            assertThat(noDatabase.err()).contains("database.url is required").contains("DATABASE_URL");
        }

        Result badFlag = checkConfig(DATABASE, "--set", "listener.batch_size");
        assertThat(badFlag.exit()).isEqualTo(2);
        assertThat(badFlag.err()).contains("--set").contains("key.path=value");

        // A flag is read before the file: its mistake is told first, as a usage error.
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, DATABASE + "listener: { batch_size: lots }\n");
        StringWriter runErr = new StringWriter();
        var run = PgObserverCommand.commandLine();
        run.setErr(new PrintWriter(runErr));
        assertThat(run.execute("run", "--config", broken.toString(), "--shutdown-timeout", "forever")).isEqualTo(2);
        assertThat(runErr.toString()).startsWith("usage error: --shutdown-timeout must be a duration such as 500ms, "
                + "1s, 2m or 1h, was 'forever'").doesNotContain("batch_size");

        Result unknownFlagKey = checkConfig(DATABASE, "--set", "listener.nope=1");
        assertThat(unknownFlagKey.exit()).isEqualTo(2);
        assertThat(unknownFlagKey.err()).contains("listener.nope");
    }

    @Test
    void errors_about_values_that_hold_secrets_do_not_echo_them() throws Exception {
        Result badUrl = checkConfig("database: { url: \"postgres://app:S3cr3t-in-url@host:notaport/db\" }\n");
        assertThat(badUrl.exit()).isEqualTo(2);
        assertThat(badUrl.err()).contains("database.url's port is not a number").doesNotContain("S3cr3t-in-url");

        Result badHook = checkConfig(DATABASE + OBSERVER
                + "    actions: [ { type: webhook, url: \"http://u:S3cr3t-hook@h:99999999/x\" } ]\n");
        assertThat(badHook.exit()).isEqualTo(2);
        assertThat(badHook.err()).contains("url").doesNotContain("S3cr3t-hook");
    }

    @Test
    void a_valid_configuration_exits_0() throws Exception {
        Result ok = checkConfig(DATABASE + OBSERVER + WEBHOOK);
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("# configuration is valid: 1 observer(s)");
    }
}
