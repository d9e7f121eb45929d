package io.pgobserver.adapters.email;

import jakarta.mail.Address;
import jakarta.mail.internet.InternetAddress;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AcceptedRecipientsTest {

    private static Address[] addresses(String... addresses) throws Exception {
        Address[] out = new Address[addresses.length];
        for (int i = 0; i < addresses.length; i++) {
            out[i] = new InternetAddress(addresses[i]);
        }
        return out;
    }

    @Test
    void aRetryGoesOnlyToTheRecipientsNotReachedYetWhateverTheirCase() throws Exception {
        AcceptedRecipients accepted = new AcceptedRecipients();
        Address[] all = addresses("Ops <ops@example.com>", "bad@example.com");

        accepted.took("d1", addresses("OPS@Example.com"));

        assertThat(accepted.remaining("d1", all)).containsExactly(addresses("bad@example.com"));
        assertThat(accepted.remaining("d2", all)).as("another delivery").isEqualTo(all);
        accepted.done("d1");
        assertThat(accepted.remaining("d1", all)).as("a new delivery under a finished id").isEqualTo(all);
    }

    @Test
    void theOldestUnfinishedDeliveryIsForgottenPastTheBound() throws Exception {
        AcceptedRecipients accepted = new AcceptedRecipients();
        Address[] ops = addresses("ops@example.com");
        for (int i = 0; i <= AcceptedRecipients.MAX_DELIVERIES; i++) {
            accepted.took("d" + i, ops);
        }
        assertThat(accepted.remaining("d0", ops)).as("forgotten: sent again").isEqualTo(ops);
        assertThat(accepted.remaining("d1", ops)).isEmpty();
    }
}
