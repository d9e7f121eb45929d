package io.pgobserver.application;

import io.pgobserver.domain.observer.ActionSpec;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.port.ActionExecutor;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/** The executors by action type, and the boot-time check that every configured action can run. */
public final class ActionExecutors {

    private final Map<String, ActionExecutor> byType;

    public ActionExecutors(Collection<ActionExecutor> executors) {
        Map<String, ActionExecutor> map = new HashMap<>();
        for (ActionExecutor executor : executors) {
            ActionExecutor previous = map.put(executor.type(), executor);
            if (previous != null) {
                throw new IllegalStateException("two executors for action type '" + executor.type() + "': "
                        + previous.getClass().getName() + " and " + executor.getClass().getName());
            }
        }
        this.byType = Map.copyOf(map);
    }

    /** The executor for a type; null when none is installed (checked at boot by {@link #validate}). */
    public ActionExecutor forType(String type) {
        return byType.get(type);
    }

    /**
     * Checks every action of every observer: an executor exists and accepts the settings.
     *
     * @throws IllegalArgumentException naming the observer, the action and the fix
     */
    public void validate(Collection<Observer> observers) {
        for (Observer observer : observers) {
            for (int i = 0; i < observer.actions().size(); i++) {
                ActionSpec action = observer.actions().get(i);
                ActionExecutor executor = byType.get(action.type());
                String where = "observers." + observer.name() + ".actions[" + i + "]";
                if (executor == null) {
                    throw new IllegalArgumentException(where + ": no executor for action type '" + action.type()
                            + "' (installed: " + new TreeSet<>(byType.keySet())
                            + "); put the adapters-actions module on the class path");
                }
                try {
                    executor.validate(action);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /** The first executor's readiness problem, or null. */
    String problem() {
        for (ActionExecutor executor : byType.values()) {
            String problem = executor.problem();
            if (problem != null) {
                return executor.type() + " actions: " + problem;
            }
        }
        return null;
    }
}
