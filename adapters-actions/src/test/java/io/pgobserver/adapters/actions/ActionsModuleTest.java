package io.pgobserver.adapters.actions;

import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.port.Metrics;
import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.pgobserver.domain.port.ActionExecutor;
import io.pgobserver.domain.spi.Adapter;
import io.pgobserver.domain.spi.Lifecycle;
import org.junit.jupiter.api.Test;

import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class ActionsModuleTest {

    private static Injector injector() {
        return Guice.createInjector(new ActionsModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(ActionsSettings.class).toInstance(ActionsSettings.defaults());
                // The core's binding: the HTTP pool is sized by listener.max_in_flight.
                bind(ListenerSettings.class).toInstance(ListenerSettings.defaults());
                // The tracing adapter's binding in a running observer.
                bind(Metrics.class).toInstance(Metrics.NOOP);
            }
        });
    }

    @Test
    void isFoundByServiceLoaderWithItsNameAndCapability() {
        Adapter adapter = ServiceLoader.load(Adapter.class).stream().map(ServiceLoader.Provider::get)
                .filter(a -> a.name().equals("adapters-actions")).findFirst().orElseThrow();
        assertThat(adapter).isInstanceOf(ActionsModule.class);
        assertThat(adapter.provides()).containsExactly(Adapter.Capability.ACTIONS);
    }

    @Test
    void bindsOneExecutorPerActionTypeAndTheHttpClientLifecycle() {
        Injector injector = injector();
        Set<ActionExecutor> executors = injector.getInstance(Key.get(new TypeLiteral<Set<ActionExecutor>>() { }));
        assertThat(executors.stream().map(ActionExecutor::type).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("webhook", "slack");
        Set<Lifecycle> lifecycles = injector.getInstance(Key.get(new TypeLiteral<Set<Lifecycle>>() { }));
        assertThat(lifecycles).singleElement().isInstanceOf(HttpTransport.class)
                .isSameAs(injector.getInstance(HttpTransport.class));
        assertThat(lifecycles.iterator().next().order()).isEqualTo(Lifecycle.ORDER_ACTIONS);
        assertThat(injector.getInstance(Key.get(new TypeLiteral<Set<ActionExecutor>>() { })))
                .as("executors are singletons (they cache prepared actions)").isEqualTo(executors);
        lifecycles.forEach(Lifecycle::stop);
    }
}
