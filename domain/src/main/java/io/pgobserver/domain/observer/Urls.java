package io.pgobserver.domain.observer;

import java.net.URI;
import java.net.URISyntaxException;

/** URLs as they may be shown: without user info, query or fragment, which can carry secrets. */
public final class Urls {

    private Urls() {
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
