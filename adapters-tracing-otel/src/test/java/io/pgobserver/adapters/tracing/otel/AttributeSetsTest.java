package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

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

    @Test
    void pastTheBoundANewCombinationWaitsForNoOtherRecording() throws Exception {
        AttributeSets sets = new AttributeSets(OBSERVER, TYPE);
        for (int i = 0; i < AttributeSets.MAX; i++) {
            sets.get("observer" + i, "webhook");
        }
        // Another thread keeping a set holds the cache's lock: past the bound nothing is kept, so nothing waits for it
        // (before, every recording past the bound took that lock, one at a time across 256 virtual threads).
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = Thread.ofVirtual().start(() -> {
            synchronized (sets) {
                held.countDown();
                awaitQuietly(release);
            }
        });
        ExecutorService recorder = Executors.newVirtualThreadPerTaskExecutor();
        try {
            assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Attributes> past = CompletableFuture.supplyAsync(
                    () -> sets.get("one_too_many", "webhook"), recorder);
            assertThat(past.get(30, TimeUnit.SECONDS))
                    .isEqualTo(Attributes.of(OBSERVER, "one_too_many", TYPE, "webhook"));
        } finally {
            release.countDown();
            holder.join();
            recorder.close();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
