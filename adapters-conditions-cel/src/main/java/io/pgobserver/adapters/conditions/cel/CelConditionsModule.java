package io.pgobserver.adapters.conditions.cel;

import com.google.inject.AbstractModule;
import io.pgobserver.domain.observer.ConditionCompiler;
import io.pgobserver.domain.spi.Adapter;

import java.util.Set;

/**
 * Observer conditions in CEL (the Common Expression Language): binds the {@link ConditionCompiler}. Conditions
 * see {@code event}, {@code before} and {@code after} as maps and are compiled once, at boot.
 */
public final class CelConditionsModule extends AbstractModule implements Adapter {

    public static final String NAME = "adapters-conditions-cel";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<Capability> provides() {
        return Set.of(Capability.CONDITIONS);
    }

    @Override
    protected void configure() {
        bind(ConditionCompiler.class).to(CelConditionCompiler.class).asEagerSingleton();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CelConditionsModule;
    }

    @Override
    public int hashCode() {
        return CelConditionsModule.class.hashCode();
    }
}
