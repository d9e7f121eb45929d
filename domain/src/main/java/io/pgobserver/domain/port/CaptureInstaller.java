package io.pgobserver.domain.port;

import java.util.Collection;
import java.util.List;

/**
 * Starts capturing a table's row changes into the change stream. Installing twice is harmless: the second
 * install replaces the first (so it can also change the id column).
 */
public interface CaptureInstaller {

    /**
     * Installs capture on a table.
     *
     * @param schemaTable the table as {@code schema.table}, with the names as the catalog spells them
     * @param idColumn    the column whose value becomes the event's entity id, or null for the table's
     *                    single-column primary key
     * @throws IllegalArgumentException when the table or column does not exist, or no id column can be chosen;
     *                                  the message says how to fix it
     */
    void install(String schemaTable, String idColumn);

    /**
     * Why changes of the observed tables would not reach their observers, one sentence per table that says what to
     * do: a table that is not there (dropped, renamed), not captured, captured as a partition of another table, or
     * whose capture takes the entity id from a column it no longer has. Empty when each is captured as installed.
     * A table that is not there is not always a mistake: applications may write its events to the change stream
     * themselves.
     *
     * @param schemaTables the observers' entities, as {@code schema.table}
     */
    List<String> problems(Collection<String> schemaTables);
}
