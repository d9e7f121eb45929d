package io.pgobserver.domain.observer;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** URLs as they may be shown: without user info, query or fragment, which can carry secrets. */
public final class Urls {

    private static final Pattern URL_IN_TEXT = Pattern.compile("\\b[A-Za-z][A-Za-z0-9+.-]*://[^\\s\"'<>]+");
    // An Authorization value's scheme (Bearer, Basic) is kept and what follows it masked: the scheme says nothing.
    private static final Pattern SECRET_PAIR = Pattern.compile("(?i)\\b(password|passwd|pwd|token|secret|api[-_]?key"
            + "|authorization)(\\s*[=:]\\s*)((?:bearer|basic|digest|token)\\s+)?([^\\s,;&]+)");

    private Urls() {
    }

    /**
     * Free text (an exception's message) with every URL {@linkplain #redact(String) redacted} and the values of
     * {@code password=}, {@code token:} and the like masked: for places that show messages nobody vetted.
     */
    public static String redactIn(String text) {
        if (text == null) {
            return null;
        }
        Matcher urls = URL_IN_TEXT.matcher(text);
        StringBuilder out = new StringBuilder();
        while (urls.find()) {
            urls.appendReplacement(out, Matcher.quoteReplacement(redact(urls.group())));
        }
        urls.appendTail(out);
        return SECRET_PAIR.matcher(out).replaceAll("$1$2$3" + Matcher.quoteReplacement("****"));
    }

    /** {@code https://user:pw@host/p?token=x} becomes {@code https://host/p}. */
    public static String redact(URI url) {
        if (url == null) {
            return "";
        }
        if (url.isOpaque() || url.getHost() == null) {
            return url.getScheme() == null ? "(url)" : url.getScheme() + ":(redacted)";
        }
        try {
            return new URI(url.getScheme(), null, url.getHost(), url.getPort(), url.getPath(), null, null).toString();
        } catch (URISyntaxException e) {
            return url.getScheme() + "://" + url.getHost();
        }
    }

    public static String redact(String url) {
        if (url == null) {
            return "";
        }
        try {
            return redact(new URI(url));
        } catch (URISyntaxException e) {
            return "(unparseable url)";
        }
    }
}
