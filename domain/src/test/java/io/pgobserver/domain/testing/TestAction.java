package io.pgobserver.domain.testing;

import io.pgobserver.domain.observer.ActionSpec;

import java.util.Objects;

/**
 * An action of any type, for the use cases' tests and the benchmarks: the core treats every {@link ActionSpec}
 * alike, and each real action type's settings live in the adapter that runs it.
 *
 * @param type   the action type its executor answers to, such as {@code webhook}
 * @param target where it goes, for {@link #describe()} (a URL, an address); never a secret
 */
public record TestAction(String type, String target) implements ActionSpec {

    public TestAction {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(target, "target");
    }

    @Override
    public String describe() {
        return type + " " + target;
    }
}
