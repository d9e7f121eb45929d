package io.pgobserver.adapters.actions;

import java.io.IOException;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The hosts webhooks may call ({@code actions.allowed_hosts}): exact names, or {@code *.example.com} for every
 * subdomain. Empty allows every host.
 */
final class HostAllowList {

    private final Set<String> hosts;

    HostAllowList(Set<String> hosts) {
        this.hosts = hosts.stream().map(h -> h.strip().toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    boolean allows(String host) {
        if (hosts.isEmpty()) {
            return true;
        }
        String name = host.toLowerCase(Locale.ROOT);
        if (hosts.contains(name)) {
            return true;
        }
        for (int dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
            if (hosts.contains("*" + name.substring(dot))) {
                return true;
            }
        }
        return false;
    }

    void check(String host) throws HostNotAllowedException {
        if (!allows(host)) {
            throw new HostNotAllowedException(host);
        }
    }

    /** A request to, or a redirect towards, a host outside the allow-list. */
    static final class HostNotAllowedException extends IOException {
        private static final long serialVersionUID = 1L;

        HostNotAllowedException(String host) {
            super("host '" + host + "' is not in actions.allowed_hosts; add it there to allow it");
        }
    }
}
