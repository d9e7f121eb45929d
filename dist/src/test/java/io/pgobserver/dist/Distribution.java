package io.pgobserver.dist;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A copy of the built distribution ({@code dist/target/pg-observer-VERSION/}) with a chosen set of adapter folders,
 * run through its own {@code bin/pg-observer}, as a user who deleted the folders they do not need would run it.
 */
final class Distribution {

    /** The laid-out distribution, set by the failsafe configuration. */
    static Path built() {
        Path dist = Path.of(System.getProperty("pgobserver.dist", "target/missing"));
        assertThat(dist.resolve("bin/pg-observer")).as("the distribution laid out by `mvn package`").exists();
        return dist;
    }

    private final Path home;

    private Distribution(Path home) {
        this.home = home;
    }

    /** Copies bin/, lib/ and the named adapter folders into {@code target}. */
    static Distribution copy(Path target, List<String> adapters) throws IOException {
        Path source = built();
        copyTree(source.resolve("bin"), target.resolve("bin"));
        copyTree(source.resolve("lib"), target.resolve("lib"));
        for (String adapter : adapters) {
            copyTree(source.resolve("adapters").resolve(adapter), target.resolve("adapters").resolve(adapter));
        }
        // Every manifest stays, as it does when a user deletes adapter folders.
        Files.createDirectories(target.resolve("adapters"));
        try (Stream<Path> manifests = Files.list(source.resolve("adapters"))) {
            for (Path manifest : manifests.filter(p -> p.toString().endsWith(".properties")).toList()) {
                Files.copy(manifest, target.resolve("adapters").resolve(manifest.getFileName()),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        }
        target.resolve("bin/pg-observer").toFile().setExecutable(true);
        return new Distribution(target);
    }

    /** Drops an adapter built elsewhere into this copy's adapters/ folder. */
    /** Installs a third party's adapter as its guide says: its folder, and its manifest beside the folder. */
    void install(String folder, Path jar) throws IOException {
        Path dir = Files.createDirectories(home.resolve("adapters").resolve(folder));
        Files.copy(jar, dir.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        try (ZipFile zip = new ZipFile(jar.toFile());
             InputStream manifest = zip.getInputStream(zip.getEntry("META-INF/pg-observer/adapter.properties"))) {
            Files.copy(manifest, home.resolve("adapters").resolve(folder + ".properties"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Deletes an adapter's folder, as a user does, leaving its manifest. */
    void remove(String folder) throws IOException {
        try (Stream<Path> files = Files.walk(home.resolve("adapters").resolve(folder))) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    Path home() {
        return home;
    }

    /** Runs {@code bin/pg-observer args} to its end. */
    Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Started started = start(env, args);
        boolean exited = started.process().waitFor(3, TimeUnit.MINUTES);
        if (!exited) {
            started.process().destroyForcibly();
        }
        assertThat(exited).as("pg-observer %s ends", List.of(args)).isTrue();
        return new Result(started.process().exitValue(), started.out(), started.err());
    }

    /** Starts {@code bin/pg-observer args}; its output goes to files in the copy. */
    Started start(Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/pg-observer").toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(home, "pg-observer", ".out");
        Path err = Files.createTempFile(home, "pg-observer", ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/bin:/bin");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().putAll(env);
        return new Started(builder.start(), out, err);
    }

    /** A running command and where its output goes. */
    record Started(Process process, Path stdout, Path stderr) {
        String out() throws IOException {
            return Files.readString(stdout);
        }

        String err() throws IOException {
            return Files.readString(stderr);
        }
    }

    /** A finished command. */
    record Result(int exit, String out, String err) {
    }

    /** The size of a folder's files, in bytes. */
    static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
