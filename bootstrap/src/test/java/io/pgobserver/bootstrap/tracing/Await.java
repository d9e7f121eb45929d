package io.pgobserver.bootstrap.tracing;

import io.pgobserver.domain.testing.FreePorts;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polling with generous timeouts: the tests assert what happens, never how fast. */
public final class Await {

    private Await() {
    }

    /** Polls until {@code condition} holds or {@code timeout} passes; returns whether it held. */
    public static boolean until(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(100);
        }
        return condition.getAsBoolean();
    }

    /** A loopback port no test of this JVM was given before ({@link FreePorts}). */
    public static int freePort() {
        return FreePorts.take();
    }
}
