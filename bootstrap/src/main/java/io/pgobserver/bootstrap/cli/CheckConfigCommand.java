package io.pgobserver.bootstrap.cli;

import io.pgobserver.bootstrap.config.Configuration;
import io.pgobserver.bootstrap.config.EffectiveConfig;
import io.pgobserver.bootstrap.wiring.AdapterCatalog;
import io.pgobserver.bootstrap.wiring.Boot;
import io.pgobserver.domain.observer.Observer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.List;
import java.util.concurrent.Callable;

/** Validates everything a start would (conditions and templates compiled) and prints the effective settings. */
@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = "Validate the configuration (conditions and templates compiled, adapters chosen) and print "
                + "the effective settings with secrets masked. Exit 0 when valid, 2 when not.")
final class CheckConfigCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Configuration config = options.loadWithDatabase();
        Boot.Booted booted = Boot.boot(config, options.catalog());
        List<Observer> observers = booted.observers();
        var out = spec.commandLine().getOut();
        out.print(EffectiveConfig.render(config));
        for (String warning : config.warnings()) {
            out.println("# warning: " + warning);
        }
        out.println("# tracing adapter: " + booted.tracingAdapter() + tracingNote(config, booted.tracingAdapter(),
                "true".equalsIgnoreCase(ConfigOptions.environment.get("OTEL_SDK_DISABLED"))));
        out.println("# configuration is valid: " + observers.size() + " observer(s)");
        out.flush();
        return ExitCodes.OK;
    }

    /**
     * Whether the adapter named traces: with metrics on, the OpenTelemetry adapter is chosen while tracing is off,
     * and its name alone read as "tracing works" to an operator looking for missing traces.
     */
    static String tracingNote(Configuration config, String adapter, boolean sdkDisabled) {
        if (!config.tracingActive() && sdkDisabled && !config.tracing().enabled()) {
            return " (tracing is off: OTEL_SDK_DISABLED=true turns it off over the file and TRACING_ENABLED; unset it,"
                    + " or add --set tracing.enabled=true)";
        }
        if (!config.tracingActive()) {
            return " (tracing is off: nothing is traced; turn it on with tracing.enabled: true or TRACING_ENABLED=true"
                    + " and an exporter other than none)";
        }
        if (adapter.equals(AdapterCatalog.NOOP)) {
            return " (tracing is on, but no adapter that exports spans is installed: nothing is exported; put"
                    + " adapters/adapters-tracing-otel back)";
        }
        return "";
    }
}
