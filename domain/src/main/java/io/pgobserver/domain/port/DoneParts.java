package io.pgobserver.domain.port;

import java.util.Collection;
import java.util.Set;

/**
 * The parts of one delivery that former attempts already did, so that an attempt after one that did some of them
 * does the rest only: an email's recipients the server took the mail for, when it refused or deferred others or the
 * connection broke after. A part is whatever string the executor names it by, the same in every attempt. The pipeline
 * keeps them across the delivery's attempts, and in the delivery log where there is one, so that a retry after a
 * restart or a {@code dlq replay} in another process does not do them again; a {@code replay} of history does every
 * part again, as it does every action.
 */
public interface DoneParts {

    /** Remembers nothing: every attempt does every part. */
    DoneParts NONE = new DoneParts() {
        @Override
        public Set<String> of(Collection<String> parts) {
            return Set.of();
        }

        @Override
        public void add(Collection<String> parts) {
        }
    };

    /**
     * Of these parts, the ones a former attempt did.
     *
     * @throws Unknown when the delivery log cannot say: the attempt should fail and be retried, not guess
     */
    Set<String> of(Collection<String> parts);

    /**
     * Notes that these parts are done, in the delivery log before it returns where there is one. A log that cannot
     * be written is logged and forgotten: the attempt is failing anyway, and only a later attempt in another process
     * then does those parts again.
     */
    void add(Collection<String> parts);

    /** The delivery log could not say which parts are done. */
    final class Unknown extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Unknown(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
