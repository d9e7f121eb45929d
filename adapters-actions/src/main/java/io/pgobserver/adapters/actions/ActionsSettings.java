package io.pgobserver.adapters.actions;

import java.time.Duration;
import java.util.Set;

/**
 * The {@code actions:} settings shared by the webhook and Slack actions.
 *
 * @param connectTimeout HTTP connect timeout
 * @param readTimeout    HTTP read timeout
 * @param allowedHosts   when not empty, webhooks may only go to these hosts
 * @param maxRequestsPerHost HTTP requests at once to one host and port; more wait their turn ({@link HostLimits})
 */
record ActionsSettings(Duration connectTimeout, Duration readTimeout, Set<String> allowedHosts,
                       int maxRequestsPerHost) {

    /** Enough for a receiver answering in 10 ms to take 6,400 requests a second, few enough to keep the client lean. */
    static final int DEFAULT_MAX_REQUESTS_PER_HOST = 64;

    ActionsSettings(Duration connectTimeout, Duration readTimeout, Set<String> allowedHosts) {
        this(connectTimeout, readTimeout, allowedHosts, DEFAULT_MAX_REQUESTS_PER_HOST);
    }

    public ActionsSettings {
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
        readTimeout = readTimeout == null ? Duration.ofSeconds(10) : readTimeout;
        allowedHosts = allowedHosts == null ? Set.of() : Set.copyOf(allowedHosts);
    }

    static ActionsSettings defaults() {
        return new ActionsSettings(null, null, null);
    }
}
