package io.pgobserver.adapters.console;

import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.observer.ActionSpec;
import io.pgobserver.domain.observer.Condition;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.observer.RetryPolicy;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.CaptureInstaller;
import io.pgobserver.domain.port.ParkedEvents;
import io.pgobserver.domain.spi.CaptureStatus;
import io.pgobserver.domain.testing.InMemoryCaptureInstaller;
import io.pgobserver.domain.testing.InMemoryChangeSource;
import io.pgobserver.domain.testing.InMemoryCheckpointStore;
import io.pgobserver.domain.testing.InMemoryDeadLetters;
import io.pgobserver.domain.testing.InMemoryLeadership;
import io.pgobserver.domain.testing.InMemoryParkedEvents;
import io.pgobserver.domain.testing.TestAction;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** How often the console's figures are read again. */
class StatusReadsTest {

    @Test
    void figuresStayFreshForASecondOrTenTimesWhatReadingThemTook() {
        assertThat(read(0).freshForMillis()).isEqualTo(StatusReads.FRESH_MILLIS);
        assertThat(read(40_000_000L).freshForMillis()).isEqualTo(StatusReads.FRESH_MILLIS);
        assertThat(read(300_000_000L).freshForMillis()).isEqualTo(3_000);
    }

    /**
     * With many rows parked, the parked totals take the database a while to aggregate. Renewing them every second
     * would keep it busy a good part of the time while a console is open: a second page, after a second, is answered
     * from the reads it has.
     */
    @Test
    void slowReadsAreNotRenewedEverySecond() throws Exception {
        InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();
        SlowSummary parked = new SlowSummary(new InMemoryParkedEvents(checkpoints), Duration.ofMillis(300));
        StatusReads reads = new StatusReads(new ListenerSettings("slow", 10, Duration.ofMillis(20), 4, 100, null,
                null), checkpoints, new InMemoryChangeSource(), new InMemoryDeadLetters(), parked,
                new InMemoryLeadership(), new InMemoryCaptureInstaller(), Optional::empty, List.of());

        assertThat(reads.read()).isPresent();
        assertThat(parked.summaries.get()).isEqualTo(1);
        Thread.sleep(StatusReads.FRESH_MILLIS + 200);
        assertThat(reads.read()).isPresent();

        // A renewal would start at once on a virtual thread and call the summary first thing; give it time to.
        Thread.sleep(500);
        assertThat(parked.summaries.get()).as("summaries read: the second page renewed a 300 ms read after 1.2 s")
                .isEqualTo(1);
    }

    /**
     * Each renewal (about every second while a console is open, more with several) used to query the catalog once per
     * observed table, beside run's own check doing the same every capture_check_interval: it now shows that check.
     */
    @Test
    void renewalsShowRunsLatestCaptureCheckAndQueryTheCatalogNever() throws Exception {
        CountedChecks catalog = new CountedChecks();
        CaptureInstaller.Check captured = new CaptureInstaller.Check(1, List.of());
        AtomicReference<CaptureInstaller.Check> watched = new AtomicReference<>(captured);
        StatusReads reads = reads(catalog, () -> Optional.ofNullable(watched.get()));

        List<CaptureInstaller.Check> shown = new ArrayList<>();
        for (int renewal = 0; renewal < 5; renewal++) {
            shown.add(reads.readNow().capture());
        }
        CaptureInstaller.Check dropped = new CaptureInstaller.Check(1, List.of(new CaptureInstaller.Problem(
                "public.orders", CaptureInstaller.Problem.Kind.NOT_CAPTURED, "run 'pg-observer install'")));
        watched.set(dropped); // run's next check found the trigger gone
        shown.add(reads.readNow().capture());

        assertThat(catalog.checks).as("catalog checks made by 6 renewals").hasValue(0);
        assertThat(shown).as("what the renewals show").containsExactly(captured, captured, captured, captured,
                captured, dropped);
    }

    /** Where nothing checks the capture for the console (run's check not made yet), each renewal checks it. */
    @Test
    void withoutACheckOfRunsARenewalChecksTheCatalogItself() throws Exception {
        CountedChecks catalog = new CountedChecks();
        StatusReads reads = reads(catalog, Optional::empty);

        assertThat(reads.readNow().capture().problems()).extracting(CaptureInstaller.Problem::table)
                .containsExactly("public.orders");
        reads.readNow();
        assertThat(catalog.checks).hasValue(2);
    }

    private static StatusReads reads(CaptureInstaller capture, CaptureStatus status) {
        InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();
        Observer orders = new Observer("orders", "public.orders", Set.of(ChangeKind.CREATED), null,
                Condition.ALWAYS, List.<ActionSpec>of(new TestAction("webhook", "http://localhost:9/hook")),
                List.of("k0"), RetryPolicy.NONE);
        return new StatusReads(new ListenerSettings("capture", 10, Duration.ofMillis(20), 4, 100, null, null),
                checkpoints, new InMemoryChangeSource(), new InMemoryDeadLetters(),
                new InMemoryParkedEvents(checkpoints), new InMemoryLeadership(), capture, status, List.of(orders));
    }

    /** A catalog where no observed table is captured, counting its checks. */
    private static final class CountedChecks implements CaptureInstaller {
        private final InMemoryCaptureInstaller catalog = new InMemoryCaptureInstaller();
        final AtomicInteger checks = new AtomicInteger();

        @Override
        public List<String> install(String schemaTable, String idColumn, List<String> excluded) {
            return catalog.install(schemaTable, idColumn, excluded);
        }

        @Override
        public io.pgobserver.domain.port.SchemaChange schema() {
            return catalog.schema();
        }

        @Override
        public List<Problem> problems(Collection<String> schemaTables) {
            checks.incrementAndGet();
            return catalog.problems(schemaTables);
        }
    }

    private static StatusReads.Read read(long databaseNanos) {
        return new StatusReads.Read(java.util.Optional.empty(), List.of(), false, null, java.util.Optional.empty(),
                Map.of(), new ParkedEvents.Summary(0, 0, Map.of()), new CaptureInstaller.Check(0, List.of()), 0,
                databaseNanos);
    }

    /** Parked events whose summary takes the database a while, as 223,000 parked rows do. */
    private static final class SlowSummary implements ParkedEvents {
        private final ParkedEvents parked;
        private final Duration takes;
        final AtomicInteger summaries = new AtomicInteger();

        SlowSummary(ParkedEvents parked, Duration takes) {
            this.parked = parked;
            this.takes = takes;
        }

        @Override
        public Summary summary(String consumer, int oldest) {
            summaries.incrementAndGet();
            try {
                Thread.sleep(takes);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return parked.summary(consumer, oldest);
        }

        @Override
        public void park(CheckpointStore.Fence fence, String entity, List<ChangeEvent> events)
                throws CheckpointStore.FencedException {
            parked.park(fence, entity, events);
        }

        @Override
        public List<ChangeEvent> head(String consumer, String entity, int limit) {
            return parked.head(consumer, entity, limit);
        }

        @Override
        public void remove(CheckpointStore.Fence fence, String entity, long offset)
                throws CheckpointStore.FencedException {
            parked.remove(fence, entity, offset);
        }

        @Override
        public Map<String, Long> entities(String consumer) {
            return parked.entities(consumer);
        }
    }
}
