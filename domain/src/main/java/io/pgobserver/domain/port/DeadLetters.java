package io.pgobserver.domain.port;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** The dead-letter queue: actions given up on, kept per consumer until replayed. */
public interface DeadLetters {

    /**
     * Stores the letter and, in the same transaction, records its {@link DeadLetter#deliveryKey()} as settled in
     * {@link Deliveries}, so that the event, if it runs again after a crash, does not dead-letter the action a
     * second time. Returns the letter's id. Fenced as {@link Deliveries#record(CheckpointStore.Fence,
     * java.util.Collection)} is: the check and the write are one transaction.
     *
     * @param fence the writer's claim, or null for a writer outside the pipeline
     * @throws CheckpointStore.FencedException when another process claimed the consumer since {@code fence}
     * @throws DatabaseStoppedAnswering         when the database stopped answering (nothing is stored)
     */
    long add(CheckpointStore.Fence fence, DeadLetter letter) throws CheckpointStore.FencedException;

    /** Stores a letter outside the pipeline (unfenced). */
    default long add(DeadLetter letter) {
        try {
            return add(null, letter);
        } catch (CheckpointStore.FencedException e) {
            throw new IllegalStateException("an unfenced write cannot be fenced", e);
        }
    }

    /** The consumer's letters in id order, oldest first, at most {@code limit}. */
    default List<DeadLetter> list(String consumer, int limit) {
        return list(consumer, 0, limit);
    }

    /**
     * The consumer's letters with an id above {@code after}, oldest first, at most {@code limit}: a page of a queue
     * too long to read at once, the next one starting after the last id of this one.
     */
    List<DeadLetter> list(String consumer, long after, int limit);

    /**
     * The id of the consumer's newest letter, 0 when it has none: where a replay of the whole queue stops, so that
     * letters added while it runs are left for the next one rather than chased for ever.
     */
    long lastId(String consumer);

    /** The consumer's letter with this id; empty when there is none, or it is another consumer's. */
    Optional<DeadLetter> find(String consumer, long id);

    /** Removes a letter after a successful replay; false when it was not there. */
    boolean remove(long id);

    /** How many letters each of the consumer's observers has. */
    Map<String, Long> countByObserver(String consumer);

    /**
     * Claims the letter for one replay, so that two replays of it (the console and {@code dlq replay}, two
     * terminals) never run its actions both: empty when another replay holds it. The claim holds until closed, and
     * ends with its holder however that ends ({@code kill -9}, a lost connection), so none is left behind to
     * keep the letter from ever being replayed. Claim first, then read the letter again: the replay that held it
     * may have delivered and removed it meanwhile.
     *
     * @throws DatabaseStoppedAnswering when the database stopped answering (nothing is claimed)
     */
    Optional<Claim> claim(long id);

    /**
     * Who holds the letter's claim, as far as the store knows, for the message of the replay that did not get it;
     * empty when no one does (any more) or the store cannot tell.
     */
    Optional<ClaimHolder> claimHolder(long id);

    /** A letter's replay claim, held until closed; closing it twice does nothing. */
    interface Claim extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * The replay that holds a letter's claim: its process as operators find it (as {@code pid@host}) and since
     * when it holds the claim, null when the database does not say (it shows another role's sessions without it).
     */
    record ClaimHolder(String process, Instant since) {
        public ClaimHolder {
            Objects.requireNonNull(process, "process");
        }
    }
}
