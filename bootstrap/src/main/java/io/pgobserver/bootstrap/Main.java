package io.pgobserver.bootstrap;

import io.pgobserver.bootstrap.cli.PgObserverCommand;

/** The jar's entry point. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        // pg-observer uses no method interception; without this, Guice's class generation calls sun.misc.Unsafe
        // and newer JDKs print a warning on every start.
        System.setProperty("guice_bytecode_gen_option", "DISABLED");
        System.exit(PgObserverCommand.commandLine().execute(args));
    }
}
