package io.pgobserver.adapters.console;

import io.pgobserver.domain.spi.AdminRoute;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * Who may write (replay, discard). Three checks, all needed: the console has a token at all (without
 * {@code console.token} it is read-only); the request comes from the console's own pages (a browser's
 * {@code Sec-Fetch-Site} and {@code Origin} say so, and a form posted from another site is refused even when it
 * carries the token); and it carries the operator token, in the {@code X-Console-Token} header or the form's
 * {@code token} field, compared in constant time. A script outside a browser (curl) sends neither header and
 * needs the token alone.
 */
final class WriteGuard {

    static final String TOKEN_HEADER = "x-console-token";

    private final ConsoleSettings settings;

    WriteGuard(ConsoleSettings settings) {
        this.settings = settings;
    }

    /** Why the write is refused, or null when it may go ahead. */
    String refusal(AdminRoute.Request request, Form form) {
        if (!settings.writable()) {
            return "The console is read-only: set console.token (or CONSOLE_TOKEN) to replay and discard here.";
        }
        String site = request.header("sec-fetch-site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            return "Refused: the request came from another site (" + site + ").";
        }
        String origin = request.header("origin");
        if (origin != null && !sameOrigin(origin, request.header("host"))) {
            return "Refused: the request came from another origin.";
        }
        String given = request.header(TOKEN_HEADER);
        if (given == null || given.isEmpty()) {
            given = form.get("token");
        }
        byte[] expected = settings.token().reveal().getBytes(StandardCharsets.UTF_8);
        if (given.isEmpty() || !MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
            return "Refused: the operator token is missing or wrong.";
        }
        return null;
    }

    /** The admin port speaks plain HTTP: its own origin is {@code http://} and the Host it was asked by. */
    private static boolean sameOrigin(String origin, String host) {
        if (host == null || origin.equals("null")) {
            return false;
        }
        try {
            URI uri = URI.create(origin);
            String authority = uri.getRawAuthority();
            return "http".equals(uri.getScheme()) && authority != null
                    && authority.toLowerCase(Locale.ROOT).equals(host.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
