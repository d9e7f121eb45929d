package io.pgobserver.domain.spi;

import java.util.List;
import java.util.Set;

/**
 * An adapter module found at boot with {@link java.util.ServiceLoader}. The implementing class is also the
 * adapter's one Guice module (it extends Guice's {@code AbstractModule}); the domain names only this
 * interface, so it stays free of Guice. A deployment is assembled by choosing which adapter folders are
 * installed (or which adapter jars are on the class path): the core installs every adapter it finds, and picks
 * one tracing adapter.
 *
 * <p>An adapter owns its configuration: the sections it reads ({@link #sections()}) and the action types it runs
 * ({@link #actionTypes()}). The core reads only its own keys.
 */
public interface Adapter {

    /** The Maven module that holds the adapter, such as {@code adapters-tracing-otel}: named in boot errors. */
    String name();

    /** What the adapter provides. */
    Set<Capability> provides();

    /** The top-level configuration sections this adapter reads, such as {@code database}. */
    default List<ConfigSection<?>> sections() {
        return List.of();
    }

    /** The action types this adapter runs, such as {@code webhook}. */
    default List<ActionType<?>> actionTypes() {
        return List.of();
    }

    /**
     * Subcommands this adapter adds to {@code pg-observer} (picocli command objects, such as the demo's
     * {@code demo}). They run the observer through the host.
     */
    default List<Object> commands(ObserverHost host) {
        return List.of();
    }

    enum Capability {
        /** {@code Tracer} and {@code Metrics}. At most one tracing adapter is installed. */
        TRACING,
        /**
         * {@code ChangeSource}, {@code CheckpointStore}, {@code DeadLetters}, {@code Deliveries},
         * {@code ParkedEvents}, {@code Leadership}.
         */
        CHANGE_SOURCE,
        /** One {@code ActionExecutor} per action type, bound in a Guice multibinder. */
        ACTIONS,
        /** A {@code ConditionCompiler}. */
        CONDITIONS,
        /** Subcommands, from {@link #commands}. */
        COMMANDS,
        /** Pages on the admin port ({@code AdminRoute}s in a Guice set binder), such as the console. */
        PAGES
    }
}
