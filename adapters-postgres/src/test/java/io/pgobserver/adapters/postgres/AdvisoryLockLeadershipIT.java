package io.pgobserver.adapters.postgres;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

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
    void lockKeysAreStableAndNonNegative() {
        assertThat(AdvisoryLockLeadership.lockKey("orders")).isEqualTo(AdvisoryLockLeadership.lockKey("orders"))
                .isNotEqualTo(AdvisoryLockLeadership.lockKey("orders2")).isNotNegative();
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
