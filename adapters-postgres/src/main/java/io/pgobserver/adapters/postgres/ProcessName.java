package io.pgobserver.adapters.postgres;

/**
 * This process as operators find it: {@code pid@host}. Recorded with a claim and in the leadership session's
 * application name, so the console (and {@code pg_stat_activity}) tell which process leads and which stand by.
 */
final class ProcessName {

    /** Taken once: the host name lookup may be slow where name resolution is. */
    static final String CURRENT = ProcessHandle.current().pid() + "@" + host();

    private ProcessName() {
    }

    private static String host() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown-host";
        }
    }
}
