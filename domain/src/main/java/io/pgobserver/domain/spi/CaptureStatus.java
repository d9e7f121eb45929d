package io.pgobserver.domain.spi;

import io.pgobserver.domain.port.CaptureInstaller;

import java.util.Optional;

/**
 * What {@code run}'s own check of the observed tables' capture found last, for an adapter that shows it (the
 * console): the check {@code status} makes ({@link CaptureInstaller#check}), made once every
 * {@code listener.capture_check_interval} for the whole process, so that a page refreshed every second does not
 * query the catalog for each observed table every second.
 */
public interface CaptureStatus {

    /**
     * The latest check that could read the catalog, or empty when none has yet (the checks have not started, as in
     * a process that does not run them, or the database has not answered since): the caller then checks itself.
     */
    Optional<CaptureInstaller.Check> latest();
}
