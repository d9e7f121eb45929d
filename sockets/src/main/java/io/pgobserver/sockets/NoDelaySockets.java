package io.pgobserver.sockets;

import javax.net.SocketFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;

/**
 * Plain sockets with Nagle's algorithm off ({@code TCP_NODELAY}), which neither OkHttp nor Jakarta Mail turns off.
 * Both write a request (a webhook's body, an OTLP export's HTTP/2 frames, an email's message) in several writes and
 * end it with a short one. With Nagle on, that write waits until the peer acknowledges the ones before it, and the
 * peer's kernel delays that acknowledgement, 40 ms on Linux, hoping to send it with an answer that comes only once
 * the request has ended: 44 ms against 0.15 ms per 10 KB webhook, 47 against 1 ms per 10 KB email
 * (docs/performance.md, "Change 11"). A request is written whole before its answer is read, so sending each write at
 * once costs no packets worth keeping. TLS layers over these sockets, so HTTPS, SMTP with TLS and https:// collectors
 * get the same.
 *
 * <p>The clients connect the unconnected socket themselves, with their connect timeout; the other ways connect
 * without one.
 */
public final class NoDelaySockets extends SocketFactory {

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
