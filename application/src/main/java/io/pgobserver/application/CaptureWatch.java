package io.pgobserver.application;

import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.port.CaptureInstaller;
import io.pgobserver.domain.port.CaptureInstaller.Check;
import io.pgobserver.domain.port.CaptureInstaller.Problem;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.spi.CaptureStatus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * Keeps checking that the observed tables are captured as installed. Renaming or dropping a captured table, or its
 * entity id column, fails no write, and a migration that recreates a table drops its trigger with it: without a
 * check, the observers would simply get nothing more (or all of a table's rows as one entity), and no log line or
 * metric would say why. So {@code run} checks when it starts and every {@code listener.capture_check_interval} after
 * (one catalog query for all the observed tables each time): a problem is logged once when it is found and once
 * when it is gone, and the metric reports those of the latest check, for alerts. The console shows the latest check
 * ({@link #latest()}) rather than checking again on each refresh.
 */
public final class CaptureWatch implements CaptureStatus, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(CaptureWatch.class.getName());

    private final CaptureInstaller capture;
    private final List<String> tables;
    private final List<Observer> observers;
    private final Metrics metrics;
    /** What the latest check said of columns the observers name and their tables' events lack. */
    private Set<String> columnWarnings = Set.of();
    /** The problems of the latest check that could read the catalog, by table. */
    private Map<String, Problem> known = Map.of();
    private boolean checked;
    /** What {@link #known} came from, for the console; null until a check could read the catalog. */
    private volatile Check latest;
    private volatile Thread thread;
    private final ReentrantLock lock = new ReentrantLock();

    /** @param tables the observed tables (the observers' entities), as {@code schema.table} */
    public CaptureWatch(CaptureInstaller capture, Collection<String> tables, Metrics metrics) {
        this.capture = capture;
        this.tables = List.copyOf(tables);
        this.observers = List.of();
        this.metrics = metrics;
    }

    /**
     * A watch that also says which columns the observers name (in conditions and templates) that their tables'
     * events lack ({@link NamedColumns}): at the start, and again when that changes.
     */
    public CaptureWatch(CaptureInstaller capture, List<Observer> observers, Metrics metrics) {
        this.capture = capture;
        this.tables = observers.stream().map(Observer::entity).distinct().toList();
        this.observers = List.copyOf(observers);
        this.metrics = metrics;
    }

    /** Checks now, so that the start's warnings come before the pipeline's lines, then every {@code interval}. */
    public void start(Duration interval, Sleeper sleeper) {
        check();
        thread = Thread.ofVirtual().name("pgobserver-capture-watch").start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    sleeper.sleep(interval);
                    check();
                }
            } catch (InterruptedException e) {
                // closed
            }
        });
    }

    /** One check: logs what changed since the last one, and sets the metric. */
    void check() {
        // A lock, not synchronized: the watch's virtual thread queries the database here, and on Java 21 a
        // synchronized block pins the carrier thread for as long as the query takes.
        lock.lock();
        try {
            checkLocked();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<Check> latest() {
        return Optional.ofNullable(latest);
    }

    private void checkLocked() {
        Check check;
        try {
            check = capture.check(tables); // what status checks, so that the console and status say the same
        } catch (RuntimeException e) {
            // The database does not answer: the pipeline says so. What the last check found still holds.
            LOG.log(checked ? DEBUG : WARNING, "could not check how the observed tables are captured: "
                    + e.getMessage());
            return;
        }
        List<Problem> found = check.problems();
        Map<String, Problem> now = new LinkedHashMap<>();
        List<Problem> news = new ArrayList<>();
        for (Problem problem : found) {
            now.put(problem.table(), problem);
            Problem before = known.get(problem.table());
            if (before == null || before.kind() != problem.kind()) {
                news.add(problem);
            }
        }
        // As status says them: sixty tables not captured yet are one line with one install command, not sixty.
        Check.advice(news).forEach(line -> LOG.log(WARNING, line));
        List<Problem> gone = known.values().stream().filter(p -> !now.containsKey(p.table())).toList();
        if (gone.size() > Check.SAID_ONE_BY_ONE) {
            LOG.log(INFO, "the capture of " + gone.size() + " tables is as installed again: their changes reach "
                    + "their observers (" + gone.stream().collect(Collectors.groupingBy(p -> p.kind().label(),
                            LinkedHashMap::new, Collectors.mapping(Problem::table, Collectors.joining(", "))))
                    .entrySet().stream().map(e -> "were " + e.getKey() + ": " + e.getValue())
                    .collect(Collectors.joining("; ")) + ")");
        } else {
            gone.forEach(p -> LOG.log(INFO, "the capture of " + p.table() + " is as installed again (it was "
                    + p.kind().label() + "): its changes reach its observers"));
        }
        known = now;
        checked = true;
        latest = check;
        metrics.captureProblems(found);
        checkColumns();
    }

    /** Logs each column warning once, when it is found; a schema change that fixes one goes without a word. */
    private void checkColumns() {
        if (observers.isEmpty()) {
            return;
        }
        List<String> lines;
        try {
            lines = NamedColumns.warnings(observers, capture.columns(tables));
        } catch (RuntimeException e) {
            LOG.log(DEBUG, "could not read the observed tables' columns: " + e.getMessage());
            return;
        }
        lines.stream().filter(line -> !columnWarnings.contains(line)).forEach(line -> LOG.log(WARNING, line));
        columnWarnings = Set.copyOf(lines);
    }

    @Override
    public void close() {
        Thread running = thread;
        if (running != null) {
            running.interrupt();
        }
    }
}
