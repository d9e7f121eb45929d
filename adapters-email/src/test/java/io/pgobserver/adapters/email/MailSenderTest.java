package io.pgobserver.adapters.email;

import io.pgobserver.domain.observer.Secret;
import org.junit.jupiter.api.Test;

import javax.net.SocketFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class MailSenderTest {

    @Test
    void mailGoesOutWithNaglesAlgorithmOffSoThatAMessagesLastWriteDoesNotWaitOnADelayedAck() throws Exception {
        MailSender sender = new MailSender(new EmailSettings.Smtp("127.0.0.1", 25, null, Secret.ofNullable(null),
                "starttls", "observer@example.com", Duration.ofSeconds(5)));
        Object factory = sender.session().getProperties().get("mail.smtp.socketFactory");
        assertThat(factory).as("the sockets Mail connects").isInstanceOf(SocketFactory.class);
        SocketFactory sockets = (SocketFactory) factory;
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket unconnected = sockets.createSocket();
             Socket connected = sockets.createSocket(server.getInetAddress(), server.getLocalPort())) {
            assertThat(unconnected.getTcpNoDelay()).as("the socket Mail connects itself, with its timeout").isTrue();
            assertThat(connected.getTcpNoDelay()).isTrue();
            assertThat(connected.isConnected()).isTrue();
        }
    }
}
