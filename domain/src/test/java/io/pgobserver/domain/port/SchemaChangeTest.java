package io.pgobserver.domain.port;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** install says what it did to the schema, where it said "up to date (migrations applied)" whatever it did. */
class SchemaChangeTest {

    @Test
    void saysWhetherTheSchemaWasCreatedMigratedOrAlreadyCurrent() {
        assertThat(new SchemaChange(null, "9").summary()).isEqualTo("created at version 9");
        assertThat(new SchemaChange("7", "9").summary()).isEqualTo("migrated from version 7 to 9");
        assertThat(new SchemaChange("9", "9").summary()).isEqualTo("already at version 9");
        assertThat(new SchemaChange("12", "12", "11").summary()).isEqualTo("at version 12, newer than this "
                + "release's 11: a newer release migrated it, and this one runs on it as it is");
    }
}
