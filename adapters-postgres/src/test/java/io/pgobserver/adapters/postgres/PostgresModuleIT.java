package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.spi.StorageAccess;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.Checkpoint;
import io.pgobserver.domain.port.CaptureInstaller;
import io.pgobserver.domain.port.ChangeSource;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.Leadership;
import io.pgobserver.domain.spi.Lifecycle;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The module wired as the bootstrap wires it: start the lifecycles, install, lead, consume, checkpoint, stop. */
class PostgresModuleIT {

    @Test
    void aWiredAdapterCapturesAndDeliversAnEvent() throws Exception {
        DatabaseSettings settings = TestPostgres.newDatabase();
        Injector injector = Guice.createInjector(new PostgresModule(), binder -> {
            binder.bind(DatabaseSettings.class).toInstance(settings);
            binder.bind(StorageAccess.class).toInstance(StorageAccess.MIGRATE);
            binder.bind(ListenerSettings.class).toInstance(new ListenerSettings("orders", 100,
                    Duration.ofMillis(200), 16, 1000, null, Duration.ofDays(7)));
        });
        List<Lifecycle> lifecycles = injector.getInstance(Key.get(new TypeLiteral<Set<Lifecycle>>() {
        })).stream().sorted(Comparator.comparingInt(Lifecycle::order)).toList();
        for (Lifecycle lifecycle : lifecycles) {
            lifecycle.start();
        }
        try {
            TestPostgres.execute(settings, "create table public.orders (id text primary key, status text)");
            injector.getInstance(CaptureInstaller.class).install("public.orders", null);
            Leadership leadership = injector.getInstance(Leadership.class);
            assertThat(leadership.acquire(Duration.ofSeconds(30))).isTrue();
            TestPostgres.execute(settings, "insert into public.orders values ('o-1', 'new')");

            ChangeSource source = injector.getInstance(ChangeSource.class);
            CheckpointStore checkpoints = injector.getInstance(CheckpointStore.class);
            CheckpointStore.Resume resume = checkpoints.claim("orders");
            Batch batch = new Batch(resume.checkpoint().batch(), resume.done(), source.snapshot());
            checkpoints.dispatching(resume.fence(), batch, Long.MAX_VALUE);
            List<ChangeEvent> events = source.read(batch, resume.checkpoint().afterId(), 100).events();
            assertThat(events).extracting(ChangeEvent::entityId).containsExactly("o-1");
            checkpoints.save(resume.fence(), new Checkpoint(batch.seq() + 1, 0));
            assertThat(checkpoints.load("orders").orElseThrow().done()).isEqualTo(batch.to());
            assertThat(source.lag(batch.to()).events()).isZero();
        } finally {
            for (Lifecycle lifecycle : lifecycles.reversed()) {
                lifecycle.stop();
            }
        }
        assertThat(injector.getInstance(Leadership.class).isHeld()).isFalse();
    }
}
