package io.pgobserver.bootstrap.wiring;

import com.google.inject.AbstractModule;
import io.pgobserver.domain.observer.Condition;
import io.pgobserver.domain.observer.ConditionCompiler;

/**
 * Installed when no adapter provides a condition language: observers without a condition run on every change of
 * their table, and an observer with one stops the boot naming the adapter that would compile it.
 */
final class NoConditionLanguage extends AbstractModule implements ConditionCompiler {

    static final String CEL = "adapters-conditions-cel";

    @Override
    protected void configure() {
        bind(ConditionCompiler.class).toInstance(this);
    }

    @Override
    public Condition compile(String observer, String expression) {
        if (expression == null || expression.isBlank()) {
            return Condition.ALWAYS;
        }
        throw new IllegalArgumentException("condition needs the adapter " + CEL + ", which is not installed: add "
                + "its folder to adapters/, or remove the condition");
    }
}
