package io.pgobserver.bootstrap.wiring;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.pgobserver.domain.observer.Observer;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import com.google.inject.Stage;
import com.google.inject.spi.Message;
import io.pgobserver.bootstrap.config.ConfigException;
import io.pgobserver.bootstrap.config.Configuration;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Builds the injector for a configuration from the adapters on the class path. */
public final class Boot {

    private Boot() {
    }

    /** The injector, and which tracing adapter was chosen. */
    public record Booted(Injector injector, String tracingAdapter) {
        public <T> T get(Class<T> type) {
            return unwrap(() -> injector.getInstance(type));
        }

        /** The observers, conditions compiled and actions validated. */
        public List<Observer> observers() {
            return unwrap(() -> injector.getInstance(Key.get(new TypeLiteral<List<Observer>>() { })));
        }
    }

    public static Booted boot(Configuration config, AdapterCatalog catalog, Module... extra) {
        AdapterCatalog.Selection selection = catalog.select(config);
        List<Module> modules = new ArrayList<>(selection.modules());
        modules.add(new CoreModule(config));
        modules.addAll(List.of(extra));
        Injector injector = unwrap(() -> Guice.createInjector(Stage.PRODUCTION, modules));
        return new Booted(injector, selection.tracingAdapter());
    }

    /**
     * Runs an injector call and turns Guice's wrapped failures back into the configuration error that caused
     * them, so the user reads "observers.x: ..." and not a Guice stack trace.
     */
    public static <T> T unwrap(Supplier<T> call) {
        try {
            return call.get();
        } catch (CreationException e) {
            throw rethrow(e.getErrorMessages(), e);
        } catch (ProvisionException e) {
            throw rethrow(e.getErrorMessages(), e);
        }
    }

    private static RuntimeException rethrow(Iterable<Message> messages, RuntimeException original) {
        for (Message message : messages) {
            Throwable cause = message.getCause();
            while (cause != null) {
                if (cause instanceof ConfigException config) {
                    return config;
                }
                // Adapters reject bad settings with IllegalArgumentException naming the key:
                // that is a configuration error, exit 2, not a crash.
                if (cause instanceof IllegalArgumentException bad && bad.getMessage() != null) {
                    return new ConfigException(bad.getMessage(), bad);
                }
                cause = cause.getCause();
            }
        }
        return original;
    }
}
