package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.contract.DeadLettersContract;
import io.pgobserver.domain.port.DeadLetters;
import io.pgobserver.domain.port.Deliveries;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLettersIT extends DeadLettersContract {

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    /** The claims of the stores made here, stopped after each test: none leaves a free claim session to the next. */
    private final List<ReplayClaims> claims = new ArrayList<>();

    @Override
    protected DeadLetters newStore() {
        DB.execute("truncate pgobserver.dead_letters restart identity", "truncate pgobserver.deliveries");
        return store(new ReplayClaims(DB.database()));
    }

    private DeadLetters store(ReplayClaims replayClaims) {
        claims.add(replayClaims);
        return new JdbiDeadLetters(DB.database(), replayClaims);
    }

    @AfterEach
    void stopClaims() {
        claims.forEach(ReplayClaims::stop);
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

    /**
     * A replay of the whole queue claims its letters one after another: on one session, not a session (a connection,
     * a TLS handshake against a remote database) per letter. Each claim is still the lock of a session, which names
     * its holder since that claim, not since the session began.
     */
    @Test
    void aReplayOfManyLettersClaimsThemOnOneSession() throws Exception {
        DeadLetters store = newStore();
        Set<String> sessions = new HashSet<>();
        List<Instant> since = new ArrayList<>();
        try (Connection admin = TestPostgres.connect(DB.settings())) {
            for (long id = 1; id <= 300; id++) {
                try (DeadLetters.Claim claim = store.claim(id).orElseThrow()) {
                    sessions.add(claimSession(admin, id).orElseThrow());
                    since.add(store.claimHolder(id).orElseThrow().since());
                }
            }
        }
        assertThat(sessions).as("the claim sessions (pid and start) of 300 claims in turn").hasSize(1);
        assertThat(since).isSorted();
        assertThat(since.getLast()).as("the last claim's holder since").isAfter(since.getFirst());
    }

    /**
     * Two replays of one process (two console clicks) claiming one letter at once: one gets it, the other not, for
     * advisory locks are re-entrant within a session and the two never share one.
     */
    @Test
    void twoThreadsOfOneProcessNeverBothHoldALetter() throws Exception {
        DeadLetters store = newStore();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            for (long id = 1; id <= 20; id++) {
                long letter = id;
                CyclicBarrier together = new CyclicBarrier(2);
                List<CompletableFuture<Optional<DeadLetters.Claim>>> claims = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    claims.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            together.await(30, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        return store.claim(letter);
                    }, threads));
                }
                List<DeadLetters.Claim> held = new ArrayList<>();
                for (CompletableFuture<Optional<DeadLetters.Claim>> claim : claims) {
                    claim.get(30, TimeUnit.SECONDS).ifPresent(held::add);
                }
                assertThat(held).as("claims of letter " + letter + " held at once").hasSize(1);
                // Held by one thread, refused to another of the process.
                assertThat(CompletableFuture.supplyAsync(() -> store.claim(letter), threads).get(30, TimeUnit.SECONDS))
                        .isEmpty();
                held.getFirst().close();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    /**
     * A claim session kept between claims can end meanwhile (an administrator's terminate, a network cut): the next
     * claim notices, and holds the letter on a live session, not on the ended one.
     */
    @Test
    void aClaimSessionEndedBetweenClaimsIsNotTakenForAHeldClaim() throws Exception {
        DeadLetters store = newStore();
        try (Connection admin = TestPostgres.connect(DB.settings())) {
            String ended;
            try (DeadLetters.Claim first = store.claim(5).orElseThrow()) {
                ended = claimSession(admin, 5).orElseThrow();
            }
            int pid = pid(ended);
            try (PreparedStatement terminate = admin.prepareStatement("select pg_terminate_backend(?)")) {
                terminate.setInt(1, pid);
                terminate.execute();
            }
            assertThat(sessionsLeft(admin, Set.of(pid), 0)).as("the terminated session").isZero();
            try (DeadLetters.Claim again = store.claim(5).orElseThrow()) {
                assertThat(claimSession(admin, 5)).as("the session holding it").isPresent().get().isNotEqualTo(ended);
                assertThat(store.claim(5)).isEmpty();
            }
            assertThat(claimSession(admin, 5)).isEmpty();
        }
    }

    /**
     * Claims that ran at once leave one free session once released, not one each: a process serving the console,
     * where replays may overlap, keeps one idle claim session at most. The one left serves the next claim.
     */
    @Test
    void claimsHeldAtOnceLeaveOneFreeSessionOnceReleased() throws Exception {
        DeadLetters store = newStore();
        try (Connection admin = TestPostgres.connect(DB.settings())) {
            DeadLetters.Claim first = store.claim(1).orElseThrow();
            DeadLetters.Claim second = store.claim(2).orElseThrow();
            Set<Integer> sessions = Set.of(pid(claimSession(admin, 1).orElseThrow()),
                    pid(claimSession(admin, 2).orElseThrow()));
            assertThat(sessions).as("the sessions of two claims held at once").hasSize(2);
            first.close();
            second.close();
            assertThat(sessionsLeft(admin, sessions, 1)).as("their sessions left once both released").isEqualTo(1);
            try (DeadLetters.Claim third = store.claim(3).orElseThrow()) {
                assertThat(sessions).contains(pid(claimSession(admin, 3).orElseThrow()));
            }
        }
    }

    /**
     * The adapter's stop closes the free claim session, and leaves a claim held meanwhile to its replay: the letter
     * stays claimed until released, and its session then closes rather than wait free for a claim that will not
     * come. No claim session of this process is left.
     */
    @Test
    void theStopClosesTheFreeClaimSessionAndAHeldOneWithItsRelease() throws Exception {
        ReplayClaims stopping = new ReplayClaims(DB.database());
        DeadLetters store = store(stopping);
        try (Connection admin = TestPostgres.connect(DB.settings())) {
            int heldSession;
            try (DeadLetters.Claim held = store.claim(7).orElseThrow()) {
                heldSession = pid(claimSession(admin, 7).orElseThrow());
                int freeSession;
                try (DeadLetters.Claim released = store.claim(8).orElseThrow()) {
                    freeSession = pid(claimSession(admin, 8).orElseThrow());
                }
                stopping.stop();
                assertThat(sessionsLeft(admin, Set.of(freeSession), 0)).as("the free session after the stop").isZero();
                assertThat(claimSession(admin, 7)).as("the held claim's session after the stop").isPresent()
                        .get().matches(session -> pid(session) == heldSession);
            }
            assertThat(sessionsLeft(admin, Set.of(heldSession), 0)).as("the held session once released").isZero();
            assertThat(await(0, () -> count(admin, "select count(*) from pg_stat_activity where datname = "
                    + "current_database() and application_name = 'pg-observer replay " + ProcessName.CURRENT + "'")))
                    .as("claim sessions of this process, every store here stopped").isZero();
        }
    }

    /** A free claim session unused for a while is closed: the next claim opens another. */
    @Test
    void aFreeClaimSessionUnusedForAWhileIsClosed() throws Exception {
        DeadLetters store = store(new ReplayClaims(DB.database(), Duration.ofMillis(200)));
        try (Connection admin = TestPostgres.connect(DB.settings())) {
            int unused;
            try (DeadLetters.Claim claim = store.claim(9).orElseThrow()) {
                unused = pid(claimSession(admin, 9).orElseThrow());
            }
            assertThat(sessionsLeft(admin, Set.of(unused), 0)).as("the free session once unused").isZero();
            try (DeadLetters.Claim again = store.claim(9).orElseThrow()) {
                assertThat(pid(claimSession(admin, 9).orElseThrow())).isNotEqualTo(unused);
            }
        }
    }

    /** How many of the sessions ({@code pids}) are left: polled until {@code expected} or 30 s have passed. */
    private static long sessionsLeft(Connection admin, Set<Integer> pids, long expected) throws Exception {
        String any = pids.stream().map(String::valueOf).reduce((a, b) -> a + ", " + b).orElseThrow();
        return await(expected, () -> count(admin, "select count(*) from pg_stat_activity where pid in (" + any + ")"));
    }

    /** The count, polled until {@code expected} or 30 s have passed: the server ends a session after its client. */
    private static long await(long expected, Callable<Long> count) throws Exception {
        long now = count.call();
        for (long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
             now != expected && System.nanoTime() < deadline; now = count.call()) {
            Thread.sleep(50);
        }
        return now;
    }

    private static long count(Connection admin, String sql) throws Exception {
        try (Statement statement = admin.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static int pid(String session) {
        return Integer.parseInt(session.substring(0, session.indexOf(' ')));
    }

    /** The session holding letter {@code id}'s claim as its backend pid and start. */
    private static Optional<String> claimSession(Connection admin, long id) throws Exception {
        try (PreparedStatement holder = admin.prepareStatement("select l.pid, a.backend_start from pg_locks l join "
                + "pg_stat_activity a on a.pid = l.pid where l.locktype = 'advisory' and l.objsubid = 2 and l.granted "
                + "and l.objid = ? and l.classid::bigint = (hashtext(?)::bigint & 4294967295)")) {
            holder.setLong(1, id);
            holder.setString(2, ReplayClaims.KEY);
            try (ResultSet rs = holder.executeQuery()) {
                return rs.next() ? Optional.of(rs.getInt(1) + " " + rs.getString(2)) : Optional.empty();
            }
        }
    }
}
