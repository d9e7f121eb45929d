package io.pgobserver.benchmarks.load;

import java.util.concurrent.atomic.AtomicLong;

/** What the receiver process's OTLP endpoints (HTTP and gRPC alike) took in since the run began. */
final class OtlpTally {

    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong spans = new AtomicLong();

    /** One export request and the spans it carried. */
    void export(int spanCount) {
        requests.incrementAndGet();
        spans.addAndGet(spanCount);
    }

    /** Bytes of an export as they crossed the wire (compressed, when they were). */
    void wireBytes(long count) {
        bytes.addAndGet(count);
    }

    void reset() {
        requests.set(0);
        bytes.set(0);
        spans.set(0);
    }

    /** The {@code key=value} lines of the control API's stats. */
    String statsLines() {
        return "otlp_requests=" + requests.get() + "\notlp_bytes=" + bytes.get() + "\notlp_spans=" + spans.get() + "\n";
    }
}
