package io.pgobserver.adapters.console;

import io.pgobserver.domain.spi.BindRefusals;
import io.pgobserver.domain.spi.Lifecycle;
import jakarta.inject.Inject;

/**
 * Checks at start that {@code console.bind} is an address of this machine: the console answers only requests that
 * arrived on it, so another address would leave it silent (404 everywhere) with nothing in the log. A configuration
 * error instead, before the database is waited for. Not at load: {@code check-config} may run on another machine.
 */
final class ConsoleAddress implements Lifecycle {

    private final ConsoleSettings settings;

    @Inject
    ConsoleAddress(ConsoleSettings settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return "console address";
    }

    @Override
    public int order() {
        return ORDER_TELEMETRY;
    }

    /** @throws IllegalArgumentException naming console.bind when this machine does not have the address */
    @Override
    public void start() {
        if (settings.enabled()) {
            BindRefusals.requireOfThisMachine("console.bind", settings.bind());
        }
    }

    @Override
    public void stop() {
        // Nothing held.
    }
}
