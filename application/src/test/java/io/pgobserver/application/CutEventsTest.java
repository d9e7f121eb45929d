package io.pgobserver.application;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.event.Position;
import io.pgobserver.domain.trace.TraceContext;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

class CutEventsTest {

    private static ChangeEvent event(long id) {
        return new ChangeEvent("e-" + id, new Position(9, id), "public.orders", Long.toString(id % 3),
                ChangeKind.UPDATED, Map.of(), Map.of(), Instant.now(), TraceContext.NONE);
    }

    @Test
    void namesEachEventByRowAndChangeLogIdOldestFirst() {
        assertThat(CutEvents.named(List.of(event(514), event(512))))
                .isEqualTo("2 events (public.orders 2 at change_log id 512, public.orders 1 at change_log id 514)");
        assertThat(CutEvents.named(List.of(event(7)))).isEqualTo("1 event (public.orders 1 at change_log id 7)");
    }

    @Test
    void aStopWithEveryPlaceHeldNamesTheFirstFewAndCountsTheRest() {
        List<ChangeEvent> many = LongStream.iterate(256, id -> id > 0, id -> id - 1).mapToObj(CutEventsTest::event)
                .toList();
        assertThat(CutEvents.named(many)).startsWith("256 events (public.orders 1 at change_log id 1, ")
                .endsWith("public.orders 2 at change_log id 5 and 251 more)");
    }

    @Test
    void saysThemWhenTheRunningEventsAreNotKnown() {
        assertThat(CutEvents.named(List.of())).isEqualTo("them");
    }

    @Test
    void aStopCallsItselfCleanOnlyWhenItLeftNothingCutAndNothingOnItsWayToParking() {
        assertThat(CutEvents.stopped(0, 0, 0)).isEqualTo("stopped cleanly");
        assertThat(CutEvents.stopped(3, 0, 0)).isEqualTo("stopped with 3 events cut, left for the next holder,");
        assertThat(CutEvents.stopped(0, 0, 1))
                .isEqualTo("stopped with 1 event on its way to parking, left for the next holder,");
        assertThat(CutEvents.stopped(1, 0, 4))
                .isEqualTo("stopped with 1 event cut and 4 events on their way to parking, left for the next holder,");
        // A slow receiver's read timeout as the stop waited: the attempt failed, and no retry comes at a stop.
        assertThat(CutEvents.stopped(0, 8, 0)).isEqualTo("stopped with 8 events not done (an attempt failed, and a "
                + "stop retries nothing), left for the next holder,");
    }
}
