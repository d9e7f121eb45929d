package io.pgobserver.bootstrap;

import io.pgobserver.bootstrap.cli.PgObserverCommand;

/** The jar's entry point. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(PgObserverCommand.commandLine().execute(args));
    }
}
