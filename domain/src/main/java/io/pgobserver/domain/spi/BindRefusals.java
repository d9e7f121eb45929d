package io.pgobserver.domain.spi;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Why a port pg-observer listens on could not be opened, said as the setting to change: the port taken by another
 * process, or an address this machine does not have. Neither ends by waiting, so both are an
 * {@link IllegalArgumentException} naming the key and the fix, which a start turns into a configuration error
 * (exit 2), as {@link Lifecycle#start()} says.
 */
public final class BindRefusals {

    private static final String ADDRESSES = "use 0.0.0.0 (every interface), 127.0.0.1 (this machine only) or one of "
            + "this machine's addresses";

    private BindRefusals() {
    }

    /**
     * The error for a port that could not be bound ({@link java.net.BindException}, or an unresolved host name).
     *
     * @param portKey   the port's setting ({@code metrics.port})
     * @param hostKey   the address' setting ({@code metrics.host}), or null when the port listens on every interface
     * @param otherwise the other way out, appended to the fix ({@code ", or set metrics.enabled: false"})
     */
    public static IllegalArgumentException refused(String portKey, int port, String hostKey, String host,
                                                   Exception cause, String otherwise) {
        if (hostKey != null && !isOfThisMachine(host)) {
            return new IllegalArgumentException(notOfThisMachine(hostKey, host) + ADDRESSES + otherwise, cause);
        }
        String where = hostKey == null ? "" : " on " + host;
        String reason = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
        if (reason.contains("permission denied") || reason.contains("access denied")) {
            // Ports below 1024 are privileged on Unix: another port is the fix, not a free one.
            return new IllegalArgumentException(portKey + " " + port + where + " cannot be opened: this user may "
                    + "not listen on it (ports below 1024 need privileges): choose a port above 1023 (0 picks a "
                    + "free one)" + otherwise, cause);
        }
        return new IllegalArgumentException(portKey + " " + port + where + " is already in use by another process: "
                + "choose another port (0 picks a free one)" + otherwise, cause);
    }

    /**
     * Checks that {@code address} (an IP address) is one this machine can receive requests on.
     *
     * @throws IllegalArgumentException naming {@code key} when it is not
     */
    public static void requireOfThisMachine(String key, String address) {
        if (!isOfThisMachine(address)) {
            throw new IllegalArgumentException(notOfThisMachine(key, address) + ADDRESSES);
        }
    }

    /** Every interface, loopback, or the address of one of this machine's interfaces; false when it does not resolve. */
    static boolean isOfThisMachine(String address) {
        InetAddress resolved;
        try {
            resolved = InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            return false;
        }
        try {
            return resolved.isAnyLocalAddress() || resolved.isLoopbackAddress()
                    || NetworkInterface.getByInetAddress(resolved) != null;
        } catch (SocketException e) {
            // The interfaces cannot be listed: do not blame the address for it.
            return true;
        }
    }

    private static String notOfThisMachine(String key, String address) {
        return key + " " + address + " is not an address of this machine: ";
    }

    /**
     * Whether a failed bind is one {@link #refused} explains: the port taken or not allowed, the address not here
     * ({@link java.net.BindException}), or a host name that does not resolve (a plain {@link SocketException}).
     */
    public static boolean isRefusal(Throwable cause) {
        for (Throwable at = cause; at != null && at != at.getCause(); at = at.getCause()) {
            if (at instanceof SocketException) {
                return true;
            }
        }
        return false;
    }
}
