package io.pgobserver.bootstrap.faults;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.pgobserver.bootstrap.faults.FaultSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Capture on the packaged jar after the schema changes an application makes: a partitioned table's rows reach the
 * observers of that table (they used to be events of the partition holding them, which nobody watched), and
 * {@code run} names at its start each observed table whose capture a change broke (it used to say nothing), and
 * within {@code listener.capture_check_interval} each change while it runs that breaks or mends one (it used to wait
 * for its next start), in its log and its metrics. The checks come every 2 s here (a minute by default), so that the
 * test waits for the change to be noticed, not for a fixed minute.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SchemaChangesIT {

    private FaultSupport.Rig rig;

    @BeforeAll
    void start() throws Exception {
        rig = FaultSupport.Rig.start("schema-changes",
                "create table public.readings (id bigint primary key, note text) partition by range (id)",
                "create table public.readings_low partition of public.readings for values from (0) to (1000)",
                "create table public.accounts (id bigint primary key, note text)");
    }

    @AfterAll
    void stop() throws Exception {
        rig.close();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void a_partitioned_tables_rows_reach_its_observers_and_run_names_the_captures_a_schema_change_broke()
            throws Exception {
        Path config = rig.config("schema.yaml", "schema-changes", -1, "capture_check_interval: 2s", """
                readings:
                  entity: public.readings
                  actions:
                    - { type: webhook, url: "%s" }
                accounts:
                  entity: public.accounts
                  actions:
                    - { type: webhook, url: "%s" }
                archive:
                  entity: public.archive
                  actions:
                    - { type: webhook, url: "%s" }
                misspelt:
                  entity: public.readings
                  condition: has(after.note) || after["sensr"] > 1
                  actions:
                    - { type: webhook, url: "%s", body: { id: "{{after.id}}", note: "{{after.nte}}" } }
                """.formatted(rig.hooks.url("/hooks/readings"), rig.hooks.url("/hooks/accounts"),
                rig.hooks.url("/hooks/archive"), rig.hooks.url("/hooks/misspelt")));
        rig.install(config, "public.readings");
        rig.install(config, "public.accounts");
        FaultSupport.sql(rig.postgres, "alter table public.accounts rename column id to account_id");
        int metricsPort = FaultSupport.freePort();
        Files.writeString(config, Files.readString(config).replace("metrics: { enabled: false }",
                "metrics: { enabled: true, host: 127.0.0.1, port: " + metricsPort + " }"));
        ObserverProcess observer = rig.run("schema", config, Map.of());
        FaultSupport.sql(rig.postgres, "insert into public.readings values (7, 'in a partition')");
        rig.awaitWhileRunning(observer, "the partition's row delivered to the partitioned table's observer",
                Duration.ofMinutes(2), () -> rig.hooks.successes().stream()
                        .anyMatch(r -> r.path().equals("/hooks/readings")));
        var reading = rig.hooks.successes().stream().filter(r -> r.path().equals("/hooks/readings")).findFirst()
                .orElseThrow().json();
        assertThat(reading.path("entity_type").asText()).isEqualTo("public.readings");
        assertThat(reading.path("after").path("note").asText()).isEqualTo("in a partition");
        await("run's start-up warnings", Duration.ofSeconds(30),
                () -> observer.count("the capture of public.accounts takes the entity id from column 'id'") == 1);
        // A column an observer names that its table lacks fails nothing: run says so at the start, once (the lines
        // follow the capture's, from the same check).
        await("run's warnings of columns the observers name", Duration.ofSeconds(30),
                () -> observer.count("observers.misspelt.condition names 'sensr', which public.readings has no column"
                        + " of (misspelt, or renamed or dropped?)") == 1
                        && observer.count("observers.misspelt.actions[0] (webhook) names 'nte', which public.readings"
                        + " has no column of") == 1);
        assertThat(observer.output()).contains("its columns: id, note").doesNotContain("observers.readings.");
        assertThat(observer.output())
                .contains("which the table no longer has (renamed or dropped?)")
                .contains("observed table public.archive does not exist in this database")
                .doesNotContain("observed table public.readings");
        assertThat(FaultSupport.httpBody(metricsPort, "/metrics"))
                .containsPattern("pgobserver_capture_problems\\{[^}]*problem=\"id_column\",table=\"public.accounts\"} 1")
                .containsPattern("pgobserver_capture_problems\\{[^}]*problem=\"missing\",table=\"public.archive\"} 1")
                .doesNotContain("table=\"public.readings\"");

        // While it runs: a migration drops one capture and mends another; the next check (2 s) says both.
        FaultSupport.sql(rig.postgres, "drop trigger pgobserver_capture on public.readings");
        FaultSupport.sql(rig.postgres, "alter table public.accounts rename column account_id to id");
        rig.awaitWhileRunning(observer, "the check after the schema changes", Duration.ofSeconds(60),
                () -> observer.count("observed table public.readings is not captured") == 1
                        && observer.count("the capture of public.accounts is as installed again") == 1);
        assertThat(FaultSupport.httpBody(metricsPort, "/metrics"))
                .containsPattern("pgobserver_capture_problems\\{[^}]*problem=\"not_captured\",table=\"public.readings\"} 1")
                .doesNotContain("table=\"public.accounts\"");
        assertThat(observer.count("the capture of public.accounts takes the entity id")).isEqualTo(1);
        assertThat(observer.count("observers.misspelt.condition names 'sensr'")).as("said once, not every check")
                .isEqualTo(1);
        observer.stop();
    }
}
