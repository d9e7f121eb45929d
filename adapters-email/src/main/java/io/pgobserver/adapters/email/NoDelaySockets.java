package io.pgobserver.adapters.email;

import javax.net.SocketFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Plain sockets with Nagle's algorithm off ({@code TCP_NODELAY}), which Jakarta Mail never turns off. It writes a
 * message through an 8 KiB buffer and ends it with a short write; with Nagle on, that write waits until the server
 * acknowledges the data before it, which the server's kernel delays some 40 ms, as the server answers only once the
 * message has ended. An email of 10 to 20 KB took 90 to 98 ms to a loopback server instead of 46 to 54
 * (docs/performance.md). STARTTLS and {@code security: ssl} layer TLS over these sockets, so both get the same.
 * Mail connects the unconnected socket itself, with its connection timeout; the other ways connect without one.
 */
final class NoDelaySockets extends SocketFactory {

    @Override
    public Socket createSocket() throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        return socket;
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    private Socket connected(InetSocketAddress server, InetSocketAddress local) throws IOException {
        Socket socket = createSocket();
        try {
            if (local != null) {
                socket.bind(local);
            }
            socket.connect(server);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }
}
