package io.pgobserver.domain.port;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The dead-letter queue: actions given up on, kept until replayed. */
public interface DeadLetters {

    /** Stores the letter and returns its id. */
    long add(DeadLetter letter);

    /** Letters in id order, oldest first, at most {@code limit}. */
    List<DeadLetter> list(int limit);

    Optional<DeadLetter> find(long id);

    /** Removes a letter after a successful replay; false when it was not there. */
    boolean remove(long id);

    /** How many letters each observer has. */
    Map<String, Long> countByObserver();
}
