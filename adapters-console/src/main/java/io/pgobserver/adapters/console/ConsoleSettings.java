package io.pgobserver.adapters.console;

import io.pgobserver.domain.config.Durations;
import io.pgobserver.domain.observer.Secret;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The {@code console:} section.
 *
 * @param enabled      whether {@code /console} answers (default true once the adapter is installed)
 * @param bind         the local address the console answers on: the admin port listens on every interface for
 *                     the health probes, and the console answers only requests that arrived on this one
 *                     ({@code 127.0.0.1} by default; {@code 0.0.0.0} for every interface)
 * @param token        the operator token that writes (replay, discard) need; null: the console is read-only
 * @param traceUrl     where a trace id links to, with {@code {trace_id}} in it; null: no links
 * @param recentEvents how many finished events the recent-events page keeps in memory
 * @param window       the span of time the observers page's latency percentiles cover
 */
record ConsoleSettings(boolean enabled, String bind, Secret token, String traceUrl, int recentEvents,
                       Duration window) {

    static final String DEFAULT_BIND = "127.0.0.1";
    static final int DEFAULT_RECENT_EVENTS = 500;
    static final Duration DEFAULT_WINDOW = Duration.ofMinutes(5);
    static final int MIN_TOKEN_LENGTH = 16;
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

    ConsoleSettings {
        bind = bind == null || bind.isBlank() ? DEFAULT_BIND : bind.trim();
        if (!IPV4.matcher(bind).matches() && !IPV6.matcher(bind).matches()) {
            throw new IllegalArgumentException("console.bind: '" + bind + "' is not an IP address; use 127.0.0.1 "
                    + "(this host only), 0.0.0.0 (every interface) or one of this host's addresses");
        }
        try {
            InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("console.bind: '" + bind + "' is not an IP address; use 127.0.0.1 "
                    + "(this host only), 0.0.0.0 (every interface) or one of this host's addresses", e);
        }
        if (token != null && token.reveal().length() < MIN_TOKEN_LENGTH) {
            throw new IllegalArgumentException("console.token: at least " + MIN_TOKEN_LENGTH + " characters are "
                    + "needed (a random value, such as the output of 'openssl rand -hex 24')");
        }
        traceUrl = traceUrl == null || traceUrl.isBlank() ? null : traceUrl.trim();
        if (traceUrl != null && (!(traceUrl.startsWith("http://") || traceUrl.startsWith("https://"))
                || !traceUrl.contains("{trace_id}"))) {
            throw new IllegalArgumentException("console.trace_url: '" + traceUrl + "' must be an http(s) URL with "
                    + "{trace_id} in it, such as http://localhost:16686/trace/{trace_id}");
        }
        if (recentEvents < 10 || recentEvents > 100_000) {
            throw new IllegalArgumentException("console.recent_events: " + recentEvents + " is out of range; "
                    + "choose 10 to 100000");
        }
        if (window == null) {
            window = DEFAULT_WINDOW;
        }
        Durations.within("console.window", window, Duration.ofSeconds(10), Duration.ofHours(1), "e.g. 5m");
    }

    boolean writable() {
        return token != null;
    }

    /** The trace UI's link for a trace id, or null. Trace ids are hex: nothing to encode. */
    String traceLink(String traceId) {
        return traceUrl == null || traceId == null ? null : traceUrl.replace("{trace_id}", traceId);
    }

    /** Whether a request that arrived on {@code local} is one the console answers. */
    boolean accepts(InetAddress local) {
        try {
            InetAddress bound = InetAddress.getByName(bind);
            if (bound.isAnyLocalAddress()) {
                return true;
            }
            if (bound.isLoopbackAddress()) {
                return local.isLoopbackAddress();
            }
            return bound.equals(local);
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
