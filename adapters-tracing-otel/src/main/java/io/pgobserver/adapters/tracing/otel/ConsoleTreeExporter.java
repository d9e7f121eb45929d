package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code exporter: console}: prints each trace as an indented tree when its local root ends, for development
 * and the {@code demo} command:
 * <pre>
 * trace 4bf92f3577b34da6a3ce929d0e0e4736 (parent 00f067aa0ba902b7) service pg-observer
 * process_event [12.410 ms] CONSUMER entity_type=orders event_id=…
 * ├─ load_checkpoint [0.051 ms] recovered_from_checkpoint=false
 * └─ execute_actions [11.2 ms] observer=order_shipped
 *    └─ execute_action [11.0 ms] CLIENT action_type=webhook http_status=200
 * </pre>
 * Runs under a simple span processor, so it sees each span as it ends. Spans wait per trace until their local
 * root ends, which takes its own tree out; the waiting room is bounded (traces whose root never ends are evicted,
 * oldest first).
 */
final class ConsoleTreeExporter implements SpanExporter {

    static final int MAX_TRACES = 1_000;
    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
    static final int MAX_SPANS_PER_TRACE = 2_000;

    private final PrintStream out;
    private final Map<String, List<SpanData>> waiting = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, List<SpanData>> eldest) {
            return size() > MAX_TRACES;
        }
    };
    private boolean shutdown;

    ConsoleTreeExporter(PrintStream out) {
        this.out = out;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        List<String> trees = new ArrayList<>(1);
        synchronized (this) {
            if (shutdown) {
                return CompletableResultCode.ofFailure();
            }
            for (SpanData span : spans) {
                List<SpanData> trace = waiting.computeIfAbsent(span.getTraceId(), id -> new ArrayList<>());
                if (trace.size() < MAX_SPANS_PER_TRACE) {
                    trace.add(span);
                }
                if (isLocalRoot(span)) {
                    List<SpanData> tree = takeTree(span, trace);
                    if (trace.isEmpty()) {
                        waiting.remove(span.getTraceId());
                    }
                    trees.add(render(span, tree));
                }
            }
        }
        for (String tree : trees) {
            out.print(tree);
            out.flush();
        }
        return CompletableResultCode.ofSuccess();
    }

    /**
     * Takes the root and the spans under it out of its trace's waiting spans: one trace may hold several local
     * trees at once (the rows of one transaction are events of the writer's trace; a receiver in this process
     * continues a webhook's), and each is printed when its own root ends.
     */
    private static List<SpanData> takeTree(SpanData root, List<SpanData> trace) {
        Map<String, List<SpanData>> children = new HashMap<>();
        for (SpanData span : trace) {
            children.computeIfAbsent(span.getParentSpanId(), id -> new ArrayList<>()).add(span);
        }
        List<SpanData> tree = new ArrayList<>();
        tree.add(root);
        for (int i = 0; i < tree.size(); i++) {
            tree.addAll(children.getOrDefault(tree.get(i).getSpanId(), List.of()));
        }
        Set<SpanData> taken = Collections.newSetFromMap(new IdentityHashMap<>());
        taken.addAll(tree);
        trace.removeIf(taken::contains);
        return tree;
    }

    private static boolean isLocalRoot(SpanData span) {
        SpanContext parent = span.getParentSpanContext();
        return !parent.isValid() || parent.isRemote();
    }

    /** The tree under a root, as printed: a header line, then one line per span. */
    static String render(SpanData root, List<SpanData> trace) {
        Map<String, List<SpanData>> children = new HashMap<>();
        Set<String> ids = new HashSet<>();
        for (SpanData span : trace) {
            ids.add(span.getSpanId());
        }
        for (SpanData span : trace) {
            if (span == root) {
                continue;
            }
            // A span whose parent is not here (ended after the root, or cut by the bound) hangs under the root.
            String parent = ids.contains(span.getParentSpanId()) ? span.getParentSpanId() : root.getSpanId();
            children.computeIfAbsent(parent, id -> new ArrayList<>()).add(span);
        }
        for (List<SpanData> list : children.values()) {
            list.sort(Comparator.comparingLong(SpanData::getStartEpochNanos));
        }
        StringBuilder out = new StringBuilder(256);
        out.append("trace ").append(root.getTraceId());
        if (root.getParentSpanContext().isValid()) {
            out.append(" (parent ").append(root.getParentSpanId()).append(')');
        }
        if (!root.getLinks().isEmpty()) {
            out.append(" (linked to ").append(root.getLinks().get(0).getSpanContext().getTraceId()).append(')');
        }
        String service = root.getResource().getAttribute(SERVICE_NAME);
        if (service != null) {
            out.append(" service ").append(service);
        }
        out.append('\n');
        line(root, out);
        renderChildren(root.getSpanId(), "", children, out);
        return out.toString();
    }

    private static void renderChildren(String parentId, String indent, Map<String, List<SpanData>> children,
                                       StringBuilder out) {
        List<SpanData> list = children.get(parentId);
        if (list == null) {
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            boolean last = i == list.size() - 1;
            SpanData child = list.get(i);
            out.append(indent).append(last ? "└─ " : "├─ ");
            line(child, out);
            renderChildren(child.getSpanId(), indent + (last ? "   " : "│  "), children, out);
        }
    }

    private static void line(SpanData span, StringBuilder out) {
        out.append(span.getName()).append(" [").append(duration(span)).append(']');
        if (span.getKind() != SpanKind.INTERNAL) {
            out.append(' ').append(span.getKind());
        }
        if (span.getStatus().getStatusCode() == StatusCode.ERROR) {
            out.append(" ERROR");
        }
        Attributes attributes = span.getAttributes();
        List<Map.Entry<AttributeKey<?>, Object>> sorted = new ArrayList<>(attributes.asMap().entrySet());
        sorted.sort(Comparator.comparing(e -> e.getKey().getKey()));
        for (Map.Entry<AttributeKey<?>, Object> entry : sorted) {
            out.append(' ').append(entry.getKey().getKey()).append('=');
            String value = String.valueOf(entry.getValue());
            if (value.isEmpty() || value.indexOf(' ') >= 0 || value.indexOf('"') >= 0) {
                out.append('"').append(value.replace("\"", "\\\"")).append('"');
            } else {
                out.append(value);
            }
        }
        out.append('\n');
    }

    private static String duration(SpanData span) {
        long nanos = span.getEndEpochNanos() - span.getStartEpochNanos();
        if (nanos >= 1_000_000_000L) {
            return String.format(java.util.Locale.ROOT, "%.3f s", nanos / 1e9);
        }
        return String.format(java.util.Locale.ROOT, "%.3f ms", nanos / 1e6);
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public synchronized CompletableResultCode shutdown() {
        shutdown = true;
        waiting.clear();
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public String toString() {
        return "console";
    }
}
