package io.pgobserver.bootstrap;

import io.pgobserver.bootstrap.cli.ExitCodes;
import io.pgobserver.bootstrap.cli.PgObserverCommand;
import io.pgobserver.bootstrap.config.ConfigException;
import io.pgobserver.bootstrap.config.LogFormatVariable;
import io.pgobserver.bootstrap.config.LogLevelVariable;
import io.pgobserver.bootstrap.wiring.AdapterCatalog;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/** The jar's entry point. */
public final class Main {

    /** The JDK HTTP server's switch for {@code TCP_NODELAY} on the sockets it accepts (off by default). */
    static final String NO_DELAY = "sun.net.httpserver.nodelay";

    private Main() {
    }

    /**
     * Turns Nagle's algorithm off on the sockets the JDK's HTTP server accepts (health, metrics, the console, and
     * Prometheus's endpoint), unless the command line says otherwise; it must run before the first server starts,
     * which reads the property once. The server writes a response's headers and its body apart, and with Nagle on the
     * body waits until the client acknowledges the headers, which a client on a kept-alive connection delays by 40
     * ms (Linux): 46.6 ms against 2.9 ms per 20 KB response, a console page or a scrape (docs/performance.md).
     */
    static void serveWithoutNagle() {
        if (System.getProperty(NO_DELAY) == null) {
            System.setProperty(NO_DELAY, "true");
        }
    }

    public static void main(String[] args) {
        // pg-observer uses no method interception; without this, Guice's class generation calls sun.misc.Unsafe
        // and newer JDKs print a warning on every start.
        System.setProperty("guice_bytecode_gen_option", "DISABLED");
        serveWithoutNagle();
        // The OpenTelemetry SDK logs export failures through java.util.logging: send them through Logback with
        // everything else, where logback.xml rate-limits nothing but at least formats and levels them alike.
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        blankLogLevelIsInfo();
        int exit;
        try {
            Path adapters = PgObserverCommand.adaptersDir(args, System.getenv());
            exit = PgObserverCommand.commandLine(adapters == null ? AdapterCatalog.discover()
                    : AdapterCatalog.load(adapters)).execute(args);
        } catch (ConfigException e) {
            // The adapters folder itself is wrong: nothing to parse the arguments with yet.
            if (LogFormatVariable.json(System.getenv())) {
                LoggerFactory.getLogger(Main.class).error("configuration error: {}", e.getMessage());
            } else {
                System.err.println("configuration error: " + e.getMessage());
            }
            exit = ExitCodes.USAGE;
        }
        System.exit(exit);
    }

    /**
     * logback.xml reads {@code PGOBSERVER_LOG_LEVEL} with INFO as the default, but a set and blank value leaves its
     * root logger at DEBUG; blank counts as unset, as for every variable. (A value that is no level is refused by
     * the configuration loader, exit 2.)
     */
    private static void blankLogLevelIsInfo() {
        String level = System.getenv(LogLevelVariable.NAME);
        if (level != null && level.isBlank()
                && LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(ch.qos.logback.classic.Level.INFO);
        }
    }
}
