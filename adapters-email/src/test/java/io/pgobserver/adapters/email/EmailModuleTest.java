package io.pgobserver.adapters.email;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.pgobserver.domain.port.ActionExecutor;
import io.pgobserver.domain.spi.Adapter;
import io.pgobserver.domain.spi.ConfigSection;
import org.junit.jupiter.api.Test;

import java.util.ServiceLoader;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class EmailModuleTest {

    @Test
    void isFoundByServiceLoaderWithItsNameSectionAndActionType() {
        Adapter adapter = ServiceLoader.load(Adapter.class).stream().map(ServiceLoader.Provider::get)
                .filter(a -> a.name().equals("adapters-email")).findFirst().orElseThrow();
        assertThat(adapter).isInstanceOf(EmailModule.class);
        assertThat(adapter.provides()).containsExactly(Adapter.Capability.ACTIONS);
        assertThat(adapter.sections()).extracting(ConfigSection::key).containsExactly("email");
        assertThat(adapter.actionTypes()).extracting(t -> t.name()).containsExactly("email");
    }

    @Test
    void bindsTheEmailExecutorOnceAsASingleton() {
        Injector injector = Guice.createInjector(new EmailModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(EmailSettings.class).toInstance(new EmailSettings(null, null));
            }
        });
        Key<Set<ActionExecutor>> key = Key.get(new TypeLiteral<Set<ActionExecutor>>() { });
        Set<ActionExecutor> executors = injector.getInstance(key);
        assertThat(executors).singleElement().isInstanceOf(EmailExecutor.class)
                .extracting(ActionExecutor::type).isEqualTo("email");
        assertThat(injector.getInstance(key)).as("a singleton: it caches prepared actions").isEqualTo(executors);
    }
}
