package io.pgobserver.adapters.actions;

import java.io.InterruptedIOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;

/**
 * At most {@code actions.max_requests_per_host} HTTP requests at once to one host and port; the rest wait their turn,
 * as OkHttp's dispatcher makes asynchronous calls wait. Every event in flight may call the same receiver at the same
 * moment ({@code listener.max_in_flight}, 256 by default), and past a few dozen concurrent requests a receiver gets
 * no faster while the client gets slower: OkHttp's pool is scanned, and its timeout queue reordered, under one lock
 * per request, so a drain at 256 concurrent requests spent more CPU in the client than in everything else
 * (docs/performance.md). A slow receiver needs more: requests per second to one host are at most this limit divided by
 * its response time.
 */
final class HostLimits {

    private final int perHost;
    private final ConcurrentMap<String, Semaphore> hosts = new ConcurrentHashMap<>();

    HostLimits(int perHost) {
        if (perHost < 1) {
            throw new IllegalArgumentException("actions.max_requests_per_host must be at least 1, was " + perHost);
        }
        this.perHost = perHost;
    }

    /** A permit for one request to {@code host:port}; waits while the host has {@code perHost} in flight. */
    Permit acquire(String host, int port) throws InterruptedIOException {
        Semaphore semaphore = hosts.computeIfAbsent(host + ':' + port, h -> new Semaphore(perHost));
        try {
            semaphore.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException io = new InterruptedIOException("interrupted while waiting for a free request slot "
                    + "to " + host + ':' + port + " (actions.max_requests_per_host=" + perHost + ")");
            io.initCause(e);
            throw io;
        }
        return semaphore::release;
    }

    /** A request slot held; closing it lets the next request to the host go. */
    interface Permit extends AutoCloseable {
        @Override
        void close();
    }
}
