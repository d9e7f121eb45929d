package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.contract.DeadLettersContract;
import io.pgobserver.domain.port.DeadLetters;
import io.pgobserver.domain.port.Deliveries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLettersIT extends DeadLettersContract {

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    @Override
    protected DeadLetters newStore() {
        DB.execute("truncate pgobserver.dead_letters restart identity", "truncate pgobserver.deliveries");
        return new JdbiDeadLetters(DB.database());
    }

    @Override
    protected Deliveries deliveries() {
        return new JdbiDeliveries(DB.database(), TestPostgres.listener("it", Duration.ofSeconds(1)));
    }

    /**
     * A replay that dies holding a claim ({@code kill -9}, a lost connection) leaves none behind: PostgreSQL ends the
     * claim with its session, here terminated as an administrator would. Meanwhile the claim names its holder.
     */
    @Test
    void aClaimEndsWithItsSessionAndNamesItsHolderMeanwhile() throws Exception {
        DeadLetters store = newStore();
        Instant before = Instant.now().minusSeconds(1);
        DeadLetters.Claim dying = store.claim(42).orElseThrow();
        assertThat(store.claim(42)).isEmpty();
        DeadLetters.ClaimHolder holder = store.claimHolder(42).orElseThrow();
        assertThat(holder.process()).isEqualTo("pg-observer process " + ProcessName.CURRENT);
        assertThat(holder.since()).isAfter(before);

        try (Connection admin = TestPostgres.connect(DB.settings()); Statement statement = admin.createStatement();
             ResultSet rs = statement.executeQuery("select pg_terminate_backend(pid) from pg_locks where locktype = "
                     + "'advisory' and objsubid = 2 and objid = 42 and classid::bigint = (hashtext('"
                     + ReplayClaims.KEY + "')::bigint & 4294967295)")) {
            assertThat(rs.next()).as("the claim's session").isTrue();
            assertThat(rs.getBoolean(1)).isTrue();
        }
        Optional<DeadLetters.Claim> again = Optional.empty();
        for (long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
             again.isEmpty() && System.nanoTime() < deadline; Thread.sleep(50)) {
            again = store.claim(42);
        }
        assertThat(again).as("claimed again once the holder's session ended").isPresent();
        assertThat(store.claimHolder(42)).isPresent();
        dying.close(); // its session is gone already: nothing to do, and the new claim stays
        assertThat(store.claim(42)).isEmpty();
        again.get().close();
        assertThat(store.claimHolder(42)).isEmpty();
    }

    /**
     * The claims' keys are apart from the other advisory locks of pg-observer: the consumer's leadership lock (one
     * bigint key) and the backfills' (two keys, their own first key).
     */
    @Test
    void theClaimsKeysAreApartFromTheOtherLocks() throws Exception {
        try (Connection admin = TestPostgres.connect(DB.settings()); Statement statement = admin.createStatement();
             ResultSet rs = statement.executeQuery("select count(distinct k) from (values (hashtext('"
                     + ReplayClaims.KEY + "')), (hashtext('pgobserver.backfill')), "
                     + "(hashtext('pgobserver.backfill.attended'))) keys(k)")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(3);
        }
        DeadLetters store = newStore();
        long leaderKey = AdvisoryLockLeadership.lockKey("default");
        try (Connection other = TestPostgres.connect(DB.settings()); Statement statement = other.createStatement()) {
            statement.execute("select pg_advisory_lock(" + leaderKey + ")");
            statement.execute("select pg_advisory_lock(hashtext('pgobserver.backfill'), " + (int) leaderKey + ")");
            try (DeadLetters.Claim claim = store.claim(leaderKey).orElseThrow()) {
                assertThat(claim).isNotNull();
            }
        }
    }
}
