package io.pgobserver.adapters.kafka;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import io.pgobserver.domain.port.ActionExecutor;
import io.pgobserver.domain.spi.ActionType;
import io.pgobserver.domain.spi.Adapter;
import io.pgobserver.domain.spi.ConfigSection;
import io.pgobserver.domain.spi.Lifecycle;

import java.util.List;
import java.util.Set;

/**
 * The {@code kafka} action on kafka-clients: binds its executor in the set of {@link ActionExecutor}s, and its
 * producer and the executor (its watch over the cluster) as {@link Lifecycle}s, owns the {@code kafka:} section
 * ({@link KafkaSection}) and registers the action type ({@link KafkaActionType}). A module of its own so that a
 * deployment without Kafka carries no Kafka client.
 */
public final class KafkaModule extends AbstractModule implements Adapter {

    public static final String NAME = "adapters-kafka";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<Capability> provides() {
        return Set.of(Capability.ACTIONS);
    }

    @Override
    public List<ConfigSection<?>> sections() {
        return List.of(new KafkaSection());
    }

    @Override
    public List<ActionType<?>> actionTypes() {
        return List.of(new KafkaActionType());
    }

    @Override
    protected void configure() {
        Multibinder.newSetBinder(binder(), ActionExecutor.class).addBinding().to(KafkaExecutor.class);
        Multibinder<Lifecycle> lifecycles = Multibinder.newSetBinder(binder(), Lifecycle.class);
        lifecycles.addBinding().to(KafkaClient.class);
        // The executor's watch over the cluster's outages (ClusterWatch); the same singleton as the executor.
        lifecycles.addBinding().to(KafkaExecutor.class);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof KafkaModule;
    }

    @Override
    public int hashCode() {
        return KafkaModule.class.hashCode();
    }
}
