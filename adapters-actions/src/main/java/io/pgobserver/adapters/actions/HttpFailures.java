package io.pgobserver.adapters.actions;

import io.pgobserver.domain.observer.Urls;
import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.port.CertificateRefusal;
import okhttp3.HttpUrl;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a webhook or Slack call that did not succeed means for its action: retried or dead-lettered at once, and a
 * message that says which, and what to change, since it is what the log line, the span and the dead letter show.
 */
final class HttpFailures {

    /**
     * A {@code Retry-After} in seconds too large for a number: the server asks for a very long wait, which the
     * observer's {@code retry.max_backoff} caps. A year stands for it without overflowing anyone's arithmetic.
     */
    static final Duration VERY_LONG = Duration.ofDays(365);

    /** Delay seconds as servers write them: digits, perhaps after a {@code +}, perhaps with a fraction. */
    private static final Pattern DELAY_SECONDS = Pattern.compile("\\+?([0-9]+)(?:\\.([0-9]*))?");

    private HttpFailures() {
    }

    /**
     * The failure for an HTTP status that is not 2xx: 408, 409, 425, 429 and 5xx may pass and are retried
     * ({@code Retry-After} honoured on 429 and 503); other statuses (4xx, 501 and 505, and 3xx since redirects are
     * not followed for a request with a body) are permanent, and their message says what to fix.
     */
    static ActionResult.Failure statusFailure(String what, HttpTransport.Exchange exchange, Clock clock) {
        return statusFailure(what, exchange, clock, true);
    }

    /**
     * As {@link #statusFailure(String, HttpTransport.Exchange, Clock)}, for a request that carried a
     * {@code webhook-id} or not: only a receiver given one is told how to answer a duplicate (Slack is given none).
     */
    static ActionResult.Failure statusFailure(String what, HttpTransport.Exchange exchange, Clock clock,
                                              boolean webhookId) {
        int status = exchange.status();
        boolean transientStatus = mayPass(status);
        Duration retryAfter = status == 429 || status == 503
                ? retryAfter(exchange.headers().get("Retry-After"), clock) : null;
        StringBuilder message = new StringBuilder(what).append(": HTTP ").append(status);
        String fix = transientStatus ? null : fix(exchange);
        if (fix != null) {
            message.append(" (not retried: ").append(fix).append(')');
        } else if (status == 409 && webhookId) {
            message.append(" (retried: a conflict may clear; a receiver that answers 409 for a webhook-id it has "
                    + "already processed should answer 2xx for it instead)");
        }
        String snippet = exchange.snippet();
        if (!snippet.isEmpty()) {
            message.append(": ").append(snippet);
        }
        if (exchange.cutOff() != null) {
            message.append(" (the rest of the answer did not come: ").append(exchange.cutOff().getMessage())
                    .append(')');
        }
        // error.type is the status code, as the semantic conventions have it for HTTP clients.
        return new ActionResult.Failure(message.toString(), !transientStatus, retryAfter, null,
                Integer.toString(status));
    }

    /**
     * Whether another attempt may get another answer. 409 is retried, as Svix, Stripe and Hasura retry every status
     * that is not 2xx: a real conflict (a row another request holds) may clear, and a receiver that answers 409 for a
     * duplicate would rather have been delivered than dead-lettered at once. 501 and 505 are a method or protocol
     * version the receiver does not implement: no retry will pass, so they are dead-lettered like a 405.
     */
    private static boolean mayPass(int status) {
        return switch (status) {
            case 408, 409, 425, 429 -> true;
            case 501, 505 -> false;
            default -> status >= 500;
        };
    }

    /** What to change when the receiver refused the request for good: the status's usual meaning, in our words. */
    private static String fix(HttpTransport.Exchange exchange) {
        int status = exchange.status();
        if (status >= 300 && status < 400) {
            return redirect(exchange);
        }
        return switch (status) {
            case 400, 422 -> "the receiver rejected the request's content; see its answer, fix the cause, then "
                    + "replay the dead letter";
            case 401, 403 -> "the receiver refused the request's credentials; check the action's headers, the "
                    + "credentials in its url and its secret against what the receiver expects";
            case 404, 410 -> "the receiver has nothing at this url; correct the action's url";
            case 405 -> "the receiver does not take this method at this url; correct the action's method or url";
            case 413 -> "the request is larger than the receiver accepts; raise the receiver's request size limit";
            case 415 -> "the receiver does not accept application/json here; correct the action's url";
            case 501 -> "the receiver does not implement this method at this url; correct the action's method or url";
            case 505 -> "the receiver does not speak the HTTP version the request used (HTTP/1.1, or HTTP/2 over "
                    + "TLS); correct the action's url to a server that does";
            default -> "the receiver refused the request; see its answer and logs";
        };
    }

    /**
     * A redirect is not followed for a request with a body: OkHttp, as browsers do, would resend a 301 or 302 as a
     * GET without the event. A permanent one will never work, a temporary one (often a login page in front of the
     * receiver) is no better, so the action is dead-lettered at once with the url to configure, as Chargebee does
     * with a 3xx (not retried: its users set the final URL and send the event again by hand).
     */
    private static String redirect(HttpTransport.Exchange exchange) {
        String location = exchange.headers().get("Location");
        HttpUrl target = location == null ? null : exchange.url().resolve(location);
        if (target == null) {
            return "the receiver redirects, and redirects are not followed for a request with a body: set the "
                    + "action's url to the final address";
        }
        String query = target.encodedQuery() == null ? "" : " (with the query string it named, not shown here)";
        return "the receiver redirects to " + Urls.redact(target.uri()) + query + ", and redirects are not followed "
                + "for a request with a body: set the action's url to that address";
    }

    /** The failure for a request that got no response. */
    static ActionResult.Failure ioFailure(String what, IOException e) {
        if (e instanceof HostAllowList.HostNotAllowedException) {
            return ActionResult.Failure.permanentFailure(what + ": " + e.getMessage(), e);
        }
        Optional<CertificateRefusal> certificate = CertificateRefusal.in(e);
        if (certificate.isPresent()) {
            return certificate.get().failure(what, e);
        }
        String reason = timedOut(e) ? "timed out" : "failed";
        return new ActionResult.Failure(what + ": " + reason + " (" + e.getClass().getSimpleName() + ": "
                + e.getMessage() + ")", false, null, e, errorType(e));
    }

    /** A read, connect or whole-call timeout (OkHttp reports the last as an interrupted I/O). */
    private static boolean timedOut(Exception e) {
        return e instanceof SocketTimeoutException || e instanceof InterruptedIOException;
    }

    /**
     * {@code error.type} of a request that got no response, on the metric and the action's failure alike:
     * {@code timeout}, else the exception's class name.
     */
    static String errorType(Exception e) {
        return timedOut(e) ? "timeout" : e.getClass().getName();
    }

    /**
     * Reads {@code Retry-After}: delay seconds, or an HTTP date (RFC 9110). Null when absent or unreadable;
     * a date in the past is zero; more seconds than a number holds is {@link #VERY_LONG}. RFC 9110's delay is a
     * non-negative integer, read leniently as servers write it: a leading {@code +} is dropped and a fraction
     * ({@code 1.5}) rounds up, so the wait is never shorter than asked. A negative one asks for nothing and is
     * ignored, as is any other text. Whatever is read, the retry policy waits at least its own backoff and at most
     * {@code retry.max_backoff}: a header can neither hasten a retry nor stall one beyond that.
     */
    static Duration retryAfter(String value, Clock clock) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String text = value.strip();
        Matcher seconds = DELAY_SECONDS.matcher(text);
        if (seconds.matches()) {
            String whole = seconds.group(1);
            // Past a year the wait is capped by retry.max_backoff anyway; beyond a long it is still "very long".
            if (whole.length() > 10) {
                return VERY_LONG;
            }
            String fraction = seconds.group(2);
            long roundedUp = Long.parseLong(whole) + (fraction != null && fraction.chars().anyMatch(c -> c != '0')
                    ? 1 : 0);
            return Duration.ofSeconds(Math.min(roundedUp, VERY_LONG.toSeconds()));
        }
        try {
            Instant at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration wait = Duration.between(clock.instant(), at);
            return wait.isNegative() ? Duration.ZERO : wait;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
