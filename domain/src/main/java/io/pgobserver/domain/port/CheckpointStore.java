package io.pgobserver.domain.port;

import io.pgobserver.domain.event.Position;

import java.util.Optional;

/** Remembers, per consumer, the position up to which every event has been handled. */
public interface CheckpointStore {

    /** The saved position, or empty for a consumer that never saved one. */
    Optional<Position> load(String consumer);

    /** Saves the position; a position behind the saved one is ignored (checkpoints never move back). */
    void save(String consumer, Position position);
}
