package io.pgobserver.bootstrap.config;

import io.pgobserver.domain.observer.Urls;
import io.pgobserver.domain.spi.ActionType;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An action's stable key: its {@code id:}, else {@code h} and 16 hex digits of a SHA-256 over its settings but its
 * secrets. Delivery records and {@code webhook-id} use it, so inserting or reordering actions never makes one action
 * pass for another, and neither does rotating a secret: a delivery recorded before the rotation is found after it,
 * and its receiver sees the same {@code webhook-id}. Changing any other setting of an action without an id gives it
 * a new key (set one to keep it across edits).
 */
final class ActionKeys {

    private static final Pattern ACTION_ID = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

    private ActionKeys() {
    }

    /** The key of {@code action}, of {@code type}; {@code earlier} holds those of the observer's actions before it. */
    static String of(Node action, ActionType<?> type, List<String> earlier) {
        String id = action.string("id", null);
        String key;
        if (id != null) {
            if (!ACTION_ID.matcher(id).matches()) {
                throw new ConfigException(action.key("id") + " '" + id
                        + "' must be 1-64 letters, digits, '_', '-' or '.'");
            }
            key = id;
        } else {
            key = "h" + HexFormat.of().formatHex(sha256(settings(action, type)), 0, 8);
        }
        if (earlier.contains(key)) {
            throw new ConfigException(action.path() + ": " + (id != null ? "id '" + id + "' is used by another action"
                    : "an action with the same settings (its secrets aside) is listed twice") + " of this observer;"
                    + " give each a distinct id:");
        }
        return key;
    }

    /**
     * The action's mapping rendered canonically, without what its type calls secrets and without the credentials of
     * its URLs: an action without any renders as it always did, so its key outlives the upgrade that left them out.
     */
    static String settings(Node action, ActionType<?> type) {
        return action.canonical(type.secretKeys(), Urls::withoutCredentials);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
