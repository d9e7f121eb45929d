package io.pgobserver.domain.observer;

/** Compiles condition expressions once, at boot. The CEL adapter implements it. */
public interface ConditionCompiler {

    /**
     * @param observer   the observer's name, for error messages
     * @param expression the source; blank means "always"
     * @throws IllegalArgumentException naming the observer and the problem when the expression does not compile
     */
    Condition compile(String observer, String expression);
}
