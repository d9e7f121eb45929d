package io.pgobserver.adapters.postgres;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pgobserver.domain.contract.LeadershipContract;
import io.pgobserver.domain.port.Leadership;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The advisory lock keeps the leadership contract; a session terminated by an administrator loses it. */
class AdvisoryLockLeadershipIT extends LeadershipContract {

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    private static AdvisoryLockLeadership leadership(String consumer) {
        return new AdvisoryLockLeadership(DB.database(), TestPostgres.listener(consumer, Duration.ofSeconds(1)));
    }

    @Override
    protected Leadership newContender() {
        return leadership("orders");
    }

    /** Terminates the backend that holds the consumer's lock in this database, as an administrator would. */
    @Override
    protected void loseSession(Leadership holder) {
        long key = AdvisoryLockLeadership.lockKey("orders");
        try (Connection connection = TestPostgres.connect(DB.settings());
             PreparedStatement terminate = connection.prepareStatement("""
                     select count(pg_terminate_backend(pid)) from pg_locks
                      where locktype = 'advisory' and granted and objsubid = 1
                        and database = (select oid from pg_database where datname = current_database())
                        and classid::bigint = (? >> 32) and objid::bigint = (? & 4294967295)
                     """)) {
            terminate.setLong(1, key);
            terminate.setLong(2, key);
            try (ResultSet rs = terminate.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).as("sessions holding the lock").isEqualTo(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** With PostgreSQL out of reach the log says so, not that another process is active: none need be. */
    @Test
    void anUnreachableServerIsNotReportedAsAnotherActiveProcess() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(AdvisoryLockLeadership.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        AdvisoryLockLeadership unreachable = new AdvisoryLockLeadership(new Database(new DatabaseSettings(
                "jdbc:postgresql://localhost:" + closedPort + "/postgres", "postgres", null)),
                TestPostgres.listener("unreachable", Duration.ofSeconds(1)));
        AdvisoryLockLeadership holder = leadership("standing-by");
        AdvisoryLockLeadership standby = leadership("standing-by");
        try {
            assertThat(unreachable.acquire(Duration.ofMillis(700))).isFalse();
            assertThat(holder.acquire(Duration.ofSeconds(30))).isTrue();
            assertThat(standby.acquire(Duration.ofMillis(700))).isFalse();
        } finally {
            logger.detachAppender(log);
            unreachable.release();
            holder.release();
            standby.release();
        }
        List<String> lines = log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines).filteredOn(line -> line.contains("'unreachable'"))
                .anyMatch(line -> line.startsWith("Cannot reach PostgreSQL"))
                .noneMatch(line -> line.startsWith("Standing by"));
        assertThat(lines).as("a lock refused by the server is another process's")
                .contains("Standing by: another process is the active listener for consumer 'standing-by'");
    }

    /** The holder and its standbys, each by its lock session; another consumer's sessions are not listed. */
    @Test
    void membersAreTheHolderAndItsStandbys() throws Exception {
        AdvisoryLockLeadership first = leadership("members");
        AdvisoryLockLeadership second = leadership("members");
        AdvisoryLockLeadership other = leadership("not-members");
        try {
            assertThat(first.acquire(Duration.ofSeconds(30))).isTrue();
            assertThat(second.acquire(Duration.ZERO)).isFalse();
            assertThat(other.acquire(Duration.ofSeconds(30))).isTrue();

            assertThat(first.members()).extracting(Leadership.Member::holder).containsExactly(true, false);
            assertThat(first.members()).allSatisfy(m -> {
                assertThat(m.process()).isEqualTo(ProcessName.CURRENT);
                assertThat(m.connectedAt()).isNotNull();
            });
        } finally {
            first.release();
            second.release();
            other.release();
        }
    }

    @Test
    void consumersAreIndependent() throws Exception {
        AdvisoryLockLeadership billing = leadership("billing");
        AdvisoryLockLeadership shipping = leadership("shipping");
        try {
            assertThat(billing.acquire(Duration.ofSeconds(30))).isTrue();
            assertThat(shipping.acquire(Duration.ofSeconds(30))).isTrue();
        } finally {
            billing.release();
            shipping.release();
        }
    }

    /** The same consumer name observed in another database of the cluster is another leader, not ours. */
    @Test
    void aHolderInAnotherDatabaseOfTheClusterIsNotThisDatabasesLeader() throws Exception {
        DatabaseSettings elsewhere = TestPostgres.newDatabase();
        try (Connection other = TestPostgres.connect(elsewhere); Statement statement = other.createStatement()) {
            statement.execute("select pg_advisory_lock(" + AdvisoryLockLeadership.lockKey("audit") + ")");
            AdvisoryLockLeadership here = leadership("audit");
            try {
                assertThat(here.isHeldByAnyone()).isFalse();
                assertThat(here.acquire(Duration.ofSeconds(30))).isTrue();
                assertThat(here.isHeldByAnyone()).isTrue();
                assertThat(here.isHeld()).isTrue();
            } finally {
                here.release();
            }
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
}
