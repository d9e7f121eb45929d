package io.pgobserver.adapters.postgres;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import io.pgobserver.domain.port.Backfills;
import io.pgobserver.domain.port.CaptureInstaller;
import io.pgobserver.domain.port.ChangeHistory;
import io.pgobserver.domain.port.ChangeSource;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.DeadLetters;
import io.pgobserver.domain.port.Deliveries;
import io.pgobserver.domain.port.ParkedEvents;
import io.pgobserver.domain.port.Leadership;
import io.pgobserver.domain.spi.Adapter;
import io.pgobserver.domain.spi.ApplicationDatabase;
import io.pgobserver.domain.spi.ConfigSection;
import io.pgobserver.domain.spi.Lifecycle;

import java.util.List;
import java.util.Set;

/**
 * The PostgreSQL adapter: change capture and listener, checkpoint, dead-letter and delivery stores, the
 * single-active-listener lock and the optional retention job. Owns the {@code database:} section
 * ({@link DatabaseSection}); reads it, the core's {@code ListenerSettings} and the command's {@code StorageAccess}
 * from the injector. Nothing connects until the bound {@link Lifecycle}s start: the database one opens the pool and
 * migrates schema {@code pgobserver} (or, for a command that only reads, checks its version and changes nothing).
 */
public final class PostgresModule extends AbstractModule implements Adapter {

    public PostgresModule() {
    }

    @Override
    public String name() {
        return "adapters-postgres";
    }

    @Override
    public Set<Capability> provides() {
        return Set.of(Capability.CHANGE_SOURCE);
    }

    @Override
    public List<ConfigSection<?>> sections() {
        return List.of(new DatabaseSection());
    }

    @Override
    protected void configure() {
        bind(ChangeSource.class).to(PostgresChangeSource.class);
        bind(CheckpointStore.class).to(JdbiCheckpointStore.class);
        bind(DeadLetters.class).to(JdbiDeadLetters.class);
        bind(Deliveries.class).to(JdbiDeliveries.class);
        bind(ParkedEvents.class).to(JdbiParkedEvents.class);
        bind(Backfills.class).to(PostgresBackfills.class);
        bind(ChangeHistory.class).to(PostgresChangeHistory.class);
        bind(Leadership.class).to(AdvisoryLockLeadership.class);
        bind(CaptureInstaller.class).to(PostgresCaptureInstaller.class);
        bind(ApplicationDatabase.class).to(PooledApplicationDatabase.class);

        Multibinder<Lifecycle> lifecycles = Multibinder.newSetBinder(binder(), Lifecycle.class);
        lifecycles.addBinding().to(Database.class);
        lifecycles.addBinding().to(PostgresChangeSource.class);
        lifecycles.addBinding().to(AdvisoryLockLeadership.class);
        lifecycles.addBinding().to(RetentionJob.class);
        lifecycles.addBinding().to(ReplayClaims.class);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PostgresModule;
    }

    @Override
    public int hashCode() {
        return PostgresModule.class.hashCode();
    }
}
