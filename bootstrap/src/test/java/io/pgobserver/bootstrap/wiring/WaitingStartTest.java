package io.pgobserver.bootstrap.wiring;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pgobserver.bootstrap.config.ConfigException;
import io.pgobserver.domain.observer.RetryPolicy;
import io.pgobserver.domain.spi.Lifecycle;
import io.pgobserver.domain.spi.PipelineStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code run}'s start: a part whose database does not answer is started again until it does, the parts before it
 * stay started, and readiness says what is awaited; a stop ends the wait; a refused setting ends the start as a
 * configuration error. The administrative commands' start fails at the first outage.
 */
class WaitingStartTest {

    private static final RetryPolicy NO_WAIT = new RetryPolicy(Integer.MAX_VALUE, Duration.ZERO, Duration.ZERO);
    private static final PipelineStatus RUNNING = new PipelineStatus() {
        @Override
        public String problem() {
            return null;
        }

        @Override
        public boolean isActive() {
            return true;
        }

        @Override
        public long processedCount() {
            return 7;
        }
    };

    private final List<String> calls = new ArrayList<>();

    /** A part that records its starts and stops, and runs {@code onStart} (which may throw) on each start. */
    private Lifecycle part(String name, int order, Start onStart) {
        return new Lifecycle() {
            private int attempts;

            @Override
            public String name() {
                return name;
            }

            @Override
            public int order() {
                return order;
            }

            @Override
            public void start() throws Exception {
                calls.add("start " + name);
                onStart.attempt(++attempts);
            }

            @Override
            public void stop() {
                // A stop that sees an interrupt ends early, as the pool's close and the telemetry's flush do.
                calls.add("stop " + name + (Thread.currentThread().isInterrupted() ? " (interrupted)" : ""));
            }
        };
    }

    @FunctionalInterface
    private interface Start {
        void attempt(int attempt) throws Exception;
    }

    private static Lifecycle.Unavailable refused() {
        return new Lifecycle.Unavailable("PostgreSQL at jdbc:postgresql://db:5432/app", "Connection refused",
                "Check database.url.", null);
    }

    @Test
    void a_part_is_started_again_until_its_database_answers_and_readiness_says_what_is_awaited() throws Exception {
        WaitingStart starting = new WaitingStart(NO_WAIT);
        PipelineStatus status = starting.status(RUNNING);
        List<String> seenWhileWaiting = new ArrayList<>();
        Services services = new Services(Set.of(part("telemetry", 0, attempt -> { }),
                part("postgres", 100, attempt -> {
                    seenWhileWaiting.add(status.role() + ": " + status.problem());
                    if (attempt < 3) {
                        throw refused();
                    }
                }), part("actions", 200, attempt -> { })));
        assertThat(status.problem()).isEqualTo("starting");

        assertThat(starting.start(services)).isTrue();

        assertThat(calls).containsExactly("start telemetry", "start postgres", "start postgres", "start postgres",
                "start actions");
        assertThat(seenWhileWaiting).containsExactly("starting: starting",
                "starting: waiting for PostgreSQL at jdbc:postgresql://db:5432/app: Connection refused (attempt 1)",
                "starting: waiting for PostgreSQL at jdbc:postgresql://db:5432/app: Connection refused (attempt 2)");
        assertThat(status.problem()).isNull();
        assertThat(status.role()).isEqualTo("active");
        services.close();
    }

    /**
     * The wait is written as the settings and the other lines write durations, not in whole seconds: before, a wait
     * of 250 ms read "next attempt in 0 s", and the start "answers after 0 s".
     */
    @Test
    void the_log_writes_the_wait_as_a_duration() throws Exception {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(WaitingStart.class);
        logs.start();
        logger.addAppender(logs);
        try {
            WaitingStart starting = new WaitingStart(new RetryPolicy(Integer.MAX_VALUE, Duration.ofMillis(250),
                    Duration.ofMillis(250)));
            Services services = new Services(Set.of(part("postgres", 100, attempt -> {
                if (attempt < 2) {
                    throw refused();
                }
            })));
            assertThat(starting.start(services)).isTrue();
            services.close();
        } finally {
            logger.detachAppender(logs);
        }
        assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage).hasSize(2)
                .first().isEqualTo("waiting for PostgreSQL at jdbc:postgresql://db:5432/app: Connection refused; next "
                        + "attempt in 250ms (attempt 1)");
        assertThat(logs.list.get(1).getFormattedMessage())
                .matches("PostgreSQL at jdbc:postgresql://db:5432/app answers after \\d+s \\(1 failed attempt\\); "
                        + "starting");
    }

    @Test
    void a_stop_ends_the_wait_and_stops_what_started() throws Exception {
        WaitingStart starting = new WaitingStart(new RetryPolicy(Integer.MAX_VALUE, Duration.ofDays(1),
                Duration.ofDays(1)));
        Services services = new Services(Set.of(part("telemetry", 0, attempt -> { }),
                part("postgres", 100, attempt -> {
                    starting.cancel(); // as a SIGTERM does, here before the day-long wait begins
                    throw refused();
                })));

        assertThat(starting.start(services)).isFalse();

        assertThat(calls).containsExactly("start telemetry", "start postgres", "stop telemetry");
        assertThat(starting.status(RUNNING).problem()).isEqualTo("stopped while starting");
    }

    /**
     * A stop during an attempt (a driver waiting for a server that never answers) interrupts it: the start ends as
     * stopped, not as the part's failure, and the starting thread is left uninterrupted for the close that follows.
     * The parts that started are stopped whole: before, they were stopped with the interrupt still set (the
     * telemetry's last flush cut short; a database pool's close left its connections open and logged a stack trace).
     */
    @Test
    @Timeout(value = 1, unit = TimeUnit.MINUTES) // before, the attempt was never interrupted: the start hung
    void a_stop_during_an_attempt_ends_it_as_stopped() throws Exception {
        WaitingStart starting = new WaitingStart(NO_WAIT);
        CountDownLatch attempting = new CountDownLatch(1);
        Services services = new Services(Set.of(part("telemetry", 0, attempt -> { }),
                part("postgres", 100, attempt -> {
                    attempting.countDown();
                    try {
                        new CountDownLatch(1).await(); // an answer that never comes
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt(); // as the driver does
                        throw new IllegalStateException("cannot connect to PostgreSQL: interrupted", e);
                    }
                })));
        Thread.ofPlatform().daemon().start(() -> {
            try {
                attempting.await();
            } catch (InterruptedException e) {
                return;
            }
            starting.cancel();
        });

        assertThat(starting.start(services)).isFalse();

        assertThat(Thread.currentThread().isInterrupted()).as("the stop's interrupt left behind").isFalse();
        assertThat(calls).containsExactly("start telemetry", "start postgres", "stop telemetry");
        assertThat(starting.status(RUNNING).problem()).isEqualTo("stopped while starting");
    }

    @Test
    void a_process_about_to_halt_stops_its_telemetry_alone_so_its_spans_are_sent_and_close_does_not_stop_it_twice()
            throws Exception {
        Services services = new Services(Set.of(part("telemetry", 0, attempt -> { }),
                part("postgres", 100, attempt -> { }), part("actions", 200, attempt -> { })));
        services.start();
        calls.clear();

        services.stopTelemetry(); // the rest is stuck (a frozen database): only the spans' exporter is stopped
        assertThat(calls).containsExactly("stop telemetry");
        services.close();

        assertThat(calls).containsExactly("stop telemetry", "stop actions", "stop postgres");
    }

    @Test
    void a_setting_the_database_refuses_is_a_configuration_error_at_once() {
        WaitingStart starting = new WaitingStart(NO_WAIT);
        Services services = new Services(Set.of(part("telemetry", 0, attempt -> { }),
                part("postgres", 100, attempt -> {
                    throw new IllegalArgumentException("cannot connect to PostgreSQL at jdbc:postgresql://db:5432/app: "
                            + "FATAL: password authentication failed for user \"app\". The server refused the password"
                            + " of user app: check database.password");
                })));

        assertThatThrownBy(() -> starting.start(services)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("check database.password");
        assertThat(calls).containsExactly("start telemetry", "start postgres", "stop telemetry");
    }

    @Test
    void the_administrative_commands_fail_at_the_first_outage() {
        Services services = new Services(Set.of(part("telemetry", 0, attempt -> { }),
                part("postgres", 100, attempt -> {
                    throw refused();
                })));

        assertThatThrownBy(services::start).isInstanceOf(Lifecycle.Unavailable.class)
                .hasMessage("cannot connect to PostgreSQL at jdbc:postgresql://db:5432/app: Connection refused. "
                        + "Check database.url.");
        assertThat(calls).containsExactly("start telemetry", "start postgres", "stop telemetry");
    }
}
