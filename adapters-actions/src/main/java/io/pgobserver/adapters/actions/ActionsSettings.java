package io.pgobserver.adapters.actions;

import java.time.Duration;
import java.util.Set;

/**
 * The {@code actions:} settings shared by the webhook and Slack actions.
 *
 * @param connectTimeout HTTP connect timeout
 * @param readTimeout    HTTP read timeout
 * @param allowedHosts   when not empty, webhooks may only go to these hosts
 */
record ActionsSettings(Duration connectTimeout, Duration readTimeout, Set<String> allowedHosts) {

    public ActionsSettings {
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
        readTimeout = readTimeout == null ? Duration.ofSeconds(10) : readTimeout;
        allowedHosts = allowedHosts == null ? Set.of() : Set.copyOf(allowedHosts);
    }

    static ActionsSettings defaults() {
        return new ActionsSettings(null, null, null);
    }
}
