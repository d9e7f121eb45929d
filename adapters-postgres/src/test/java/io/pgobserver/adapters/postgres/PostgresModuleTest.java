package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.spi.StorageAccess;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.observer.Secret;
import io.pgobserver.domain.port.CaptureInstaller;
import io.pgobserver.domain.port.ChangeSource;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.DeadLetters;
import io.pgobserver.domain.port.Deliveries;
import io.pgobserver.domain.port.Leadership;
import io.pgobserver.domain.spi.Adapter;
import io.pgobserver.domain.spi.Lifecycle;
import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.Snapshot;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import java.lang.reflect.Modifier;
import java.util.ServiceLoader;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

class PostgresModuleTest {

    // Nothing listens on port 1: building the injector must not try to connect.
    private static final DatabaseSettings NOWHERE = new DatabaseSettings(
            "jdbc:postgresql://127.0.0.1:1/app?password=hunter2", "app", new Secret("s3cret"));

    private static Injector injector() {
        return Guice.createInjector(new PostgresModule(), binder -> {
            binder.bind(DatabaseSettings.class).toInstance(NOWHERE);
            binder.bind(StorageAccess.class).toInstance(StorageAccess.MIGRATE);
            binder.bind(ListenerSettings.class).toInstance(ListenerSettings.defaults());
        });
    }

    @Test
    void isFoundByTheServiceLoaderAndProvidesTheChangeSource() {
        Adapter adapter = ServiceLoader.load(Adapter.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(PostgresModule.class::isInstance)
                .findFirst().orElseThrow();
        assertThat(adapter.name()).isEqualTo("adapters-postgres");
        assertThat(adapter.provides()).containsExactly(Adapter.Capability.CHANGE_SOURCE);
    }

    @Test
    void bindsEveryPortAsSingletonsWithoutConnecting() {
        Injector injector = injector();
        assertThat(injector.getInstance(ChangeSource.class)).isSameAs(injector.getInstance(ChangeSource.class))
                .isInstanceOf(PostgresChangeSource.class);
        assertThat(injector.getInstance(CheckpointStore.class)).isInstanceOf(JdbiCheckpointStore.class);
        assertThat(injector.getInstance(DeadLetters.class)).isInstanceOf(JdbiDeadLetters.class);
        assertThat(injector.getInstance(Deliveries.class)).isInstanceOf(JdbiDeliveries.class);
        assertThat(injector.getInstance(Leadership.class)).isInstanceOf(AdvisoryLockLeadership.class);
        assertThat(injector.getInstance(CaptureInstaller.class)).isInstanceOf(PostgresCaptureInstaller.class);
        Set<Lifecycle> lifecycles = injector.getInstance(Key.get(new TypeLiteral<Set<Lifecycle>>() {
        }));
        assertThat(lifecycles).extracting(Lifecycle::name)
                .containsExactlyInAnyOrder("postgres", "postgres-listener", "postgres-leadership", "postgres-retention",
                        "postgres-replay-claims");
        assertThat(lifecycles).contains((Lifecycle) injector.getInstance(ChangeSource.class));
        // The claims the dead-letter store takes are the ones whose stop closes their free session.
        assertThat(lifecycles).contains((Lifecycle) injector.getInstance(ReplayClaims.class));
        assertThat(injector.getInstance(ReplayClaims.class).order()).isGreaterThan(Lifecycle.ORDER_STORAGE);
    }

    @Test
    void anUnreachableDatabaseIsAnOutageWithAMessageFreeOfSecrets() {
        Database database = injector().getInstance(Database.class);
        assertThatThrownBy(database::start)
                .isInstanceOf(Lifecycle.Unavailable.class)
                .hasMessageStartingWith("cannot connect to PostgreSQL at jdbc:postgresql://127.0.0.1:1/app: "
                        + "Connection refused. ")
                .hasMessageContaining("database.url")
                .hasMessageContaining("database.url")
                .hasMessageNotContaining("hunter2")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> database.jdbi()).hasMessageContaining("not started");
    }

    @Test
    void anUnreachableDatabaseMakesTheSourceThrowAClearRetryableError() {
        ChangeSource source = injector().getInstance(ChangeSource.class);
        assertThatThrownBy(source::snapshot)
                .isInstanceOf(ChangeSource.ChangeSourceException.class)
                .hasMessageContaining("cannot connect the listener to PostgreSQL at jdbc:postgresql://127.0.0.1:1/app")
                .hasMessageContaining("Retrying with backoff")
                .hasMessageNotContaining("hunter2")
                .hasMessageNotContaining("s3cret");
        // Within the backoff the next call reports the outage at once, without a new attempt. The first backoff is
        // about 100 ms, which a busy machine may let pass between two calls: then that call made a new attempt, and
        // the one after it, within a backoff twice as long, is asked again.
        String message = "";
        for (int call = 0; call < 5 && !message.contains("is unreachable"); call++) {
            Throwable thrown = catchThrowable(() -> source.read(new Batch(1, Snapshot.ORIGIN, Snapshot.ORIGIN), 0, 10));
            assertThat(thrown).isInstanceOf(ChangeSource.ChangeSourceException.class);
            message = thrown.getMessage();
        }
        assertThat(message).containsPattern("is unreachable \\(failed connection attempts: \\d+\\); reconnecting "
                + "with backoff").doesNotContain("hunter2").doesNotContain("s3cret");
    }

    @Test
    void onlyTheModuleIsPublic() {
        for (Class<?> type : new Class<?>[] {Database.class, PostgresChangeSource.class, JdbiCheckpointStore.class,
                JdbiDeadLetters.class, JdbiDeliveries.class, AdvisoryLockLeadership.class,
                PostgresCaptureInstaller.class, RetentionJob.class, Json.class, EventRows.class}) {
            assertThat(Modifier.isPublic(type.getModifiers())).as(type.getSimpleName()).isFalse();
        }
        assertThat(Modifier.isPublic(PostgresModule.class.getModifiers())).isTrue();
    }
}
