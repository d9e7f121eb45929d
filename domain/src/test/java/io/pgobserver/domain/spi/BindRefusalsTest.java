package io.pgobserver.domain.spi;

import org.junit.jupiter.api.Test;

import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Real binds that fail, told apart by what to change: the port, or the address. */
class BindRefusalsTest {

    /** A documentation address (RFC 5737): no machine has it. */
    private static final String ELSEWHERE = "192.0.2.1";

    @Test
    void a_port_another_process_listens_on_is_in_use() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            BindException failure = bindFails("127.0.0.1", port);
            assertThat(BindRefusals.isRefusal(failure)).isTrue();
            assertThat(BindRefusals.refused("metrics.port", port, "metrics.host", "127.0.0.1", failure, ", or x"))
                    .hasMessage("metrics.port " + port + " on 127.0.0.1 is already in use by another process: "
                            + "choose another port (0 picks a free one), or x")
                    .hasCause(failure);
        }
    }

    @Test
    void an_address_this_machine_does_not_have_is_named_as_the_setting() {
        BindException failure = bindFails(ELSEWHERE, 0);
        assertThat(BindRefusals.refused("metrics.port", 0, "metrics.host", ELSEWHERE, failure, ""))
                .hasMessage("metrics.host " + ELSEWHERE + " is not an address of this machine: use 0.0.0.0 (every "
                        + "interface), 127.0.0.1 (this machine only) or one of this machine's addresses");
        assertThatThrownBy(() -> BindRefusals.requireOfThisMachine("console.bind", ELSEWHERE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("console.bind " + ELSEWHERE + " is not an address of this machine: ");
    }

    @Test
    void every_interface_loopback_and_a_host_name_that_does_not_resolve() {
        BindRefusals.requireOfThisMachine("console.bind", "0.0.0.0");
        BindRefusals.requireOfThisMachine("console.bind", "127.0.0.1");
        BindRefusals.requireOfThisMachine("console.bind", "::1");
        assertThat(BindRefusals.isOfThisMachine("no-such-host.invalid")).isFalse();
    }

    /** As a user other than root gets it for a port below 1024 (these tests may run as root: the JDK's message). */
    @Test
    void a_port_this_user_may_not_listen_on_is_not_called_in_use() {
        assertThat(BindRefusals.refused("admin.port", 80, null, null, new BindException("Permission denied"), ""))
                .hasMessage("admin.port 80 cannot be opened: this user may not listen on it (ports below 1024 need "
                        + "privileges): choose a port above 1023 (0 picks a free one)");
    }

    @Test
    void other_failures_are_not_refusals() {
        assertThat(BindRefusals.isRefusal(new IllegalStateException("closed"))).isFalse();
        assertThat(BindRefusals.isRefusal(new IllegalStateException(new BindException("in use")))).isTrue();
    }

    private static BindException bindFails(String host, int port) {
        BindException failure = catchThrowableOfType(BindException.class, () -> {
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(host, port));
            }
        });
        assertThat(failure).as("binding " + host + ":" + port).isNotNull();
        return failure;
    }
}
