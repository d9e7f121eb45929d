package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.Position;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

class AdvisoryLockLeadershipIT {

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    private static final Logger LOG = LoggerFactory.getLogger(AdvisoryLockLeadershipIT.class);

    private static AdvisoryLockLeadership leadership(String consumer) {
        return new AdvisoryLockLeadership(DB.database(), TestPostgres.listener(consumer, Duration.ofSeconds(1)));
    }

    @Test
    void onlyOneHoldsAndAStandbyTakesOverWhenTheHoldersSessionDies() throws Exception {
        AdvisoryLockLeadership active = leadership("orders");
        AdvisoryLockLeadership standby = leadership("orders");
        try {
            assertThat(active.acquire(Duration.ofSeconds(30))).isTrue();
            assertThat(standby.acquire(Duration.ofSeconds(1))).isFalse();
            assertThat(active.isHeld()).isTrue();
            assertThat(standby.isHeld()).isFalse();
            assertThat(standby.isHeldByAnyone()).isTrue();

            assertThat(terminateHolder(AdvisoryLockLeadership.lockKey("orders"))).isEqualTo(1);
            long start = System.nanoTime();
            assertThat(standby.acquire(Duration.ofSeconds(60))).isTrue();
            LOG.info("Standby took over {} ms after the holder's session was terminated",
                    Duration.ofNanos(System.nanoTime() - start).toMillis());

            assertThat(active.isHeld()).isFalse();
            assertThat(standby.isHeld()).isTrue();
            assertThat(active.acquire(Duration.ofMillis(600))).isFalse();
        } finally {
            active.release();
            standby.release();
        }
        assertThat(active.isHeldByAnyone()).isFalse();
    }

    @Test
    void aReleasedLockPassesOnAndConsumersAreIndependent() throws Exception {
        AdvisoryLockLeadership first = leadership("billing");
        AdvisoryLockLeadership second = leadership("billing");
        AdvisoryLockLeadership other = leadership("shipping");
        try {
            assertThat(first.acquire(Duration.ofSeconds(30))).isTrue();
            assertThat(other.acquire(Duration.ofSeconds(30))).isTrue();
            assertThat(first.acquire(Duration.ZERO)).isTrue();
            first.release();
            assertThat(first.isHeld()).isFalse();
            assertThat(second.acquire(Duration.ofSeconds(30))).isTrue();
        } finally {
            first.release();
            second.release();
            other.release();
        }
    }

    @Test
    void dedicatedSessionsAskTheServerToNoticeAVanishedHostQuickly() throws Exception {
        try (Connection connection = DB.database().connect("test");
             ResultSet rs = connection.createStatement().executeQuery(
                     "select current_setting('tcp_keepalives_idle'), current_setting('application_name')")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("10");
            assertThat(rs.getString(2)).isEqualTo("pg-observer test");
        }
    }

    @Test
    void lockKeysAreStableAndNonNegative() {
        assertThat(AdvisoryLockLeadership.lockKey("orders")).isEqualTo(AdvisoryLockLeadership.lockKey("orders"))
                .isNotEqualTo(AdvisoryLockLeadership.lockKey("orders2")).isNotNegative();
    }

    /**
     * Two complete listeners (leadership, change source, checkpoints) on one database and consumer name: only
     * the leader consumes; when its session is killed the standby takes over from the checkpoint.
     */
    @Test
    void twoListenersOnlyTheLeaderConsumesAndKillingItHandsOver() throws Exception {
        DB.execute("create table public.orders (id bigint primary key)");
        new PostgresCaptureInstaller(DB.database()).install("public.orders", null);
        Map<String, String> consumedBy = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        ListenerLoop first = new ListenerLoop("first", consumedBy, stop);
        ListenerLoop second = new ListenerLoop("second", consumedBy, stop);
        CompletableFuture<Void> a = CompletableFuture.runAsync(first);
        waitFor(() -> first.leading, "the first listener to lead");
        CompletableFuture<Void> b = CompletableFuture.runAsync(second);
        try {
            DB.execute("insert into public.orders select generate_series(1, 200)");
            waitFor(() -> consumedBy.size() == 200, "the first 200 events");
            assertThat(Set.copyOf(consumedBy.values())).containsExactly("first");

            assertThat(terminateHolder(AdvisoryLockLeadership.lockKey("handover"))).isEqualTo(1);
            waitFor(() -> second.leading && !first.leading, "the second listener to take over");

            DB.execute("insert into public.orders select generate_series(201, 400)");
            waitFor(() -> consumedBy.size() == 400, "all 400 events");
            assertThat(consumedBy.entrySet().stream().filter(e -> e.getValue().equals("second")).count())
                    .isGreaterThanOrEqualTo(200);
        } finally {
            stop.set(true);
            CompletableFuture.allOf(a, b).get(1, TimeUnit.MINUTES);
        }
    }

    /** A listener process in miniature: lead, then consume and checkpoint while still leading; end on losing the lead. */
    private static final class ListenerLoop implements Runnable {
        private final String name;
        private final Map<String, String> consumedBy;
        private final AtomicBoolean stop;
        volatile boolean leading;

        ListenerLoop(String name, Map<String, String> consumedBy, AtomicBoolean stop) {
            this.name = name;
            this.consumedBy = consumedBy;
            this.stop = stop;
        }

        @Override
        public void run() {
            AdvisoryLockLeadership leadership = leadership("handover");
            JdbiCheckpointStore checkpoints = new JdbiCheckpointStore(DB.database());
            PostgresChangeSource source = new PostgresChangeSource(DB.database(),
                    TestPostgres.listener("handover", Duration.ofMillis(200)));
            try {
                while (!stop.get()) {
                    if (!leadership.acquire(Duration.ofMillis(300))) {
                        continue;
                    }
                    leading = true;
                    while (!stop.get() && leadership.isHeld()) {
                        Position position = checkpoints.load("handover").orElse(Position.START);
                        List<ChangeEvent> batch = source.poll(position, 50, Duration.ofMillis(200));
                        for (ChangeEvent event : batch) {
                            consumedBy.merge(event.entityId(), name, (was, now) -> was);
                        }
                        if (!batch.isEmpty()) {
                            checkpoints.save("handover", batch.get(batch.size() - 1).position());
                        }
                    }
                    leading = false;
                    if (!stop.get()) {
                        return; // its session was killed: this process is as good as dead, it does not compete again
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(name + " failed", e);
            } finally {
                leading = false;
                source.stop();
                leadership.release();
            }
        }
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    /** Ends every session that holds the consumer's lock, as a crash or an administrator would. */
    private static int terminateHolder(long key) throws SQLException {
        try (Connection connection = TestPostgres.connect(DB.settings());
             PreparedStatement statement = connection.prepareStatement("""
                     select count(*) filter (where pg_terminate_backend(pid)) from pg_locks
                      where locktype = 'advisory' and objsubid = 1 and granted
                        and classid::bigint = (? >> 32) and objid::bigint = (? & 4294967295)
                     """)) {
            statement.setLong(1, key);
            statement.setLong(2, key);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
