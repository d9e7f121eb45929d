package io.pgobserver.application;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.event.Position;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.testing.InMemoryChangeSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The transaction whose events are late: its age on the gauge at each look (0 when none), and a warning naming it
 * and how to end it once it has been open 5 minutes, again a minute later at the soonest.
 */
class LateCommitsTest {

    private final InMemoryChangeSource source = new InMemoryChangeSource();
    private final AtomicLong gauge = new AtomicLong(-1);
    private final CapturedLines log = new CapturedLines(System.Logger.Level.WARNING);
    private final List<String> lines = log.lines;
    private final AtomicLong now = new AtomicLong(1_000);
    private final LateCommits late = new LateCommits(source, new Metrics() {
        @Override
        public void openTransactionAge(long ageMillis) {
            gauge.set(ageMillis);
        }
    }, "c", log, now::get);

    @Test
    void aTransactionOpenForFiveMinutesIsOnTheGaugeAndWarnedOfOnceAMinute() {
        late.look();
        assertThat(gauge.get()).isZero();

        InMemoryChangeSource.Transaction young = source.begin().backdate(Duration.ofMinutes(1));
        young.write(event());
        late.look();
        assertThat(gauge.get()).isBetween(60_000L, 299_999L);
        assertThat(lines).as("open less than 5 minutes").isEmpty();

        young.backdate(Duration.ofMinutes(5));
        late.look();
        assertThat(gauge.get()).isGreaterThanOrEqualTo(360_000L);
        assertThat(lines).singleElement().asString()
                .startsWith("consumer 'c': an open transaction has written events, which wait for its commit (the "
                        + "lag does not count them): pid 100, idle in transaction for 6m ")
                .contains("(app 'test', role 'test'), last statement: insert …. ")
                .endsWith("commit it from its application, or end it with SELECT pg_terminate_backend(100) (its "
                        + "changes are rolled back and never become events)");

        now.addAndGet(Duration.ofSeconds(55).toNanos());
        late.look();
        assertThat(lines).as("not again within the minute").hasSize(1);
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        late.look();
        assertThat(lines).as("again a minute later").hasSize(2);

        young.commit();
        late.look();
        assertThat(gauge.get()).isZero();
    }

    /**
     * A prepared transaction whose transaction manager died is warned of by its gid, with the COMMIT or ROLLBACK
     * PREPARED that ends it: it has no session to terminate.
     */
    @Test
    void aPreparedTransactionIsWarnedOfByItsGid() {
        InMemoryChangeSource.Transaction prepared = source.begin();
        prepared.write(event());
        prepared.prepare("tm-1:42").backdate(Duration.ofMinutes(7));
        late.look();

        assertThat(gauge.get()).isGreaterThanOrEqualTo(420_000L);
        assertThat(lines).singleElement().asString()
                .startsWith("consumer 'c': a prepared transaction has written events, which wait for its commit (the "
                        + "lag does not count them): gid 'tm-1:42' (role 'test'), prepared 7m ")
                .endsWith("ago and neither committed nor rolled back; no session holds it. its transaction manager "
                        + "should normally finish it; if that is gone for good, run COMMIT PREPARED 'tm-1:42' (its "
                        + "events arrive) or ROLLBACK PREPARED 'tm-1:42' (its changes are rolled back and never "
                        + "become events) in this database, as role 'test' or a superuser");

        prepared.rollback();
        late.look();
        assertThat(gauge.get()).isZero();
    }

    @Test
    void aTransactionThatWroteNothingIsNone() {
        source.begin().backdate(Duration.ofHours(1));
        late.look();
        assertThat(gauge.get()).isZero();
        assertThat(lines).isEmpty();
    }

    @Test
    void anUnreachableDatabaseLeavesTheGaugeAsItWas() {
        source.setFailing(true);
        late.look();
        assertThat(gauge.get()).isEqualTo(-1);
        assertThat(lines).isEmpty();
    }

    private static ChangeEvent event() {
        return new ChangeEvent("e1", new Position(0, 0), "public.orders", "1", ChangeKind.CREATED, null,
                Map.of("id", 1), Instant.now(), null);
    }
}
