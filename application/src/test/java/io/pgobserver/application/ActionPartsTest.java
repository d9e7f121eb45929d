package io.pgobserver.application;

import io.pgobserver.domain.port.DoneParts;
import io.pgobserver.domain.testing.InMemoryDeliveries;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ActionPartsTest {

    private static final List<String> RECIPIENTS = List.of("ops@example.com", "audit@example.com", "full@example.com");

    /** Another process running the delivery again (a dlq replay, a restart) finds the parts done before. */
    @Test
    void partsDoneByOneProcessAreDoneForTheNext() {
        InMemoryDeliveries log = new InMemoryDeliveries();
        new ActionParts("msg_1", 7, log).add(List.of("ops@example.com", "audit@example.com"));

        ActionParts next = new ActionParts("msg_1", 7, log);

        assertThat(next.of(RECIPIENTS)).containsExactlyInAnyOrder("ops@example.com", "audit@example.com");
        assertThat(new ActionParts("msg_2", 7, log).of(RECIPIENTS)).as("another delivery's").isEmpty();
        assertThat(log.isSettled("msg_1")).as("the action itself is not done").isFalse();
        assertThat(log.lookups()).isEqualTo(2);
        next.of(RECIPIENTS);
        assertThat(log.lookups()).as("each part is asked of the log once per run").isEqualTo(2);
    }

    /** Records name the delivery and a hash of the part: the log keeps no address. */
    @Test
    void theLogKeepsNoPartItself() {
        InMemoryDeliveries log = new InMemoryDeliveries();
        new ActionParts("msg_1", 7, log).add(List.of("ops@example.com"));

        assertThat(log.isSettled("msg_1/ops@example.com")).isFalse();
        assertThat(new ActionParts("msg_1", 7, null).of(RECIPIENTS)).as("without a log, another run knows nothing")
                .isEmpty();
    }

    /** A log that cannot say fails the attempt (to be retried) rather than guess; one that cannot write forgets. */
    @Test
    void aFailingLogIsNotGuessedAt() {
        InMemoryDeliveries log = new InMemoryDeliveries();
        ActionParts parts = new ActionParts("msg_1", 7, log);
        log.setFailing(true);

        parts.add(List.of("ops@example.com"));

        assertThat(parts.of(List.of("ops@example.com"))).as("this run still knows").containsExactly("ops@example.com");
        assertThatThrownBy(() -> parts.of(RECIPIENTS)).isInstanceOf(DoneParts.Unknown.class)
                .hasMessageContaining("the delivery log cannot say what a former attempt did");
        log.setFailing(false);
        assertThat(new ActionParts("msg_1", 7, log).of(RECIPIENTS)).as("not recorded").isEmpty();
    }
}
