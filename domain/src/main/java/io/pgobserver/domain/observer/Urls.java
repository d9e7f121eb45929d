package io.pgobserver.domain.observer;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** URLs as they may be shown: without user info, query or fragment, which can carry secrets. */
public final class Urls {

    private static final Pattern URL_IN_TEXT = Pattern.compile("\\b[A-Za-z][A-Za-z0-9+.-]*://[^\\s\"'<>]+");
    // An Authorization value's scheme (Bearer, Basic) is kept and what follows it masked: the scheme says nothing.
    private static final Pattern SECRET_PAIR = Pattern.compile("(?i)\\b(password|passwd|pwd|token|secret|api[-_]?key"
            + "|authorization)(\\s*[=:]\\s*)((?:bearer|basic|digest|token)\\s+)?([^\\s,;&]+)");

    /**
     * Query parameters named for what authenticates a request: ?token=, ?access_token=, ?api_key=, ?sig=, ?auth=;
     * not ?author= nor ?authority=, which say where or for whom, and two webhooks told apart by them alone would
     * get one key (and the boot would ask for ids).
     */
    private static final Pattern SECRET_PARAMETER = Pattern.compile(
            "(?i)(.*(token|secret|passw|pwd|credential|auth(?!or)|signature).*|(.*[-_.])?(key|apikey|sig|code))");

    /** The scheme and the user info of a URL with template tags ({{...}}) after its host. */
    private static final Pattern TEMPLATE_USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/?#{}]*@");

    /** Scheme, host and port, path: the user info, query and fragment left out. */
    private static final Pattern URL_PARTS = Pattern.compile(
            "([A-Za-z][A-Za-z0-9+.-]*)://(?:[^/?#]*@)?([^/?#@]*)([^?#]*)");

    private Urls() {
    }

    /**
     * The URL without what authenticates it, for what must stay the same when a credential is rotated (an action's
     * stable key): its user info dropped, and the values of query parameters {@linkplain #SECRET_PARAMETER named
     * for a secret} ({@code ?token=x&tenant=7} becomes {@code ?token=&tenant=7}); a webhook's url template loses its
     * user info. Text that is no absolute URL, or holds neither, comes back as it is, character for character.
     */
    public static String withoutCredentials(String text) {
        URI url;
        try {
            url = text == null || !text.contains("://") ? null : new URI(text);
        } catch (URISyntaxException e) {
            // A webhook's url template is no URI, but its user info is where a URL has it.
            Matcher userInfo = TEMPLATE_USER_INFO.matcher(text);
            return userInfo.lookingAt() ? userInfo.group(1) + text.substring(userInfo.end()) : text;
        }
        if (url == null || url.isOpaque() || url.getRawAuthority() == null) {
            return text;
        }
        String query = url.getRawQuery() == null ? null : withoutSecretValues(url.getRawQuery());
        if (url.getRawUserInfo() == null && (query == null || query.equals(url.getRawQuery()))) {
            return text;
        }
        String authority = url.getRawAuthority();
        return url.getScheme() + "://" + authority.substring(authority.lastIndexOf('@') + 1) + url.getRawPath()
                + (query == null ? "" : "?" + query) + (url.getRawFragment() == null ? "" : "#" + url.getRawFragment());
    }

    private static String withoutSecretValues(String query) {
        List<String> parameters = new ArrayList<>();
        for (String parameter : query.split("&", -1)) {
            int equals = parameter.indexOf('=');
            String name = equals < 0 ? parameter : parameter.substring(0, equals);
            parameters.add(equals >= 0 && SECRET_PARAMETER.matcher(name).matches() ? name + "=" : parameter);
        }
        return String.join("&", parameters);
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
        // The raw path, as sent: decoded and encoded again, /orders/a%2Fb read as /orders/a/b, another path.
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                + (url.getRawPath() == null ? "" : url.getRawPath());
    }

    public static String redact(String url) {
        if (url == null) {
            return "";
        }
        try {
            return redact(new URI(url));
        } catch (URISyntaxException e) {
            // Not a URI (a webhook's url template: https://h/orders/{{after.id}}), but its parts are still where a URL
            // has them: keep the scheme, host, port and path, drop the user info, query and fragment.
            Matcher parts = URL_PARTS.matcher(url);
            return parts.lookingAt() ? parts.group(1) + "://" + parts.group(2) + parts.group(3) : "(unparseable url)";
        }
    }
}
