package io.pgobserver.adapters.console;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a write did, kept here for the page the browser is sent to next (post, redirect, get), under a random id:
 * the redirect carries the id, never the text, so a link made elsewhere cannot put words on the console's pages.
 * The newest {@value #KEPT} are kept.
 */
final class Notices {

    static final int KEPT = 64;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One notice: its text, and whether anything asked for failed. */
    record Notice(String text, boolean failed) {
    }

    private final Map<String, Notice> kept = new LinkedHashMap<>(KEPT, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Notice> eldest) {
            return size() > KEPT;
        }
    };

    synchronized String put(Notice notice) {
        byte[] id = new byte[12];
        RANDOM.nextBytes(id);
        String key = HexFormat.of().formatHex(id);
        kept.put(key, notice);
        return key;
    }

    /** The notice of that id, or null (unknown, or long gone). */
    synchronized Notice get(String id) {
        return kept.get(id);
    }
}
