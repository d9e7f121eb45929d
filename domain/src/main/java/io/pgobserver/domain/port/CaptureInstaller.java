package io.pgobserver.domain.port;

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
}
