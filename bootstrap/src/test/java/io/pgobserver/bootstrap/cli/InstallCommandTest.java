package io.pgobserver.bootstrap.cli;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** What install says of the tables it captured that no observer watches yet. */
class InstallCommandTest {

    @Test
    void aFewUnobservedTablesAreNamedInOneNote() {
        assertThat(InstallCommand.unobservedNote(List.of("public.a", "public.b"))).isEqualTo("note: no observer in "
                + "this configuration watches public.a, public.b yet (observers.<name>.entity: public.a)");
    }

    /** Installing a schema's 150 tables before writing their observers printed 150 notes. */
    @Test
    void manyUnobservedTablesAreCountedWithTheFirstFewNamed() {
        List<String> tables = IntStream.rangeClosed(1, 150).mapToObj(i -> "public.t" + i).toList();
        assertThat(InstallCommand.unobservedNote(tables)).isEqualTo("note: no observer in this configuration "
                + "watches 150 of these tables yet: public.t1, public.t2, public.t3, public.t4, public.t5 and 145 "
                + "more (observers.<name>.entity: public.t1)");
    }
}
