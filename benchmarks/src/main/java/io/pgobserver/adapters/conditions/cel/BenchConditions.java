package io.pgobserver.adapters.conditions.cel;

import io.pgobserver.domain.observer.Condition;

/** The CEL compiler the product uses, reached from benchmarks outside its package. */
public final class BenchConditions {

    private BenchConditions() {
    }

    public static Condition compile(String expression) {
        return new CelConditionCompiler().compile("bench", expression);
    }
}
