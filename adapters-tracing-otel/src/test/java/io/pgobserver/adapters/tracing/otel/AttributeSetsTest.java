package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The attribute sets the action metrics record with: made once per combination, each observer's its own. */
class AttributeSetsTest {

    private static final AttributeKey<String> OBSERVER = AttributeKey.stringKey("observer");
    private static final AttributeKey<String> TYPE = AttributeKey.stringKey("action_type");
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("outcome");
    private static final AttributeKey<String> ERROR = AttributeKey.stringKey("error.type");

    @Test
    void aCombinationSeenBeforeGivesTheSameSetAndEachObserverHasItsOwn() {
        AttributeSets sets = new AttributeSets(OBSERVER, TYPE, OUTCOME, ERROR);
        Attributes shipped = sets.get("shipped", "webhook", "retry", "503");
        assertThat(sets.get("shipped", "webhook", "retry", "503")).isSameAs(shipped);
        assertThat(shipped).isEqualTo(Attributes.of(OBSERVER, "shipped", TYPE, "webhook", OUTCOME, "retry",
                ERROR, "503"));
        Attributes refunded = sets.get("refunded", "webhook", "retry", "503");
        assertThat(refunded).isNotEqualTo(shipped).isSameAs(sets.get("refunded", "webhook", "retry", "503"));
        assertThat(new AttributeSets(OBSERVER, TYPE, OUTCOME).get(null, "webhook", "success").get(OBSERVER))
                .isEqualTo("unknown");
    }

    @Test
    void pastTheBoundSetsAreMadePerCallAndNotKept() {
        AttributeSets sets = new AttributeSets(OBSERVER, TYPE);
        for (int i = 0; i < AttributeSets.MAX; i++) {
            sets.get("observer" + i, "webhook");
        }
        assertThat(sets.get("observer0", "webhook")).isSameAs(sets.get("observer0", "webhook"));
        Attributes past = sets.get("one_too_many", "webhook");
        assertThat(past).isEqualTo(Attributes.of(OBSERVER, "one_too_many", TYPE, "webhook"))
                .isNotSameAs(sets.get("one_too_many", "webhook"));
    }
}
