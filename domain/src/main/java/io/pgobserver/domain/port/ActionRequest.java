package io.pgobserver.domain.port;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.observer.ActionSpec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One attempt at one action for one event.
 *
 * @param event       the event
 * @param observer    the observer's name
 * @param action      the action's settings
 * @param actionIndex the action's index in the observer's list
 * @param attempt     1 for the first attempt
 * @param deliveryId  stable across retries and redeliveries of this event, observer and action
 *                    (the {@code webhook-id} header; see {@link DeliveryKey})
 * @param replay      true when {@code pg-observer replay} runs the event again: webhooks then carry
 *                    {@code webhook-replay: true}
 * @param doneParts   the parts of this delivery that former attempts did ({@link DoneParts#NONE}: none known)
 */
public record ActionRequest(ChangeEvent event, String observer, ActionSpec action, int actionIndex, int attempt,
                            String deliveryId, boolean replay, DoneParts doneParts) {

    public ActionRequest {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(observer, "observer");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(deliveryId, "deliveryId");
        Objects.requireNonNull(doneParts, "doneParts");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt starts at 1");
        }
    }

    /** An attempt that knows no part of the delivery done before. */
    public ActionRequest(ChangeEvent event, String observer, ActionSpec action, int actionIndex, int attempt,
                         String deliveryId, boolean replay) {
        this(event, observer, action, actionIndex, attempt, deliveryId, replay, DoneParts.NONE);
    }

    /** An attempt of the live stream (not a replay). */
    public ActionRequest(ChangeEvent event, String observer, ActionSpec action, int actionIndex, int attempt,
                         String deliveryId) {
        this(event, observer, action, actionIndex, attempt, deliveryId, false);
    }

    /**
     * What an action's templates see, whichever adapter renders them: {@code event} ({@code id},
     * {@code entity_type}, {@code entity_id}, {@code kind}, {@code occurred_at}), {@code before}, {@code after}
     * (empty maps when absent) and {@code observer}.
     */
    public Map<String, Object> templateContext() {
        Map<String, Object> context = new LinkedHashMap<>(8);
        context.put("event", event.fields());
        context.put("before", event.before());
        context.put("after", event.after());
        context.put("observer", observer);
        return context;
    }

}
