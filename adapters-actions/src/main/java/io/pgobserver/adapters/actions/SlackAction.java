package io.pgobserver.adapters.actions;

import io.pgobserver.domain.observer.ActionSpec;
import io.pgobserver.domain.observer.Secret;
import io.pgobserver.templates.Templates;

import java.net.URI;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code { type: slack, ... }}: a Slack message, sent either to an incoming-webhook URL or with the Web API
 * ({@code chat.postMessage}) and a bot token. Messages name the action's keys; the core puts the action's path in
 * front of them.
 *
 * @param webhookUrl an incoming-webhook URL (itself a secret: it is never shown), or null with a token
 * @param token      a bot token for the Web API, or null with a webhook URL
 * @param apiUrl     the Web API base, {@code https://slack.com/api} unless overridden (tests, proxies)
 * @param channel    the channel, such as {@code #orders}
 * @param text       a Mustache template for the message text
 * @param threadTs   a Mustache template for the thread to reply in, or null
 */
record SlackAction(URI webhookUrl, Secret token, URI apiUrl, String channel, String text, String threadTs)
        implements ActionSpec {

    static final URI DEFAULT_API_URL = URI.create("https://slack.com/api");

    SlackAction {
        if ((webhookUrl == null) == (token == null)) {
            throw new IllegalArgumentException("set exactly one of webhook_url (an incoming webhook) and token (a bot "
                    + "token, with channel)");
        }
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("text must be set: the message, a template such as "
                    + "\"Order {{after.id}} shipped\"");
        }
        if (token != null && (channel == null || channel.isBlank())) {
            throw new IllegalArgumentException("channel must be set with token, such as \"#orders\"");
        }
        apiUrl = apiUrl == null ? DEFAULT_API_URL : apiUrl;
    }

    /** The columns the text and thread_ts name. */
    @Override
    public Set<String> columns() {
        Set<String> columns = new TreeSet<>(Templates.columns(text));
        columns.addAll(Templates.columns(threadTs));
        return columns;
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
