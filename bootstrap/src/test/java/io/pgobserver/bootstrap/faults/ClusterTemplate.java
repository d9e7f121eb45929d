package io.pgobserver.bootstrap.faults;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

/**
 * A new PostgreSQL data directory, made once per test JVM (initdb, one start, a clean stop) and copied for each
 * {@link FaultSupport.Postgres} that starts on an empty directory: every suite still gets a server of its own on
 * files of its own, fresh and shared with no one, without running initdb again (a few seconds each on two cores).
 */
final class ClusterTemplate {

    private static Path template;

    private ClusterTemplate() {
    }

    /** Fills the (absent or empty) {@code dataDir} with a copy of the template. */
    static void copyTo(Path dataDir) throws IOException {
        Path source = template();
        try (Stream<Path> paths = Files.walk(source)) {
            paths.forEach(from -> {
                Path to = dataDir.resolve(source.relativize(from).toString());
                try {
                    if (Files.isDirectory(from)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        // PostgreSQL refuses a data directory others may read.
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
    }

    private static synchronized Path template() throws IOException {
        if (template == null) {
            Path parent = Files.createTempDirectory("pgobserver-cluster-template");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> FaultSupport.deleteTree(parent)));
            Path dir = parent.resolve("pgdata");
            EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).start().close();
            template = dir;
        }
        return template;
    }
}
