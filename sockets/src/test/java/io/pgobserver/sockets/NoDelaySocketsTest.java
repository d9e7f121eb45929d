package io.pgobserver.sockets;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NoDelaySocketsTest {

    private final NoDelaySockets sockets = new NoDelaySockets();

    @Test
    void everySocketHasNaglesAlgorithmOffHoweverItIsMade() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             Socket unconnected = sockets.createSocket();
             Socket byName = sockets.createSocket("127.0.0.1", server.getLocalPort());
             Socket byAddress = sockets.createSocket(server.getInetAddress(), server.getLocalPort());
             Socket fromALocalAddress = sockets.createSocket(server.getInetAddress(), server.getLocalPort(),
                     InetAddress.getLoopbackAddress(), 0)) {
            assertThat(unconnected.getTcpNoDelay()).as("the socket the clients connect themselves").isTrue();
            assertThat(unconnected.isConnected()).isFalse();
            for (Socket socket : new Socket[] {byName, byAddress, fromALocalAddress}) {
                assertThat(socket.isConnected()).isTrue();
                assertThat(socket.getTcpNoDelay()).isTrue();
            }
            assertThat(fromALocalAddress.getLocalAddress()).isEqualTo(InetAddress.getLoopbackAddress());
        }
    }

    @Test
    void aConnectionRefusedIsThrownAsTheJdkThrowsIt() throws IOException {
        int closed;
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = server.getLocalPort();
        }
        assertThatThrownBy(() -> sockets.createSocket("127.0.0.1", closed)).isInstanceOf(ConnectException.class);
    }
}
