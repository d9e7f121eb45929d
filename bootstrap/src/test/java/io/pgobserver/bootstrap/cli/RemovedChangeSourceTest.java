package io.pgobserver.bootstrap.cli;

import io.pgobserver.bootstrap.wiring.AdapterCatalog;
import io.pgobserver.domain.spi.Adapter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A deployment whose {@code adapters/adapters-postgres} folder was deleted: every command that boots the core stops
 * with exit 2 and one line naming the folder to put back, whether the database comes from {@code DATABASE_URL}
 * (which only that adapter reads) or is not configured at all, and not with Guice's dump of missing bindings.
 * With a {@code database:} section the loader already names the adapter (AdapterSectionsTest).
 */
class RemovedChangeSourceTest {

    private static final String MESSAGE = "configuration error: no installed adapter provides the PostgreSQL change "
            + "source, which this command needs: put adapters/adapters-postgres back, or point --adapters-dir (or "
            + "PGOBSERVER_ADAPTERS_DIR) at a folder that has it";

    /** Every adapter on the class path but the one that provides the change source. */
    private static final AdapterCatalog WITHOUT_POSTGRES = new AdapterCatalog(AdapterCatalog.discover().adapters()
            .stream().filter(a -> !a.provides().contains(Adapter.Capability.CHANGE_SOURCE)).toList());

    @TempDir
    Path dir;

    private Path config() throws IOException {
        return Files.writeString(dir.resolve("x.yaml"), """
                observers:
                  o:
                    entity: public.orders
                    actions: [ { type: webhook, url: "http://127.0.0.1:1/h" } ]
                """);
    }

    private static void assertStopsNamingTheFolder(Cli.Result result) {
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err().strip()).as(result.toString()).isEqualTo(MESSAGE);
        assertThat(result.out()).as(result.toString()).doesNotContain("configuration is valid");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"check-config", "status", "run", "install --table public.orders", "dlq list",
            "dlq replay --all", "backfill --table public.orders",
            "replay --observer o --from-position 1 --to-position 2"})
    void a_command_with_DATABASE_URL_and_no_database_section_names_the_folder(String command) throws IOException {
        List<String> args = new ArrayList<>(List.of(command.split(" ")));
        args.addAll(List.of("--config", config().toString()));
        assertStopsNamingTheFolder(Cli.run(WITHOUT_POSTGRES,
                Map.of("DATABASE_URL", "postgres://app:S3cret@localhost:5432/db"), args.toArray(String[]::new)));
    }

    @Test
    void no_database_settings_at_all_name_the_folder_too() throws IOException {
        assertStopsNamingTheFolder(Cli.run(WITHOUT_POSTGRES, Map.of(), "check-config", "--config",
                config().toString()));
        assertStopsNamingTheFolder(Cli.run(WITHOUT_POSTGRES, Map.of(), "status", "--config", config().toString()));
    }

    @Test
    void listing_the_adapters_needs_no_change_source() {
        Cli.Result adapters = Cli.run(WITHOUT_POSTGRES, Map.of(), "adapters");
        assertThat(adapters.exitCode()).as(adapters.toString()).isZero();
        assertThat(adapters.out()).contains("adapters-actions").doesNotContain("adapters-postgres");
    }
}
