package io.pgobserver.domain.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loopback ports for test servers, none handed out twice in one JVM. The kernel may give a probe socket's port out
 * again once the socket is closed, so a test that chooses several ports before it binds any (a broker's listeners,
 * an admin port and a database that must not answer) could get the same one twice: a Kafka broker of the tests
 * once got one port for two listeners and did not start.
 */
public final class FreePorts {

    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /** A port nothing listened on just now and no test of this JVM was given before. */
    public static int take() {
        while (true) {
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (HANDED_OUT.add(probe.getLocalPort())) {
                    return probe.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
