package io.pgobserver.bootstrap.cli;

import io.pgobserver.bootstrap.wiring.AdapterCatalog;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** Runs pg-observer commands in this JVM, as {@code Main} would, and keeps what they print. */
final class Cli {

    private Cli() {
    }

    /** What one command did. */
    record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out ---\n" + out + "--- err ---\n" + err;
        }
    }

    /** Runs the command with this environment in place of the process's. */
    static Result run(Map<String, String> environment, String... args) {
        return run(AdapterCatalog.discover(), environment, args);
    }

    /** Runs the command with these adapters installed (a deployment with folders deleted) and this environment. */
    static synchronized Result run(AdapterCatalog adapters, Map<String, String> environment, String... args) {
        Map<String, String> saved = ConfigOptions.environment;
        ConfigOptions.environment = environment;
        try {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            var cli = PgObserverCommand.commandLine(adapters);
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            int code = cli.execute(args);
            return new Result(code, out.toString(), err.toString());
        } finally {
            ConfigOptions.environment = saved;
        }
    }

    static Result run(String... args) {
        return run(Map.of(), args);
    }
}
