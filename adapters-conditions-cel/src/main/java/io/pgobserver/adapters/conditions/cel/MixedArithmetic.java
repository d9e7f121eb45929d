package io.pgobserver.adapters.conditions.cel;

import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelFunctionBinding;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleBinaryOperator;

/**
 * {@code +}, {@code -}, {@code *} and {@code /} between an integer and a double, giving a double. Standard CEL has
 * none: a row image holds a {@code numeric} (or {@code double precision}) value without a fraction as an integer and
 * one with a fraction as a double, so {@code after.total * 1.2 > 100} worked on 50.5 and failed, dead-lettered, on 50.
 * Comparisons mix the two already (the compiler's heterogeneous comparisons); arithmetic now does too. Two integers
 * still give an integer ({@code 5 / 2 == 2}), as CEL says.
 */
final class MixedArithmetic {

    private record Operator(String function, String overload, DoubleBinaryOperator apply) {
    }

    private static final List<Operator> OPERATORS = List.of(
            new Operator("_+_", "add", (a, b) -> a + b),
            new Operator("_-_", "subtract", (a, b) -> a - b),
            new Operator("_*_", "multiply", (a, b) -> a * b),
            new Operator("_/_", "divide", (a, b) -> a / b));

    private MixedArithmetic() {
    }

    static List<CelFunctionDecl> declarations() {
        List<CelFunctionDecl> declarations = new ArrayList<>();
        for (Operator operator : OPERATORS) {
            declarations.add(CelFunctionDecl.newFunctionDeclaration(operator.function(),
                    CelOverloadDecl.newGlobalOverload(operator.overload() + "_int64_double", SimpleType.DOUBLE,
                            SimpleType.INT, SimpleType.DOUBLE),
                    CelOverloadDecl.newGlobalOverload(operator.overload() + "_double_int64", SimpleType.DOUBLE,
                            SimpleType.DOUBLE, SimpleType.INT)));
        }
        return declarations;
    }

    static List<CelFunctionBinding> bindings() {
        List<CelFunctionBinding> bindings = new ArrayList<>();
        for (Operator operator : OPERATORS) {
            bindings.add(CelFunctionBinding.from(operator.overload() + "_int64_double", Long.class, Double.class,
                    (a, b) -> operator.apply().applyAsDouble(a, b)));
            bindings.add(CelFunctionBinding.from(operator.overload() + "_double_int64", Double.class, Long.class,
                    (a, b) -> operator.apply().applyAsDouble(a, b)));
        }
        return bindings;
    }
}
