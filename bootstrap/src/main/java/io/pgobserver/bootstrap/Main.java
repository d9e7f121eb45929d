package io.pgobserver.bootstrap;

import io.pgobserver.bootstrap.cli.ExitCodes;
import io.pgobserver.bootstrap.cli.PgObserverCommand;
import io.pgobserver.bootstrap.config.ConfigException;
import io.pgobserver.bootstrap.wiring.AdapterCatalog;

import java.nio.file.Path;

/** The jar's entry point. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        // pg-observer uses no method interception; without this, Guice's class generation calls sun.misc.Unsafe
        // and newer JDKs print a warning on every start.
        System.setProperty("guice_bytecode_gen_option", "DISABLED");
        // The OpenTelemetry SDK logs export failures through java.util.logging: send them through Logback with
        // everything else, where logback.xml rate-limits nothing but at least formats and levels them alike.
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        int exit;
        try {
            Path adapters = PgObserverCommand.adaptersDir(args, System.getenv());
            exit = PgObserverCommand.commandLine(adapters == null ? AdapterCatalog.discover()
                    : AdapterCatalog.load(adapters)).execute(args);
        } catch (ConfigException e) {
            // The adapters folder itself is wrong: nothing to parse the arguments with yet.
            System.err.println("configuration error: " + e.getMessage());
            exit = ExitCodes.USAGE;
        }
        System.exit(exit);
    }
}
