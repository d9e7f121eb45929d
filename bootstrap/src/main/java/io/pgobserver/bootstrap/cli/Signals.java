package io.pgobserver.bootstrap.cli;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Replaces the JVM's handling of a signal (run the shutdown hooks, exit 128 + signal number) with a callback,
 * through {@code sun.misc.Signal} of module {@code jdk.unsupported}, which the JDK keeps for exactly this. It is
 * reached by reflection, so the build has no compile-time tie to it and a JDK without it falls back to the
 * shutdown hooks.
 */
final class Signals {

    private Signals() {
    }

    /**
     * Calls {@code callback} on the signal (such as {@code TERM}, {@code INT}) instead of exiting.
     *
     * @return false when this JVM cannot do it (no {@code jdk.unsupported}, {@code -Xrs}, a signal unknown here):
     *         the default handling stays
     */
    static boolean handle(String name, Runnable callback) {
        try {
            Class<?> signalType = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Object signal = signalType.getConstructor(String.class).newInstance(name);
            Object handler = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[]{handlerType},
                    (proxy, method, args) -> invoke(proxy, method, args, name, callback));
            signalType.getMethod("handle", signalType, handlerType).invoke(null, signal, handler);
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // Class or method missing, or (wrapped in InvocationTargetException) an IllegalArgumentException for a
            // signal unknown here or reserved by the JVM (-Xrs).
            return false;
        }
    }

    private static Object invoke(Object proxy, Method method, Object[] args, String name, Runnable callback) {
        return switch (method.getName()) {
            case "handle" -> {
                callback.run();
                yield null;
            }
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            case "toString" -> "pg-observer SIG" + name + " handler";
            default -> throw new UnsupportedOperationException(method.getName());
        };
    }
}
