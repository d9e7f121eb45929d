package io.pgobserver.bootstrap.tracing;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The certificates of a collector that wants TLS and a client certificate, made with the JDK's keytool (no test-only
 * TLS library): the collector's own self-signed certificate for {@code 127.0.0.1}, and the observer's self-signed
 * client certificate, which the collector trusts. The observer's side is written as the PEM files the
 * {@code OTEL_EXPORTER_OTLP_CERTIFICATE}, {@code _CLIENT_KEY} and {@code _CLIENT_CERTIFICATE} variables name.
 *
 * @param collectorCertificate the collector's certificate, PEM: what the observer trusts
 * @param clientKey            the observer's private key, unencrypted PKCS#8 PEM
 * @param clientCertificate    the observer's certificate, PEM
 */
record CollectorCertificates(KeyManagerFactory collectorKey, TrustManagerFactory trustingTheClient,
                             Path collectorCertificate, Path clientKey, Path clientCertificate) {

    private static final String PASSWORD = "changeit";

    static CollectorCertificates create(Path dir) throws IOException, InterruptedException, GeneralSecurityException {
        Path collector = dir.resolve("collector.p12");
        Path client = dir.resolve("client.p12");
        // Both at once: each keytool is a JVM start.
        Process one = keytool(collector, "CN=collector", "SAN=ip:127.0.0.1,dns:localhost");
        Process two = keytool(client, "CN=pg-observer", "SAN=dns:pg-observer");
        await(one);
        await(two);
        KeyStore collectorStore = load(collector);
        KeyStore clientStore = load(client);
        KeyManagerFactory collectorKey = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        collectorKey.init(collectorStore, PASSWORD.toCharArray());
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("client", clientStore.getCertificate("key"));
        TrustManagerFactory trusting = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trusting.init(trusted);
        return new CollectorCertificates(collectorKey, trusting,
                pem(dir.resolve("collector.crt"), "CERTIFICATE", collectorStore.getCertificate("key").getEncoded()),
                pem(dir.resolve("client.key"), "PRIVATE KEY",
                        ((PrivateKey) clientStore.getKey("key", PASSWORD.toCharArray())).getEncoded()),
                pem(dir.resolve("client.crt"), "CERTIFICATE", clientStore.getCertificate("key").getEncoded()));
    }

    private static Process keytool(Path store, String name, String san) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString(), "-genkeypair", "-alias", "key", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", PASSWORD, "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", name, "-ext", san));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static void await(Process keytool) throws IOException, InterruptedException {
        String output = new String(keytool.getInputStream().readAllBytes());
        if (!keytool.waitFor(120, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
    }

    private static KeyStore load(Path store) throws IOException, GeneralSecurityException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD.toCharArray());
        }
        return keys;
    }

    private static Path pem(Path file, String type, byte[] der) throws IOException {
        return Files.writeString(file, "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n");
    }
}
