package io.pgobserver.adapters.actions;

import io.pgobserver.domain.port.ActionResult;
import okhttp3.HttpUrl;

import java.time.Clock;
import java.util.Map;
import java.util.Set;

/**
 * What Slack's error codes mean and what fixes them. The Web API answers HTTP 200 with {@code {"ok": false,
 * "error": CODE}}; an incoming webhook answers an HTTP status with the bare CODE as its body. A code that may pass
 * by itself is retried; any other is permanent, and the failure names the fix, since retrying cannot help.
 */
final class SlackErrors {

    /** Web API errors that may pass by themselves: rate limits and faults on Slack's side. */
    private static final Set<String> TRANSIENT = Set.of("ratelimited", "rate_limited", "internal_error",
            "fatal_error", "service_unavailable", "request_timeout");

    private static final String NEW_WEBHOOK = "create a new incoming webhook in the Slack app and set webhook_url";

    /** The fix for a {@code chat.postMessage} error, by Slack's code. */
    private static final Map<String, String> WEB_API_FIXES = Map.ofEntries(
            Map.entry("invalid_auth", "the token is not valid: check the slack action's token"),
            Map.entry("not_authed", "no token reached Slack: check the slack action's token"),
            Map.entry("token_revoked", "the token was revoked: issue a new bot token and set the action's token"),
            Map.entry("token_expired", "the token expired: issue a new bot token and set the action's token"),
            Map.entry("account_inactive", "the token's user or app is inactive: reinstall the app and set its new "
                    + "bot token"),
            Map.entry("not_allowed_token_type", "this is not a bot token: set the app's bot token (xoxb-...)"),
            Map.entry("missing_scope", "the token lacks the chat:write scope: add it to the Slack app and reinstall"),
            Map.entry("channel_not_found", "no such channel, or the bot cannot see it: check the channel, and invite "
                    + "the bot to it (/invite @bot in the channel)"),
            Map.entry("not_in_channel", "the bot is not in the channel: invite it (/invite @bot in the channel)"),
            Map.entry("is_archived", "the channel is archived: unarchive it, or set another channel"),
            Map.entry("restricted_action", "a workspace setting stops the bot posting in this channel: ask a Slack "
                    + "admin, or set another channel"),
            Map.entry("msg_too_long", "the text is too long for Slack: shorten the text template"),
            Map.entry("no_text", "the text was empty: make the text template produce text for every row"),
            Map.entry("ratelimited", "Slack takes about one message a second per channel: retried after Slack's "
                    + "Retry-After"),
            Map.entry("rate_limited", "Slack takes about one message a second per channel: retried after Slack's "
                    + "Retry-After"));

    /** The fix for an incoming webhook's error, by the code in its body. */
    private static final Map<String, String> WEBHOOK_FIXES = Map.ofEntries(
            Map.entry("invalid_payload", "Slack could not read the message: check what the text template produces"),
            Map.entry("no_text", "the text was empty: make the text template produce text for every row"),
            Map.entry("too_many_attachments", "the message has too many attachments for Slack"),
            Map.entry("invalid_token", "the webhook URL is not valid (revoked or mistyped): " + NEW_WEBHOOK),
            Map.entry("action_prohibited", "a Slack admin restricted what this webhook may post: ask them, or "
                    + NEW_WEBHOOK),
            Map.entry("posting_to_general_channel_denied", "only admins may post in that channel: " + NEW_WEBHOOK
                    + " for another channel"),
            Map.entry("no_service", "the incoming webhook was removed or disabled: " + NEW_WEBHOOK),
            Map.entry("no_service_id", "the webhook URL is incomplete: " + NEW_WEBHOOK),
            Map.entry("no_team", "the webhook's workspace is gone: " + NEW_WEBHOOK),
            Map.entry("team_disabled", "the webhook's workspace is disabled: " + NEW_WEBHOOK),
            Map.entry("channel_not_found", "the webhook's channel was deleted: " + NEW_WEBHOOK
                    + " for an existing channel"),
            Map.entry("channel_is_archived", "the webhook's channel is archived: unarchive it, or " + NEW_WEBHOOK
                    + " for another channel"));

    private SlackErrors() {
    }

    static boolean isTransient(String webApiError) {
        return TRANSIENT.contains(webApiError);
    }

    /**
     * The fix for a Web API error, in brackets to follow the code, or "" for a code without one; for a permanent
     * one, saying first that it is not retried, as the webhooks' and incoming webhooks' refusals do.
     */
    static String webApiFix(String error, boolean permanent) {
        String fix = WEB_API_FIXES.get(error);
        if (permanent) {
            return " (not retried" + (fix == null ? "" : ": " + fix) + ")";
        }
        return fix == null ? "" : " (" + fix + ")";
    }

    /**
     * The failure for an incoming webhook's error answer: classified by its status as a webhook's is, and
     * the fix named when the body is one of Slack's codes.
     */
    static ActionResult.Failure incomingWebhook(String what, HttpTransport.Exchange exchange, Clock clock) {
        ActionResult.Failure failure = HttpFailures.statusFailure(what, exchange, clock, false);
        if (exchange.status() >= 300 && exchange.status() < 400) {
            return new ActionResult.Failure(what + ": HTTP " + exchange.status() + " (not retried: " + redirect(exchange)
                    + ")", true, null, null, failure.errorType());
        }
        String fix = WEBHOOK_FIXES.get(exchange.body().strip());
        if (fix == null || !failure.permanent()) {
            return failure;
        }
        // Slack's code says more than the status's usual meaning (a generic receiver's "check the headers"), so its
        // fix stands in for that one.
        return new ActionResult.Failure(what + ": HTTP " + exchange.status() + ": " + exchange.snippet()
                + " (not retried: " + fix + ")", true, null, failure.cause(), failure.errorType());
    }

    /**
     * A redirect of the incoming webhook, saying where without the path: the address it redirects to carries the
     * webhook's secret as its own does (Slack sends a webhook_url given with http:// on to https:// with the same
     * path), so neither it nor the answer, which may repeat it, is shown in the letter, the log or the span.
     */
    private static String redirect(HttpTransport.Exchange exchange) {
        String location = exchange.headers().get("Location");
        HttpUrl target = location == null ? null : exchange.url().resolve(location);
        String where = target == null ? "" : " to " + target.scheme() + "://" + target.host()
                + (target.port() == HttpUrl.defaultPort(target.scheme()) ? "" : ":" + target.port())
                + "/… (the rest of that address is the webhook's secret, not shown here)";
        return "the webhook_url redirects" + where + ", and redirects are not followed for a request with a body: "
                + "set webhook_url to the address it redirects to (https://, as the Slack app shows it), or "
                + NEW_WEBHOOK;
    }
}
