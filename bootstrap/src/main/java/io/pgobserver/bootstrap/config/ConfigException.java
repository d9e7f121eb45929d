package io.pgobserver.bootstrap.config;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Bad configuration: the message names the key and says how to fix it. Exit code 2. One exception may carry several
 * problems ({@link #problems()}), each said on its own line, so that a file with three typos takes one attempt to fix,
 * not three.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Each problem's message, in the configuration's order; one for an exception made with a message. */
    private final List<String> problems;

    public ConfigException(String message) {
        super(message);
        this.problems = List.of(String.valueOf(message));
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
        this.problems = List.of(String.valueOf(message));
    }

    private ConfigException(List<ConfigException> found) {
        super(found.size() + " configuration errors: " + IntStream.range(0, found.size())
                .mapToObj(i -> "(" + (i + 1) + ") " + found.get(i).getMessage()).collect(Collectors.joining("; ")),
                found.get(0));
        this.problems = found.stream().flatMap(e -> e.problems().stream()).toList();
        found.stream().skip(1).forEach(this::addSuppressed); // --verbose prints each one's trace
    }

    /**
     * The problems found, as one exception: the only one as it is, several together.
     *
     * @throws IllegalArgumentException when {@code found} is empty
     */
    public static ConfigException of(List<ConfigException> found) {
        if (found.isEmpty()) {
            throw new IllegalArgumentException("no configuration problem to report");
        }
        return found.size() == 1 ? found.get(0) : new ConfigException(List.copyOf(found));
    }

    /** Each problem's message, one per line said. */
    public List<String> problems() {
        return problems;
    }
}
