package io.pgobserver.domain.port;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.observer.Urls;

import java.time.Instant;
import java.util.Objects;

/**
 * An action that could not be done: retries ran out, the failure was permanent, or the condition failed on
 * the event. Keeps the event and its trace context, so a replay runs it again and links to the original trace.
 *
 * @param id          the store's id; 0 before it is stored
 * @param consumer    the consumer that gave up on it: {@code dlq} commands act on their own consumer's letters
 * @param event       the event
 * @param observer    the observer's name
 * @param actionIndex the action's index in the observer's list when it failed (for people); -1 for the condition
 * @param actionKey   the action's stable key (what a replay looks the action up by), or
 *                    {@link DeliveryKey#CONDITION}
 * @param actionType  webhook, slack, email, or {@code condition}
 * @param error       what went wrong, free of secrets
 * @param attempts    how many attempts were made
 * @param failedAt    when it was given up
 */
public record DeadLetter(long id, String consumer, ChangeEvent event, String observer, int actionIndex,
                         String actionKey, String actionType, String error, int attempts, Instant failedAt) {

    /**
     * The observer name of the letters a change source files for rows it cannot read as events: not an observer's
     * action, so a replay cannot run them.
     */
    public static final String UNREADABLE_ROW = "(listener)";

    /** The longest error text kept: a receiver's whole error page says nothing the first part does not. */
    public static final int MAX_ERROR_LENGTH = 2000;

    public DeadLetter {
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(observer, "observer");
        Objects.requireNonNull(actionKey, "actionKey");
        Objects.requireNonNull(actionType, "actionType");
        error = storable(error);
        Objects.requireNonNull(failedAt, "failedAt");
    }

    /** The delivery record this letter settles: a redelivered event does not dead-letter the action twice. */
    public DeliveryKey deliveryKey() {
        return DeliveryKey.of(consumer, event, observer, actionKey);
    }

    public DeadLetter withId(long newId) {
        return new DeadLetter(newId, consumer, event, observer, actionIndex, actionKey, actionType, error, attempts,
                failedAt);
    }

    /**
     * The error as any text column stores it, credentials in URLs and {@code password=}-style values masked; NUL characters (which PostgreSQL's text refuses, and which a
     * receiver's error body may hold) and other control characters but tab and newline become U+FFFD, and the
     * text is cut to {@link #MAX_ERROR_LENGTH}. A letter that cannot be stored would stop its event forever.
     */
    static String storable(String error) {
        if (error == null) {
            return "";
        }
        String safe = Urls.redactIn(error); // failures of the pipeline itself (a condition's, say) come unvetted
        String cut = safe.length() > MAX_ERROR_LENGTH ? safe.substring(0, MAX_ERROR_LENGTH) + "…" : safe;
        StringBuilder out = null;
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            boolean bad = (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f || Character.isSurrogate(c)
                    && !validSurrogate(cut, i);
            if (bad) {
                if (out == null) {
                    out = new StringBuilder(cut.length()).append(cut, 0, i);
                }
                out.append('\uFFFD');
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? cut : out.toString();
    }

    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
