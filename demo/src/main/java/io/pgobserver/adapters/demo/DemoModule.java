package io.pgobserver.adapters.demo;

import com.google.inject.AbstractModule;
import io.pgobserver.domain.spi.Adapter;
import io.pgobserver.domain.spi.ObserverHost;

import java.util.List;
import java.util.Set;

/**
 * The demo as an adapter: it binds nothing and adds the {@code demo} command, which runs the installed adapters
 * through the core's {@link ObserverHost} on an embedded PostgreSQL. Installed as {@code adapters/demo/}, so the
 * core's {@code lib/} carries no embedded database or mail server.
 */
public final class DemoModule extends AbstractModule implements Adapter {

    public static final String NAME = "demo";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<Capability> provides() {
        return Set.of(Capability.COMMANDS);
    }

    @Override
    public List<Object> commands(ObserverHost host) {
        return List.of(new DemoCommand(host));
    }

    @Override
    protected void configure() {
        // Nothing to bind: the demo only adds a command.
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DemoModule;
    }

    @Override
    public int hashCode() {
        return DemoModule.class.hashCode();
    }
}
