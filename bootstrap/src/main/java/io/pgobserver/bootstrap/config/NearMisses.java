package io.pgobserver.bootstrap.config;

import io.pgobserver.domain.config.Spelling;

import java.util.Collection;
import java.util.Locale;

/**
 * Which key present in a mapping is a misspelling of a key a reader wanted: {@code entitty} for {@code entity},
 * {@code hots} for {@code host}, {@code action} for {@code actions}. A required key written wrong is otherwise
 * reported as missing, and the misspelt key, the actual mistake, is never named: the read stops before the check
 * for unknown keys.
 */
public final class NearMisses {

    private NearMisses() {
    }

    /**
     * " (where has entitty, which is no setting: write entity)" for the first of {@code wanted} a key of
     * {@code present} is a typo of, else "": the typo, not the missing key, is what the user has to fix.
     */
    static String hint(String where, Collection<String> wanted, Collection<String> present) {
        for (String name : wanted) {
            String near = of(name, present);
            if (near != null) {
                return " (" + where + " has " + near + ", which is no setting: write " + name + ")";
            }
        }
        return "";
    }

    /**
     * " (did you mean listener.batch_size?)" when {@code written}, a key or command nobody knows, is a typo of one of
     * {@code known}, else "". One rule for every place a name can be unknown: a core key, an adapter's key or
     * section, a command; {@code prefix} is what the name is written under ({@code "listener."}, or "").
     */
    public static String didYouMean(String written, Collection<String> known, String prefix) {
        String near = of(written, known);
        return near == null ? "" : " (did you mean " + prefix + near + "?)";
    }

    /**
     * The one of {@code present} nearest to {@code wanted} within a typo of it (one edit for short names, two else;
     * the first of equally near ones), or null.
     */
    public static String of(String wanted, Collection<String> present) {
        String target = normal(wanted);
        int allowed = target.length() <= 4 ? 1 : 2;
        String nearest = null;
        for (String key : present) {
            int edits = Spelling.edits(normal(key), target);
            if (!key.equals(wanted) && edits <= allowed) {
                nearest = key;
                allowed = edits - 1; // only a nearer one replaces it
            }
        }
        return nearest;
    }

    /** batchSize, batch-size and Batch_Size are one spelling: only the letters' choice and order count. */
    private static String normal(String key) {
        return key.replaceAll("([a-z])([A-Z])", "$1_$2").replace('-', '_').toLowerCase(Locale.ROOT);
    }
}
