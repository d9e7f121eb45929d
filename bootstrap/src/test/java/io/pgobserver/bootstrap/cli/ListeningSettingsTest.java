package io.pgobserver.bootstrap.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every port {@code run} listens on, opened where another process already listens or on an address this machine
 * does not have (192.0.2.1, a documentation address): a configuration error, exit 2, one line naming the setting,
 * the port or address, the cause and the fix, before {@code run} would wait for its (here unreachable) database.
 * The timeout only ends a run that went on to wait for the database instead.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ListeningSettingsTest {

    private static final String ELSEWHERE = "192.0.2.1";
    private static final String NOT_HERE = ELSEWHERE + " is not an address of this machine: use 0.0.0.0 (every "
            + "interface), 127.0.0.1 (this machine only) or one of this machine's addresses";

    @TempDir
    Path dir;

    @Test
    void a_taken_metrics_port_is_a_configuration_error() throws IOException {
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            assertThat(run("metrics: { enabled: true, port: " + port + " }\nadmin: { port: -1 }\n"))
                    .isEqualTo("configuration error: metrics.port " + port + " on 0.0.0.0 is already in use by "
                            + "another process: choose another port (0 picks a free one), or set metrics.enabled: "
                            + "false");
        }
    }

    @Test
    void a_metrics_host_of_another_machine_is_a_configuration_error() throws IOException {
        assertThat(run("metrics: { enabled: true, port: 0, host: " + ELSEWHERE + " }\nadmin: { port: -1 }\n"))
                .isEqualTo("configuration error: metrics.host " + NOT_HERE + ", or set metrics.enabled: false");
    }

    /** Every interface: only the port can be wrong (the health probes come from anywhere). */
    @Test
    void a_taken_admin_port_is_a_configuration_error() throws IOException {
        try (ServerSocket taken = new ServerSocket(0)) {
            assertThat(run("admin: { port: " + taken.getLocalPort() + " }\n")).isEqualTo("configuration error: "
                    + "admin.port " + taken.getLocalPort() + " is already in use by another process: choose another "
                    + "port (0 picks a free one), or -1 to turn the health endpoint off");
        }
    }

    @Test
    void a_console_address_of_another_machine_is_a_configuration_error() throws IOException {
        assertThat(run("admin: { port: 0 }\nconsole: { bind: " + ELSEWHERE + " }\n"))
                .isEqualTo("configuration error: console.bind " + NOT_HERE);
    }

    /**
     * Only run serves the console: an operator host running an admin command with the server's configuration does
     * not have the server's address, and must get as far as the database.
     */
    @Test
    void a_console_address_of_another_machine_does_not_stop_the_admin_commands() throws IOException {
        Path config = Files.writeString(dir.resolve("ports.yaml"), "tracing: { exporter: none }\n"
                + "console: { bind: " + ELSEWHERE + " }\n");
        for (String[] command : new String[][]{{"status"}, {"dlq", "replay", "--all"}}) {
            List<String> args = new ArrayList<>(List.of(command));
            args.addAll(List.of("--config", config.toString()));
            Cli.Result result = Cli.run(Map.of("DATABASE_URL", "postgres://observer:pw@localhost:" + closedPort()
                    + "/app"), args.toArray(String[]::new));
            assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.FAILURE);
            assertThat(result.err()).as(result.toString()).contains("cannot connect to PostgreSQL")
                    .doesNotContain("console.bind");
        }
    }

    /** Runs {@code run} with these settings against a database nothing answers for; the one line it printed. */
    private String run(String settings) throws IOException {
        Path config = Files.writeString(dir.resolve("ports.yaml"), "tracing: { exporter: none }\n" + settings);
        Cli.Result result = Cli.run(Map.of("DATABASE_URL", "postgres://observer:pw@localhost:" + closedPort()
                + "/app"), "run", "--config", config.toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err().lines().toList()).as(result.toString()).hasSize(1);
        return result.err().strip();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
