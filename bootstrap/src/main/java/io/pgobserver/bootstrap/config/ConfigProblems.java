package io.pgobserver.bootstrap.config;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The configuration errors found so far. The loader reads each part that stands on its own (a section, an
 * observer, an action) through this, so that an error in one does not hide the errors in the others and a file with
 * three typos is fixed in one attempt, as a compiler lists every error it finds. A part that failed is not
 * {@link Node#finish() finished}: the keys it did not get to read would only be reported again as unknown.
 */
final class ConfigProblems {

    private final List<ConfigException> found = new ArrayList<>();
    /** Problems noted again, counted so that {@link #count()} still tells a part that it failed. */
    private int repeats;

    /**
     * The value {@code part} reads, or null when it stopped at a problem, which is noted. An adapter's
     * {@link IllegalArgumentException} naming the key is a configuration error like the core's.
     */
    <T> T read(Supplier<T> part) {
        try {
            return part.get();
        } catch (ConfigException e) {
            note(e);
        } catch (IllegalArgumentException e) {
            note(new ConfigException(e.getMessage(), e));
        }
        return null;
    }

    /**
     * Notes a problem, once: a key two parts read (the core's {@code tracing.enabled}, which the tracing adapter's
     * section reads too) gives the same message twice. A repeat still counts as the part's failure.
     */
    private void note(ConfigException problem) {
        if (found.stream().noneMatch(e -> e.problems().equals(problem.problems()))) {
            found.add(problem);
        } else {
            repeats++;
        }
    }

    /** Runs {@code part}; false when it stopped at a problem, which is noted. */
    boolean check(Runnable part) {
        int before = count();
        read(() -> {
            part.run();
            return Boolean.TRUE;
        });
        return count() == before;
    }

    /** How many problems were noted: a part compares it before and after to know whether it had one. */
    int count() {
        return found.size() + repeats;
    }

    /** @throws ConfigException carrying every problem noted, in the order they were found, when there is one */
    void throwIfAny() {
        if (!found.isEmpty()) {
            throw ConfigException.of(found);
        }
    }
}
