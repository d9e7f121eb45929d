package io.pgobserver.domain.port;

import io.pgobserver.domain.event.ChangeEvent;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What identifies one action of one observer for one event of one consumer: the key of delivery records, and
 * the {@code webhook-id} a receiver de-duplicates on. The event is its change_log row and that row's
 * {@code event_id}: two rows that share an {@code event_id} are two events, and the same change_log id in another
 * database (or in this one, re-created) is another event, which a receiver fed by both must not drop as a
 * duplicate. The action is its stable key (its {@code id:}, else a hash of its settings but its secrets), so
 * reordering or inserting actions, or rotating a secret, does not shift it; the consumer keeps two deployments that
 * watch the same table apart.
 *
 * @param consumer  the consumer name
 * @param offset    the event's change_log id
 * @param eventId   the event's {@code event_id} (a UUID unless an outbox writer chose it)
 * @param observer  the observer's name
 * @param actionKey the action's stable key, or {@link #CONDITION} for the observer's condition
 */
public record DeliveryKey(String consumer, long offset, String eventId, String observer, String actionKey) {

    /** The action key under which a failed condition is dead-lettered. */
    public static final String CONDITION = "condition";

    public DeliveryKey {
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(observer, "observer");
        Objects.requireNonNull(actionKey, "actionKey");
    }

    /** The key of {@code event}'s action {@code actionKey} of {@code observer}, for {@code consumer}. */
    public static DeliveryKey of(String consumer, ChangeEvent event, String observer, String actionKey) {
        return new DeliveryKey(consumer, event.position().offset(), event.id(), observer, actionKey);
    }

    /**
     * The delivery id: {@code msg_} and 32 hex digits of a SHA-256 over the five parts. Fixed length, and free of
     * the parts themselves (a consumer or observer name says nothing to a receiver).
     */
    public String id() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((consumer + '\u0000' + offset + '\u0000' + eventId + '\u0000' + observer + '\u0000'
                    + actionKey).getBytes(StandardCharsets.UTF_8));
            return "msg_" + HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
