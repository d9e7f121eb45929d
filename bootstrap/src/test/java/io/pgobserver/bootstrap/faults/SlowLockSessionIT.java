package io.pgobserver.bootstrap.faults;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.pgobserver.bootstrap.faults.FaultSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A slow database must not cost the leader its lock: only the PostgreSQL backend that holds the active process's
 * advisory lock is paused (SIGSTOP, as a backend stuck on I/O would be), while a standby waits. Paused for a third of
 * the lease (3 s): no failover, the leader never stops dispatching. Paused for longer: the leader stops dispatching
 * when its lease runs out, the lock changes hands once when the backend resumes, and no entity is worked by two
 * processes at once (the receiver holds each request and records overlaps); nothing is lost.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlowLockSessionIT {

    private static final String LOCK_HOLDER = "select pid from pg_locks where locktype = 'advisory' and granted "
            + "and database = (select oid from pg_database where datname = current_database())";
    private static final Pattern LEADS = Pattern.compile("now the active listener");
    private static final Pattern STOPS = Pattern.compile("stopping dispatch at once");
    /** A third of the 3 s lease: the pause that must cost nothing. */
    private static final Duration WITHIN_LEASE = Duration.ofSeconds(1);

    private FaultSupport.Rig rig;

    @BeforeAll
    void start() throws Exception {
        rig = FaultSupport.Rig.start("slow-lock", FaultSupport.Writer.TABLE_DDL);
    }

    @AfterAll
    void stop() throws Exception {
        rig.close();
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void a_slow_lock_session_costs_nothing_within_the_lease_and_one_clean_failover_beyond_it() throws Exception {
        var config = rig.config("items.yaml", "slow-lock", -1, "max_in_flight: 16", """
                items:
                  entity: public.items
                  actions:
                    - type: webhook
                      url: "%s"
                      headers: { x-observer-process: "${OBSERVER_PROCESS:-none}" }
                  retry: { max_attempts: 1000, initial_backoff: 100ms, max_backoff: 400ms }
                """.formatted(rig.hooks.url("/hooks/items")));
        rig.install(config, "public.items");
        rig.hooks.hold(Duration.ofMillis(100));
        FaultSupport.Writer writer = new FaultSupport.Writer(rig.postgres, new Random(7), 20).start();
        ObserverProcess a = rig.run("a", config, Map.of("OBSERVER_PROCESS", "a"));
        await("a delivering", Duration.ofMinutes(2), () -> rig.hooks.successes().size() > 20);
        ObserverProcess b = rig.run("b", config, Map.of("OBSERVER_PROCESS", "b"));
        rig.awaitStandby(b);
        rig.awaitDeliveries(20);

        // Within the lease: nothing changes hands, and the leader never stops dispatching. The lock goes unconfirmed
        // for up to a check interval (0.5 s) before the pause, the pause, and the time the machine takes to signal
        // the backend and schedule the next check. A 1.5 s pause left 1 s of the 3 s lease for that last part on a
        // busy machine; 1 s leaves 1.5 s, and a lease that gave up on a check slower than 0.5 s still fails here.
        int leadsBefore = count(LEADS);
        int stopsBefore = count(STOPS);
        pause(WITHIN_LEASE);
        rig.awaitDeliveries(50);
        assertThat(count(STOPS)).as("dispatch stopped after a %d ms pause (log %s)", WITHIN_LEASE.toMillis(), rig.log)
                .isEqualTo(stopsBefore);
        assertThat(count(LEADS)).as("leadership taken again after a %d ms pause", WITHIN_LEASE.toMillis())
                .isEqualTo(leadsBefore);

        // Beyond the lease: the leader stands down, the lock changes hands once the backend resumes.
        pause(Duration.ofSeconds(8));
        rig.awaitDeliveries(50);
        int stops = count(STOPS) - stopsBefore;
        int leads = count(LEADS) - leadsBefore;
        writer.stop();
        List<FaultSupport.Row> rows = FaultSupport.changeLog(rig.postgres);
        rig.assertAllDelivered(a.isAlive() ? a : b, rows, "/hooks/items", Duration.ofMinutes(2));
        rig.assertRunning(a);
        rig.assertRunning(b);
        List<WebhookReceiver.Overlap> overlaps = rig.hooks.overlaps();
        System.out.printf("SlowLockSessionIT: lock backend paused %d ms: no failover; paused 8 s: dispatch stopped %d "
                        + "time(s), leadership taken %d time(s); %d events, entities worked by two processes at once: "
                        + "%d%n", WITHIN_LEASE.toMillis(), stops, leads, rows.size(), overlaps.size());
        assertThat(stops).as("the leader stopped dispatching once its lease ran out").isEqualTo(1);
        assertThat(leads).as("leadership taken once after the backend resumed").isEqualTo(1);
        assertThat(overlaps).as("requests for one entity open at once (log in %s)", rig.log).isEmpty();
        assertThat(a.stop()).isZero();
        assertThat(b.stop()).isZero();
    }

    /** Pauses the backend holding the consumer's advisory lock for {@code duration}, then lets it go on. */
    private void pause(Duration duration) throws Exception {
        long pid = FaultSupport.queryLong(rig.postgres, LOCK_HOLDER);
        FaultSupport.signal("STOP", pid);
        try {
            Thread.sleep(duration.toMillis());
        } finally {
            FaultSupport.signal("CONT", pid);
        }
    }

    private int count(Pattern pattern) throws Exception {
        Matcher matcher = pattern.matcher(Files.readString(rig.log));
        int n = 0;
        while (matcher.find()) {
            n++;
        }
        return n;
    }
}
