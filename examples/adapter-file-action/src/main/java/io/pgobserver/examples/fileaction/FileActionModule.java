package io.pgobserver.examples.fileaction;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import io.pgobserver.domain.port.ActionExecutor;
import io.pgobserver.domain.spi.ActionType;
import io.pgobserver.domain.spi.Adapter;

import java.util.List;
import java.util.Set;

/**
 * An adapter written outside the core: it registers the action type {@code file} ({@link FileActionType} reads
 * its keys) and binds the executor that runs it. Everything it needs from pg-observer is the domain's SPI.
 */
public final class FileActionModule extends AbstractModule implements Adapter {

    @Override
    public String name() {
        return "adapter-file-action";
    }

    @Override
    public Set<Capability> provides() {
        return Set.of(Capability.ACTIONS);
    }

    @Override
    public List<ActionType<?>> actionTypes() {
        return List.of(new FileActionType());
    }

    @Override
    protected void configure() {
        Multibinder.newSetBinder(binder(), ActionExecutor.class).addBinding().to(FileActionExecutor.class);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FileActionModule;
    }

    @Override
    public int hashCode() {
        return FileActionModule.class.hashCode();
    }
}
