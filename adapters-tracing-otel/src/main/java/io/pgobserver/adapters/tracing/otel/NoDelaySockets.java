package io.pgobserver.adapters.tracing.otel;

import javax.net.SocketFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;

/**
 * Sockets with Nagle's algorithm off ({@code TCP_NODELAY}), for the OTLP gRPC sender: OkHttp never turns it off, and
 * an export's HTTP/2 frames leave in several writes, the last of which then waits until the collector acknowledges
 * the ones before it. On a kept-alive connection the collector's kernel delays that acknowledgement, 40 ms on Linux,
 * so every export waited 40 ms (docs/performance.md, "Nagle's algorithm and the export thread"). A request is written
 * whole before its answer is read, so sending each write at once costs no packets worth keeping. TLS layers over
 * these sockets, so https:// collectors get the same. (The webhook client has its own: adapters share no code.)
 */
final class NoDelaySockets extends SocketFactory {

    /** The one OkHttp calls: it connects the socket itself, with its connect timeout. */
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

    private Socket connected(SocketAddress remote, SocketAddress local) throws IOException {
        Socket socket = createSocket();
        try {
            if (local != null) {
                socket.bind(local);
            }
            socket.connect(remote);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }
}
