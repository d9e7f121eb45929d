package io.pgobserver.benchmarks;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.event.Position;
import io.pgobserver.domain.observer.ActionSpec;
import io.pgobserver.domain.observer.Condition;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.observer.RetryPolicy;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.DeadLetter;
import io.pgobserver.domain.port.DeadLetters;
import io.pgobserver.domain.testing.TestAction;
import io.pgobserver.domain.trace.TraceContext;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** The events, observers and stores every benchmark shares, so the variants differ only in what is measured. */
final class Fixtures {

    static final String ENTITY = "public.orders";
    /** A writer's context, as an instrumented application leaves it in the row. */
    static final TraceContext WRITER = TraceContext.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
            .orElseThrow();

    private Fixtures() {
    }

    /**
     * An order that was shipped, with {@code extraFields} more columns in {@code before} and {@code after} (the
     * payload-size knob), carrying the writer's trace context.
     */
    static ChangeEvent shippedOrder(long offset, int extraFields) {
        Map<String, Object> before = row(offset, "new", extraFields);
        Map<String, Object> after = row(offset, "shipped", extraFields);
        return new ChangeEvent(UUID.nameUUIDFromBytes(("event-" + offset).getBytes()).toString(),
                new Position(offset, offset), ENTITY, Long.toString(offset), ChangeKind.UPDATED, before, after,
                Instant.parse("2026-01-01T00:00:00Z").plusMillis(offset), WRITER);
    }

    private static Map<String, Object> row(long id, String status, int extraFields) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("customer", "ada");
        row.put("total", 120.5);
        row.put("status", status);
        for (int i = 0; i < extraFields; i++) {
            row.put("field_" + i, "value of field " + i);
        }
        return row;
    }

    /**
     * Two observers: {@code order_shipped} matches every event (a condition reading two fields, as the example
     * configuration's does) and runs {@code actionsPerEvent} webhooks; {@code order_deleted} is not a candidate
     * (another kind), so the per-observer filtering is in the path too.
     */
    static List<Observer> observers(int actionsPerEvent) {
        return observers(actionsPerEvent, 0);
    }

    /** As above, then {@code others} observers of other tables, two a table, as a file over many tables has. */
    static List<Observer> observers(int actionsPerEvent, int others) {
        List<ActionSpec> actions = new ArrayList<>();
        for (int i = 0; i < actionsPerEvent; i++) {
            actions.add(new TestAction("webhook", "http://localhost:8080/hooks/orders/" + i));
        }
        Condition shipped = event -> "shipped".equals(event.after().get("status"))
                && !"shipped".equals(event.before().get("status"));
        List<Observer> observers = new ArrayList<>(List.of(
                new Observer("order_shipped", ENTITY, Set.of(ChangeKind.UPDATED), "after.status == 'shipped'",
                        shipped, actions, RetryPolicy.DEFAULT),
                new Observer("order_deleted", ENTITY, Set.of(ChangeKind.DELETED), "", Condition.ALWAYS,
                        List.of(new TestAction("webhook", "http://localhost:8080/hooks/deleted")),
                        RetryPolicy.DEFAULT)));
        for (int i = 0; i < others; i++) {
            observers.add(new Observer("other_" + i, "public.table_" + i / 2, Set.of(ChangeKind.UPDATED), "",
                    Condition.ALWAYS, List.of(new TestAction("webhook", "http://localhost:8080/hooks/other")),
                    RetryPolicy.DEFAULT));
        }
        return observers;
    }

    /** The benchmarks' actions never fail: a dead letter means the set-up is wrong, so it stops the run. */
    static final DeadLetters NO_DEAD_LETTERS = new DeadLetters() {
        @Override
        public long add(CheckpointStore.Fence fence, DeadLetter letter) {
            throw new IllegalStateException("benchmark action dead-lettered: " + letter.error());
        }

        @Override
        public List<DeadLetter> list(String consumer, long after, int limit) {
            return List.of();
        }

        @Override
        public long lastId(String consumer) {
            return 0;
        }

        @Override
        public Optional<DeadLetter> find(String consumer, long id) {
            return Optional.empty();
        }

        @Override
        public boolean remove(long id) {
            return false;
        }

        @Override
        public Map<String, Long> countByObserver(String consumer) {
            return Map.of();
        }

        @Override
        public Optional<Claim> claim(long id) {
            throw new IllegalStateException("the benchmarks replay no dead letter");
        }

        @Override
        public Optional<ClaimHolder> claimHolder(long id) {
            return Optional.empty();
        }
    };
}
