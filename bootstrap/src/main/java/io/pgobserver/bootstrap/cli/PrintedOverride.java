package io.pgobserver.bootstrap.cli;

import io.pgobserver.domain.event.ShellWord;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A {@code --set KEY=VALUE} as a printed command repeats it (the resume line of replay, backfill and dlq replay):
 * word for word, but for a secret's value. Those lines end up in terminals, CI logs and tickets, and a password given
 * on the command line must not travel further than it already has; the user gives it again, or moves it to the
 * file as {@code ${VARIABLE}}.
 */
final class PrintedOverride {

    /** Stands for a value not repeated: quoted by the shell word, it cannot pass for a real one unnoticed. */
    static final String MASK = "<secret: give it again>";

    /** Words of the keys that hold secrets: the core's and the actions' (as check-config masks them), Kafka's. */
    private static final Pattern SECRET_NAME = Pattern.compile(
            ".*(password|secret|token|credential|jaas|webhook_url|user\\.info).*");
    /** A URL carrying credentials: user:password@ in its authority, or a password in its query. */
    private static final Pattern URL_WITH_CREDENTIALS = Pattern.compile("(?i)[a-z][a-z0-9+.-]*://[^/?#]*:[^/?#]*@.*"
            + "|.*[?&](password|passwd|token|secret)=.*");

    private PrintedOverride() {
    }

    /**
     * The override as printed, its value masked when it is a secret; not yet quoted, as the command it goes into
     * quotes it ({@link ShellWord#of} bare, {@link ShellWord#inQuotes} inside the advice's single quotes).
     */
    static String of(String override) {
        int equals = override.indexOf('=');
        if (equals > 0 && isSecret(override.substring(0, equals), override.substring(equals + 1))) {
            return override.substring(0, equals + 1) + MASK;
        }
        return override;
    }

    private static boolean isSecret(String key, String value) {
        // The whole key, not its last part: Kafka's own settings are dotted (kafka.properties.sasl.jaas.config). A
        // key that only looks secret (an observer named token_watch) is masked too, which costs a retype, nothing more.
        return SECRET_NAME.matcher(key.toLowerCase(Locale.ROOT)).matches()
                || URL_WITH_CREDENTIALS.matcher(value).matches();
    }
}
