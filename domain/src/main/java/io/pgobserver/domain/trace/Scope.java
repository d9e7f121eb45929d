package io.pgobserver.domain.trace;

/** Ends a span's time as the current span of this thread (so log lines carry its ids). Never throws. */
@FunctionalInterface
public interface Scope extends AutoCloseable {

    /** A scope that does nothing. */
    Scope NOOP = () -> { };

    @Override
    void close();
}
