package io.pgobserver.domain.testing;

import io.pgobserver.domain.trace.Scope;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.TraceContext;
import io.pgobserver.domain.trace.Tracer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * A tracer that keeps every span in memory, for tests that assert the exact span tree. Thread-safe for
 * spans of different events; one span is used by one thread, as the port says.
 */
public final class RecordingTracer implements Tracer {

    private final ConcurrentLinkedQueue<RecordedSpan> started = new ConcurrentLinkedQueue<>();

    @Override
    public boolean isEnabled() {
        return true;
    }

    @Override
    public Span startTrace(String name, TraceContext remoteParent, SpanKind kind) {
        boolean child = remoteParent != null && remoteParent.isValid();
        String traceId = child ? remoteParent.traceId() : randomHex(32);
        return record(new RecordedSpan(name, kind, traceId, randomHex(16), child ? remoteParent.spanId() : null,
                null, null));
    }

    @Override
    public Span startLinkedTrace(String name, TraceContext linkedTo, SpanKind kind) {
        return record(new RecordedSpan(name, kind, randomHex(32), randomHex(16), null, null,
                linkedTo != null && linkedTo.isValid() ? linkedTo : null));
    }

    @Override
    public Span startSpan(String name, Span parent, SpanKind kind) {
        RecordedSpan p = (RecordedSpan) Objects.requireNonNull(parent, "parent");
        return record(new RecordedSpan(name, kind, p.traceId, randomHex(16), p.spanId, p, null));
    }

    private RecordedSpan record(RecordedSpan span) {
        started.add(span);
        return span;
    }

    /** Every span started, in start order. */
    public List<RecordedSpan> spans() {
        return List.copyOf(started);
    }

    public List<RecordedSpan> ended() {
        return started.stream().filter(RecordedSpan::isEnded).toList();
    }

    public List<RecordedSpan> named(String name) {
        return started.stream().filter(s -> s.name.equals(name)).toList();
    }

    public List<RecordedSpan> roots() {
        return started.stream().filter(s -> s.parent == null).toList();
    }

    public void reset() {
        started.clear();
    }

    /**
     * The tree under a root as indented lines {@code name {attributes}}, children in start order. Handy for
     * exact assertions: a whole tree compares as one string.
     */
    public String tree(RecordedSpan root, String... attributeKeys) {
        StringBuilder out = new StringBuilder();
        render(root, 0, List.of(attributeKeys), out);
        return out.toString();
    }

    private void render(RecordedSpan span, int depth, List<String> keys, StringBuilder out) {
        out.append("  ".repeat(depth)).append(span.name);
        Map<String, Object> shown = new LinkedHashMap<>();
        for (String key : keys) {
            if (span.attributes.containsKey(key)) {
                shown.put(key, span.attributes.get(key));
            }
        }
        if (!shown.isEmpty()) {
            out.append(' ').append(shown.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(", ", "{", "}")));
        }
        if (span.error != null) {
            out.append(" ERROR");
        }
        out.append('\n');
        for (RecordedSpan child : children(span)) {
            render(child, depth + 1, keys, out);
        }
    }

    public List<RecordedSpan> children(RecordedSpan parent) {
        return started.stream().filter(s -> s.parent == parent).toList();
    }

    private static String randomHex(int length) {
        StringBuilder sb = new StringBuilder(length);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < length; i++) {
            sb.append(Character.forDigit(random.nextInt(16), 16));
        }
        if (sb.chars().allMatch(c -> c == '0')) {
            sb.setCharAt(0, '1');
        }
        return sb.toString();
    }

    /** One recorded span. */
    public static final class RecordedSpan implements Span {
        public final String name;
        public final SpanKind kind;
        public final String traceId;
        public final String spanId;
        public final String parentSpanId;
        public final RecordedSpan parent;
        public final TraceContext link;
        private final Map<String, Object> attributes = Collections.synchronizedMap(new LinkedHashMap<>());
        private final List<String> events = Collections.synchronizedList(new ArrayList<>());
        private volatile String error;
        private volatile Throwable exception;
        private volatile boolean ended;

        RecordedSpan(String name, SpanKind kind, String traceId, String spanId, String parentSpanId,
                     RecordedSpan parent, TraceContext link) {
            this.name = name;
            this.kind = kind;
            this.traceId = traceId;
            this.spanId = spanId;
            this.parentSpanId = parentSpanId;
            this.parent = parent;
            this.link = link;
        }

        @Override
        public boolean isRecording() {
            return !ended;
        }

        @Override
        public Span setAttribute(String key, String value) {
            return put(key, value);
        }

        @Override
        public Span setAttribute(String key, long value) {
            return put(key, value);
        }

        @Override
        public Span setAttribute(String key, double value) {
            return put(key, value);
        }

        @Override
        public Span setAttribute(String key, boolean value) {
            return put(key, value);
        }

        private Span put(String key, Object value) {
            if (ended) {
                throw new IllegalStateException("attribute " + key + " set on ended span " + name);
            }
            attributes.put(key, value);
            return this;
        }

        @Override
        public Span addEvent(String eventName) {
            events.add(eventName);
            return this;
        }

        @Override
        public Span recordError(String message, Throwable cause) {
            this.error = message;
            this.exception = cause;
            attributes.put("error", message);
            events.add("exception");
            return this;
        }

        @Override
        public TraceContext context() {
            return TraceContext.of(traceId, spanId, true);
        }

        @Override
        public Scope makeCurrent() {
            return Scope.NOOP;
        }

        @Override
        public void end() {
            if (ended) {
                throw new IllegalStateException("span " + name + " ended twice");
            }
            ended = true;
        }

        public boolean isEnded() {
            return ended;
        }

        public Map<String, Object> attributes() {
            synchronized (attributes) {
                return Map.copyOf(attributes);
            }
        }

        public Object attribute(String key) {
            return attributes.get(key);
        }

        public List<String> events() {
            synchronized (events) {
                return List.copyOf(events);
            }
        }

        public String error() {
            return error;
        }

        public Throwable exception() {
            return exception;
        }

        @Override
        public String toString() {
            return name + attributes();
        }
    }
}
