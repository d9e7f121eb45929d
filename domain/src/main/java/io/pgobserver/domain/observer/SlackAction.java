package io.pgobserver.domain.observer;

import java.net.URI;

/**
 * A Slack message, sent either to an incoming-webhook URL or with the Web API ({@code chat.postMessage}) and
 * a bot token.
 *
 * @param webhookUrl an incoming-webhook URL (itself a secret: it is never shown), or null with a token
 * @param token      a bot token for the Web API, or null with a webhook URL
 * @param apiUrl     the Web API base, {@code https://slack.com/api} unless overridden (tests, proxies)
 * @param channel    the channel, such as {@code #orders}
 * @param text       a Mustache template for the message text
 * @param threadTs   a Mustache template for the thread to reply in, or null
 */
public record SlackAction(URI webhookUrl, Secret token, URI apiUrl, String channel, String text, String threadTs)
        implements ActionSpec {

    public static final URI DEFAULT_API_URL = URI.create("https://slack.com/api");

    public SlackAction {
        if ((webhookUrl == null) == (token == null)) {
            throw new IllegalArgumentException("a slack action needs exactly one of webhook_url and token");
        }
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a slack action needs text");
        }
        if (token != null && (channel == null || channel.isBlank())) {
            throw new IllegalArgumentException("a slack action with a token needs a channel");
        }
        apiUrl = apiUrl == null ? DEFAULT_API_URL : apiUrl;
    }

    @Override
    public String type() {
        return "slack";
    }

    @Override
    public String describe() {
        return "slack " + (channel == null ? "(incoming webhook)" : channel);
    }

    @Override
    public String toString() {
        return describe();
    }
}
