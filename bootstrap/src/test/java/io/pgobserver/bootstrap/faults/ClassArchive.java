package io.pgobserver.bootstrap.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A class-data archive (CDS) of the packaged jar, made once per test JVM and mapped by every jar the suites start
 * with {@link ObserverProcess#JVM}: a start then maps the jar's classes instead of reading, parsing and verifying
 * them, about a second less on two cores (where the suites start the jar well over a hundred times). It is made
 * by one run of the jar's own {@code demo} (an embedded PostgreSQL, the whole pipeline, webhooks, spans), which
 * loads what {@code run} and the one-shot commands load. Speed only: the observer runs the same code from it, and
 * where it cannot be made the jar starts without it.
 */
final class ClassArchive {

    /** Per test JVM: a stale archive (another build of the jar) would be refused, and forks must not share one. */
    private static final Path FILE = Path.of("target", "pg-observer-" + ProcessHandle.current().pid() + ".jsa");
    private static List<String> options;

    private ClassArchive() {
    }

    /** {@code jvm} plus the archive, made on the first call; {@code jvm} alone when it could not be made. */
    static synchronized List<String> with(List<String> jvm) {
        if (options == null) {
            options = make(jvm) ? List.of("-XX:SharedArchiveFile=" + FILE.toAbsolutePath()) : List.of();
        }
        List<String> all = new ArrayList<>(jvm);
        all.addAll(options);
        return all;
    }

    private static boolean make(List<String> jvm) {
        Path log = Path.of("target", "class-archive.log");
        try {
            Files.deleteIfExists(FILE);
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvm);
            // The demo's PostgreSQL is unpacked where the suites' own is (the temporary directory), once for both.
            command.addAll(List.of("-XX:ArchiveClassesAtExit=" + FILE.toAbsolutePath(), "-jar",
                    FaultSupport.JAR.toAbsolutePath().toString(), "demo", "--events", "2", "--interval", "100ms"));
            Process demo = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!demo.waitFor(3, TimeUnit.MINUTES)) {
                demo.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            boolean made = !demo.isAlive() && demo.exitValue() == 0 && Files.size(FILE) > 0;
            if (made) {
                FILE.toFile().deleteOnExit();
            } else {
                System.err.println("no class-data archive of the jar (see " + log + "): it starts without one");
            }
            return made;
        } catch (IOException e) {
            System.err.println("no class-data archive of the jar (" + e + "): it starts without one");
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
