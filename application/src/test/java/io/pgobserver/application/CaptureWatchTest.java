package io.pgobserver.application;

import io.pgobserver.domain.port.CaptureInstaller;
import io.pgobserver.domain.port.CaptureInstaller.Check;
import io.pgobserver.domain.port.CaptureInstaller.Problem;
import io.pgobserver.domain.port.CaptureInstaller.Problem.Kind;
import io.pgobserver.domain.port.Metrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/** A schema change that breaks capture while run runs is logged when found and when gone, and is in the metric. */
class CaptureWatchTest {

    private static final Problem DROPPED = new Problem("public.orders", Kind.MISSING, "public.orders is gone");
    private static final Problem UNCAPTURED = new Problem("public.orders", Kind.NOT_CAPTURED, "not captured");
    private static final Problem RENAMED_KEY = new Problem("public.parts", Kind.ID_COLUMN, "id column gone");

    private List<String> watched = List.of("public.orders", "public.parts");
    private final Queue<Object> answers = new ArrayDeque<>();
    private final List<List<Problem>> reported = new CopyOnWriteArrayList<>();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Logger log = Logger.getLogger(CaptureWatch.class.getName());
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            lines.add(record.getLevel() + " " + record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final CaptureInstaller capture = new CaptureInstaller() {
        @Override
        public List<String> install(String schemaTable, String idColumn, List<String> excluded) {
            throw new UnsupportedOperationException();
        }

        @Override
        public io.pgobserver.domain.port.SchemaChange schema() {
            throw new UnsupportedOperationException();
        }

        @Override
        @SuppressWarnings("unchecked")
        public synchronized List<Problem> problems(Collection<String> schemaTables) {
            assertThat(schemaTables).containsExactlyElementsOf(watched);
            Object answer = answers.isEmpty() ? List.of() : answers.remove();
            if (answer instanceof RuntimeException failure) {
                throw failure;
            }
            return (List<Problem>) answer;
        }
    };
    private final Metrics metrics = new Metrics() {
        @Override
        public void captureProblems(List<Problem> problems) {
            reported.add(problems);
        }
    };
    private final CaptureWatch watch = new CaptureWatch(capture, List.of("public.orders", "public.parts"), metrics);

    @BeforeEach
    void listen() {
        log.addHandler(handler);
    }

    @AfterEach
    void stop() {
        watch.close();
        log.removeHandler(handler);
    }

    @Test
    void aProblemIsLoggedWhenFoundAndWhenGoneNotAtEveryCheckAndTheMetricHasTheLatest() {
        answers.addAll(List.of(List.of(), List.of(RENAMED_KEY), List.of(RENAMED_KEY), List.of(RENAMED_KEY,
                DROPPED), List.of(DROPPED), List.of()));
        for (int check = 0; check < 6; check++) {
            watch.check();
        }
        assertThat(lines).containsExactly("WARNING id column gone", "WARNING public.orders is gone",
                "INFO the capture of public.parts is as installed again (it was id_column): its changes reach its "
                        + "observers",
                "INFO the capture of public.orders is as installed again (it was missing): its changes reach its "
                        + "observers");
        assertThat(reported).containsExactly(List.of(), List.of(RENAMED_KEY), List.of(RENAMED_KEY),
                List.of(RENAMED_KEY, DROPPED), List.of(DROPPED), List.of());
    }

    @Test
    void manyTablesNotCapturedYetAreOneWarningWithOneInstallCommandAndOneLineWhenCaptured() {
        watched = java.util.stream.IntStream.rangeClosed(1, 7).mapToObj(i -> "public.t" + i).toList();
        List<Problem> uncaptured = watched.stream().map(t -> new Problem(t, Kind.NOT_CAPTURED, t + " not captured"))
                .toList();
        List<Problem> problems = new java.util.ArrayList<>(uncaptured);
        problems.add(1, new Problem("public.orders", Kind.MISSING, "public.orders is gone"));
        answers.addAll(List.of(problems, List.of(problems.get(1))));
        try (CaptureWatch many = new CaptureWatch(capture, watched, metrics)) {
            many.check();
            many.check();
        }
        assertThat(lines).containsExactly("WARNING 7 observed tables are not captured: their changes reach no "
                        + "observer; run 'pg-observer install --table public.t1 --table public.t2 --table public.t3 "
                        + "--table public.t4 --table public.t5 --table public.t6 --table public.t7'",
                "WARNING public.orders is gone",
                "INFO the capture of 7 tables is as installed again: their changes reach their observers (were "
                        + "not_captured: public.t1, public.t2, public.t3, public.t4, public.t5, public.t6, public.t7)");
        assertThat(reported).containsExactly(problems, List.of(problems.get(1))); // the metric stays per table
    }

    @Test
    void aTableWhoseProblemChangesGetsTheNewAdviceAndNoAllClear() {
        answers.addAll(List.of(List.of(DROPPED), List.of(UNCAPTURED)));
        watch.check();
        watch.check();
        assertThat(lines).containsExactly("WARNING public.orders is gone", "WARNING not captured");
    }

    @Test
    void aCheckTheDatabaseDoesNotAnswerChangesNothingAndOnlyTheFirstIsAWarning() {
        answers.addAll(List.of(new IllegalStateException("connection refused"), List.of(RENAMED_KEY),
                new IllegalStateException("connection refused"), List.of(RENAMED_KEY)));
        for (int check = 0; check < 4; check++) {
            watch.check();
        }
        assertThat(lines).containsExactly(
                "WARNING could not check how the observed tables are captured: connection refused",
                "WARNING id column gone");
        assertThat(reported).containsExactly(List.of(RENAMED_KEY), List.of(RENAMED_KEY));
    }

    /** What the console shows instead of checking again on each refresh. */
    @Test
    void latestIsTheLastCheckThatCouldReadTheCatalog() {
        answers.addAll(List.of(new IllegalStateException("connection refused"), List.of(RENAMED_KEY),
                new IllegalStateException("connection refused"), List.of()));
        assertThat(watch.latest()).as("before any check").isEmpty();
        watch.check();
        assertThat(watch.latest()).as("the database did not answer").isEmpty();
        watch.check();
        assertThat(watch.latest()).contains(new Check(2, List.of(RENAMED_KEY)));
        watch.check();
        assertThat(watch.latest()).as("what the last check found still holds")
                .contains(new Check(2, List.of(RENAMED_KEY)));
        watch.check();
        assertThat(watch.latest()).contains(new Check(2, List.of()));
    }

    @Test
    void startChecksAtOnceThenAfterEachIntervalUntilClosed() throws Exception {
        answers.addAll(List.of(List.of(), List.of(RENAMED_KEY)));
        Semaphore intervals = new Semaphore(0);
        watch.start(Duration.ofMinutes(1), interval -> {
            assertThat(interval).isEqualTo(Duration.ofMinutes(1));
            intervals.acquire(); // an interval passes when the test says so
        });
        assertThat(reported).containsExactly(List.of()); // the first check ran before start returned
        intervals.release();
        // Up to 30 s, as the other waits: the check runs on a thread of its own, which a busy machine may start late.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (reported.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(reported).containsExactly(List.of(), List.of(RENAMED_KEY));
        watch.close(); // interrupts the wait for the next interval: no check after it, even once one passes
        intervals.release();
        Thread.sleep(200);
        assertThat(reported).hasSize(2);
    }
}
