package io.pgobserver.application;

import io.pgobserver.domain.config.TracingSettings;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.port.ChangeHistory;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.testing.InMemoryDeadLetters;
import io.pgobserver.domain.testing.InMemoryDeliveries;
import io.pgobserver.domain.testing.RecordingTracer;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A replay's open end is fixed by the database's present (its clock, its newest id), never by this host's clock. */
class ReplayHistoryTest {

    /** Years before this host's clock: only the database's clock can make these ends lie in the future. */
    private static final Instant DATABASE_NOW = Instant.parse("2001-02-03T04:05:06.789123Z");

    private final ReplayHistory replay = new ReplayHistory(new Present(DATABASE_NOW, 120), processEvent());

    @Test
    void aToAfterTheDatabasesClockIsMovedToItThoughThisHostsClockIsLater() throws Exception {
        ReplayHistory.Plan plan = replay.plan(ChangeHistory.Stretch.between(Instant.parse("2001-02-03T04:00:00Z"),
                Instant.parse("2001-02-03T05:00:00Z")));

        Instant now = Instant.parse("2001-02-03T04:05:06.789Z");
        assertThat(plan.stretch()).isEqualTo(ChangeHistory.Stretch.between(Instant.parse("2001-02-03T04:00:00Z"),
                now));
        assertThat(plan.note()).contains("--to 2001-02-03T05:00:00Z is in the future; replaying up to now, " + now
                + ", the moment the replay started (events written after it are not replayed: a later replay can "
                + "start there)");
        assertThat(plan.endNote()).isEqualTo(", when the replay started");
    }

    @Test
    void aFromAfterTheDatabasesClockIsRefused() {
        assertThatThrownBy(() -> replay.plan(ChangeHistory.Stretch.between(Instant.parse("2001-02-03T05:00:00Z"),
                Instant.parse("2001-02-03T06:00:00Z"))))
                .isInstanceOf(ReplayHistory.Refused.class)
                .hasMessage("--from 2001-02-03T05:00:00Z is in the future (it is now 2001-02-03T04:05:06.789Z): "
                        + "nothing is recorded there yet; give a stretch that has begun");
    }

    @Test
    void aToPositionPastTheNewestIdIsMovedToItAndSaidTheSameWay() throws Exception {
        ReplayHistory.Plan plan = replay.plan(ChangeHistory.Stretch.positions(100, 5000));

        assertThat(plan.stretch()).isEqualTo(ChangeHistory.Stretch.positions(100, 120));
        assertThat(plan.note()).contains("--to-position 5000 is past the newest change_log id; replaying up to the "
                + "newest, 120, when the replay started (events written after it are not replayed: a later replay "
                + "can start there)");
        assertThat(plan.endNote()).isEqualTo(", the newest when the replay started");
    }

    @Test
    void aFromPositionPastTheNewestIdIsRefused() {
        assertThatThrownBy(() -> replay.plan(ChangeHistory.Stretch.positions(121, 130)))
                .isInstanceOf(ReplayHistory.Refused.class)
                .hasMessage("--from-position 121 is past the newest change_log id (it is 120): nothing is recorded "
                        + "there yet; give a stretch that has begun");
        assertThatThrownBy(() -> new ReplayHistory(new Present(DATABASE_NOW, 0), processEvent())
                .plan(ChangeHistory.Stretch.positions(1, 2)))
                .hasMessageContaining("(none is recorded yet)");
    }

    @Test
    void aStretchThatHasEndedIsReplayedAsAsked() throws Exception {
        ChangeHistory.Stretch byTime = ChangeHistory.Stretch.between(Instant.parse("2001-02-03T04:00:00Z"),
                Instant.parse("2001-02-03T04:05:00Z"));
        ChangeHistory.Stretch byPosition = ChangeHistory.Stretch.positions(1, 120);
        assertThat(replay.plan(byTime)).isEqualTo(new ReplayHistory.Plan(byTime, Optional.empty(), ""));
        assertThat(replay.plan(byPosition)).isEqualTo(new ReplayHistory.Plan(byPosition, Optional.empty(), ""));
    }

    private static ProcessEvent processEvent() {
        RecordingTracer tracer = new RecordingTracer();
        InMemoryDeliveries deliveries = new InMemoryDeliveries();
        return new ProcessEvent("test", tracer, tracer, TracingSettings.defaults(), List.of(),
                new ActionExecutors(List.of()), new InMemoryDeadLetters(deliveries), deliveries, Metrics.NOOP,
                duration -> { }, () -> 0.5, Clock.systemUTC());
    }

    /** A change history that holds nothing, at a fixed present. */
    private record Present(Instant now, long newestId) implements ChangeHistory {
        @Override
        public ChangeHistory.Present present() {
            return new ChangeHistory.Present(now, newestId);
        }

        @Override
        public List<ChangeEvent> read(Stretch stretch, String entityType, long afterId, int limit) {
            return List.of();
        }

        @Override
        public Optional<String> removedPart(Stretch stretch) {
            return Optional.empty();
        }
    }
}
