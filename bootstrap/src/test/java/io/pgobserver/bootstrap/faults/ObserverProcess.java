package io.pgobserver.bootstrap.faults;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The packaged observer as a child process ({@code java -jar target/pg-observer.jar ...}), its output kept in
 * memory (each line stamped with a suite-wide sequence number, to tell which process spoke last) and appended
 * to a log file that survives the run for post-mortems.
 */
final class ObserverProcess implements AutoCloseable {

    private static final AtomicLong SEQUENCE = new AtomicLong();

    /**
     * The processes started and still running, killed when the suite's JVM exits: one a failed test left running (a
     * {@code run} retrying its lost database for ever) would otherwise go on after the build, and keep whatever waits
     * for the build's processes waiting.
     */
    private static final Set<Process> STARTED = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> STARTED.stream().filter(Process::isAlive)
                .forEach(Process::destroyForcibly), "kill-observer-processes"));
    }

    record Line(long seq, String text) {
    }

    /** A one-shot command's end: its exit code and everything it printed. */
    record Finished(int exitCode, String output) {
    }

    private final String name;
    private final Process process;
    private final List<Line> lines = new ArrayList<>();
    private final Thread pump;

    private ObserverProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        STARTED.add(process);
        process.onExit().thenRun(() -> STARTED.remove(process));
        this.pump = Thread.ofPlatform().daemon().name("output-" + name).start(() -> pump(log));
    }

    /** The JVM options the suites run the jar with: a small heap, the serial collector, a quick start. */
    static final List<String> JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto");

    /**
     * Starts {@code java -jar pg-observer.jar args...} with a clean environment plus {@code env}: {@link #JVM} and
     * the jar's class-data archive ({@link ClassArchive}).
     */
    static ObserverProcess start(String name, Path log, Map<String, String> env, String... args) throws IOException {
        return start(name, log, env, ClassArchive.with(JVM), args);
    }

    /** Starts {@code java OPTIONS -jar pg-observer.jar args...}: {@code jvm} instead of {@link #JVM}. */
    static ObserverProcess start(String name, Path log, Map<String, String> env, List<String> jvm, String... args)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvm);
        command.addAll(List.of("-jar", FaultSupport.JAR.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // Whatever the CI environment exports must not steer the child: only what the test sets.
        builder.environment().keySet().removeIf(k -> k.startsWith("OTEL_") || k.startsWith("TRACING_")
                || k.startsWith("JAEGER_") || k.startsWith("ZIPKIN_") || k.equals("DATABASE_URL")
                || k.startsWith("PGOBSERVER_") || k.startsWith("JAVA_TOOL_OPTIONS"));
        builder.environment().putAll(env);
        return new ObserverProcess(name, builder.start(), log);
    }

    /**
     * Runs a one-shot command ({@code install}, {@code status --json}, {@code dlq ...}) to its end, as
     * {@link #start(String, Path, Map, String...)} starts it.
     */
    static Finished runToEnd(String name, Path log, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        return runToEnd(name, log, env, ClassArchive.with(JVM), args);
    }

    /** Runs a one-shot command to its end with these JVM options instead of the suites'. */
    static Finished runToEnd(String name, Path log, Map<String, String> env, List<String> jvm, String... args)
            throws IOException, InterruptedException {
        ObserverProcess command = start(name, log, env, jvm, args);
        int code = command.waitFor(120);
        return new Finished(code, command.output());
    }

    private void pump(Path log) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
             Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                     StandardOpenOption.APPEND)) {
            out.write("---- " + name + " pid " + process.pid() + "\n");
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                synchronized (lines) {
                    lines.add(new Line(SEQUENCE.incrementAndGet(), line));
                }
                out.write(line);
                out.write('\n');
                out.flush();
            }
        } catch (IOException e) {
            // The process died: its pipe closed.
        }
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code once the process has ended. */
    int exitCode() {
        return process.exitValue();
    }

    /** The sequence number of the last line containing {@code text}, or -1. */
    long lastLine(String text) {
        synchronized (lines) {
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (lines.get(i).text().contains(text)) {
                    return lines.get(i).seq();
                }
            }
        }
        return -1;
    }

    long count(String text) {
        synchronized (lines) {
            return lines.stream().filter(l -> l.text().contains(text)).count();
        }
    }

    String output() {
        synchronized (lines) {
            StringBuilder all = new StringBuilder();
            lines.forEach(l -> all.append(l.text()).append('\n'));
            return all.toString();
        }
    }

    /** Its last {@code n} lines, for a failure message about how it ended. */
    String lastLines(int n) {
        synchronized (lines) {
            StringBuilder last = new StringBuilder();
            lines.subList(Math.max(0, lines.size() - n), lines.size())
                    .forEach(l -> last.append(l.text()).append('\n'));
            return last.toString();
        }
    }

    /** SIGKILL: no shutdown hook, no flush, no checkpoint save. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        pump.join(5_000);
    }

    /** Waits for the process to exit by itself; its exit code. */
    int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            kill();
            throw new AssertionError(name + " did not exit within " + seconds + " s; output:\n" + output());
        }
        pump.join(5_000);
        return process.exitValue();
    }

    /** SIGTERM, then a wait for the clean stop; SIGKILL if it does not come. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            kill();
            return -1;
        }
        pump.join(5_000);
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
