package io.pgobserver.adapters.actions;

import javax.net.SocketFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;

/**
 * Plain sockets with Nagle's algorithm off ({@code TCP_NODELAY}), which OkHttp never turns off itself. OkHttp writes
 * a request body in 8 KiB segments; with Nagle on, the last, short one waits until the receiver acknowledges the
 * ones before it, and on a kept-alive connection the receiver's kernel delays that acknowledgement, 40 ms on Linux,
 * hoping to send it with the response. Every webhook whose body took more than one write (a row of some KiB) waited
 * those 40 ms: 44 ms against 1 ms per 10 KB POST to a loopback receiver (docs/performance.md). Requests are written
 * whole before the response is read, so sending each write at once costs no extra packets worth keeping. TLS layers
 * over these sockets, so HTTPS receivers get the same.
 */
final class NoDelaySockets extends SocketFactory {

    private final SocketFactory sockets = SocketFactory.getDefault();

    @Override
    public Socket createSocket() throws IOException {
        return noDelay(sockets.createSocket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return noDelay(sockets.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return noDelay(sockets.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return noDelay(sockets.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return noDelay(sockets.createSocket(address, port, localAddress, localPort));
    }

    private static Socket noDelay(Socket socket) throws SocketException {
        socket.setTcpNoDelay(true);
        return socket;
    }
}
