package io.pgobserver.adapters.email;

import jakarta.mail.Address;
import jakarta.mail.internet.InternetAddress;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The recipients the server already took a delivery's mail for, so that a retry after some were deferred goes to
 * the others only and nobody gets the mail twice. Kept in memory for the last {@value #MAX_DELIVERIES} deliveries
 * that were not finished: a delivery retried by another process (a {@code dlq replay}) sends to every recipient
 * again, with the same {@code Message-ID}.
 */
final class AcceptedRecipients {

    /** Enough for every delivery in flight with room to spare; one entry is a few addresses. */
    static final int MAX_DELIVERIES = 10_000;

    /** Not a monitor: mails are sent from virtual threads, which a monitor would pin (as the other mail classes). */
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Set<String>> byDelivery = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Set<String>> eldest) {
            return size() > MAX_DELIVERIES;
        }
    };

    /** Of {@code recipients}, those the server has not taken the delivery's mail for yet. */
    Address[] remaining(String deliveryId, Address[] recipients) {
        lock.lock();
        try {
            Set<String> accepted = byDelivery.get(deliveryId);
            if (accepted == null) {
                return recipients;
            }
            return Arrays.stream(recipients).filter(r -> !accepted.contains(key(r))).toArray(Address[]::new);
        } finally {
            lock.unlock();
        }
    }

    /** Notes that the server took the delivery's mail for {@code recipients}. */
    void took(String deliveryId, Address[] recipients) {
        if (recipients == null || recipients.length == 0) {
            return;
        }
        lock.lock();
        try {
            Set<String> accepted = byDelivery.computeIfAbsent(deliveryId, id -> new HashSet<>());
            Arrays.stream(recipients).map(AcceptedRecipients::key).forEach(accepted::add);
        } finally {
            lock.unlock();
        }
    }

    /** The delivery is done: every recipient has the mail. */
    void done(String deliveryId) {
        lock.lock();
        try {
            byDelivery.remove(deliveryId);
        } finally {
            lock.unlock();
        }
    }

    /** Mail systems compare addresses without regard to case. */
    private static String key(Address address) {
        String text = address instanceof InternetAddress internet ? internet.getAddress() : address.toString();
        return text.toLowerCase(Locale.ROOT);
    }
}
