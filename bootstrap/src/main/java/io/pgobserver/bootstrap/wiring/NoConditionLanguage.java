package io.pgobserver.bootstrap.wiring;

import com.google.inject.AbstractModule;
import io.pgobserver.domain.observer.Condition;
import io.pgobserver.domain.observer.ConditionCompiler;

/**
 * Installed when no adapter provides a condition language: observers without a condition run on every change of
 * their table, and an observer with one stops the boot naming the adapter that would compile it.
 */
final class NoConditionLanguage extends AbstractModule implements ConditionCompiler {

    private final String message;

    /** @param message the error for a condition, naming the folder to put back ({@code ConfigSchema}) */
    NoConditionLanguage(String message) {
        this.message = message;
    }

    @Override
    protected void configure() {
        bind(ConditionCompiler.class).toInstance(this);
    }

    @Override
    public Condition compile(String observer, String expression) {
        if (expression == null || expression.isBlank()) {
            return Condition.ALWAYS;
        }
        throw new IllegalArgumentException(message);
    }
}
