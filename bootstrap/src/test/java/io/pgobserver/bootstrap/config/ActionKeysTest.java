package io.pgobserver.bootstrap.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An action's stable key, read from configuration by the installed adapters: the same across a secret's rotation,
 * different for another destination, and what it was before secrets were left out for an action that has none.
 */
class ActionKeysTest {

    /** The key of each action of observer {@code o}, the actions' YAML one flow mapping a line. */
    private static List<String> keys(Map<String, String> environment, String... actions) {
        StringBuilder yaml = new StringBuilder("observers:\n  o:\n    entity: orders\n    actions:\n");
        for (String action : actions) {
            yaml.append("      - ").append(action).append('\n');
        }
        return new ConfigLoader(environment).loadYaml(yaml.toString()).observers().getFirst().actionKeys();
    }

    private static String key(String action) {
        return keys(Map.of(), action).getFirst();
    }

    /**
     * Rotating a webhook's signing secret, an API key in its headers, a token or password in its URL, or a Slack
     * bot token gave the action a new key: its deliveries recorded before were not found, and its receiver got
     * what it had already taken under a new webhook-id.
     */
    @Test
    void rotatingASecretKeepsTheActionsKey() {
        String webhook = "{ type: webhook, url: '%s', secret: '${HOOK_SECRET}', headers: { Authorization: '%s' } }";
        List<String> before = keys(Map.of("HOOK_SECRET", "whsec_b2xk"),
                webhook.formatted("https://app:old@hooks.example.com/orders?tenant=7&token=old", "Bearer old"),
                "{ type: slack, token: xoxb-old, channel: '#orders', text: hi }");
        List<String> after = keys(Map.of("HOOK_SECRET", "whsec_bmV3"),
                webhook.formatted("https://app:new@hooks.example.com/orders?tenant=7&token=new", "Bearer new"),
                "{ type: slack, token: xoxb-new, channel: '#orders', text: hi }");
        assertThat(after).isEqualTo(before);
        assertThat(before).allMatch(k -> k.matches("h[0-9a-f]{16}"));
    }

    /**
     * A webhook's body may carry an API key (PagerDuty's routing_key), and a body reshaped is the same delivery to its
     * receiver, which de-duplicates by webhook-id: editing it keeps the key, as rotating a secret does.
     */
    @Test
    void editingAWebhooksBodyKeepsTheActionsKey() {
        String webhook = "{ type: webhook, url: 'https://events.example.com/v2/enqueue', body: %s }";
        assertThat(key(webhook.formatted("{ routing_key: old, summary: 'Order {{after.id}}' }")))
                .isEqualTo(key(webhook.formatted("{ routing_key: new, summary: 'Order {{after.id}} failed',"
                        + " details: '{{after}}' }")))
                .isEqualTo(key("{ type: webhook, url: 'https://events.example.com/v2/enqueue' }"));
    }

    @Test
    void actionsToAnotherDestinationOrOfAnotherKindGetAnotherKey() {
        assertThat(List.of(
                key("{ type: webhook, url: 'https://hooks.example.com/orders' }"),
                key("{ type: webhook, url: 'https://hooks.example.com/audit' }"),
                key("{ type: webhook, url: 'https://other.example.com/orders' }"),
                key("{ type: webhook, url: 'https://hooks.example.com/orders?tenant=8' }"),
                key("{ type: slack, token: xoxb-1, channel: '#orders', text: hi }"),
                key("{ type: slack, token: xoxb-1, channel: '#audit', text: hi }"),
                key("{ type: slack, webhook_url: 'https://hooks.slack.example/services/T0/B1/x', text: hi }"),
                key("{ type: slack, webhook_url: 'https://hooks.slack.example/services/T0/B2/y', text: hi }"),
                key("{ type: email, to: [ops@example.com], template: order }"),
                key("{ type: email, to: [sales@example.com], template: order }"),
                key("{ type: email, to: [ops@example.com], template: refund }"),
                key("{ type: kafka, topic: orders }"),
                key("{ type: kafka, topic: audit }"))).doesNotHaveDuplicates();
    }

    /** An action without secrets renders as it always did: its key, records and webhook-ids outlive the upgrade. */
    @Test
    void anActionWithoutSecretsKeepsTheKeyItHadBefore() {
        assertThat(key("{ type: webhook, url: 'http://localhost:8080/hook' }")).isEqualTo("h62c4651db2bc5e52");
        assertThat(key("{ webhook_url: 'https://hooks.slack.test/services/T0/B0/x', channel: '#orders', text: hi,"
                + " type: slack }")).isEqualTo("h59ada2da67b01ddf");
    }

    @Test
    void twoActionsThatDifferOnlyInTheirSecretsNeedIds() {
        assertThatThrownBy(() -> keys(Map.of(), "{ type: webhook, url: 'https://hooks.example.com/o', secret: a }",
                "{ type: webhook, url: 'https://hooks.example.com/o', secret: b }"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("observers.o.actions[1]: an action with the same settings (its secrets aside) is listed"
                        + " twice of this observer; give each a distinct id:");
        assertThat(keys(Map.of(), "{ id: signed-a, type: webhook, url: 'https://hooks.example.com/o', secret: a }",
                "{ id: signed-b, type: webhook, url: 'https://hooks.example.com/o', secret: b }"))
                .containsExactly("signed-a", "signed-b");
    }
}
