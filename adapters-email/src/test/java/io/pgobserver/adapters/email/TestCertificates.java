package io.pgobserver.adapters.email;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for a mail server, made with the JDK's keytool (no test-only TLS library): a test CA, and three server
 * keys: one self-signed (no one trusts it), one the CA signed for {@code localhost} only (not for {@code 127.0.0.1}),
 * and one the CA signed that has expired.
 */
record TestCertificates(X509Certificate ca, KeyStore selfSigned, KeyStore forLocalhost, KeyStore expired) {

    private static final String PASSWORD = "changeit";
    private static final List<String> KEY = List.of("-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2");

    static TestCertificates create(Path dir) throws IOException, InterruptedException, GeneralSecurityException {
        Path ca = dir.resolve("ca.p12");
        Path selfSigned = dir.resolve("self-signed.p12");
        // Two at a time where they do not depend on each other: each keytool is a JVM start.
        run(List.of(keytool(ca, "ca", "-dname", "CN=pg-observer test CA", "-ext", "bc:c"),
                keytool(selfSigned, "mail", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1")));
        // Signed in copies of the CA's store (keytool signs with a key of the store it writes to).
        Path forLocalhost = Files.copy(ca, dir.resolve("localhost.p12"));
        Path expired = Files.copy(ca, dir.resolve("expired.p12"));
        run(List.of(keytool(forLocalhost, "mail", "-signer", "ca", "-dname", "CN=localhost",
                        "-ext", "SAN=dns:localhost"),
                keytool(expired, "mail", "-signer", "ca", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost",
                        "-startdate", "-10d")));
        return new TestCertificates((X509Certificate) load(ca).getCertificate("ca"), serverKey(selfSigned),
                serverKey(forLocalhost), serverKey(expired));
    }

    /** What a JVM whose trust store holds the test CA (and nothing else) trusts. */
    SSLContext trustingTheCa() throws GeneralSecurityException, IOException {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    /** A server presenting the key and certificate chain of {@code key}. */
    SSLContext server(KeyStore key) throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(key, PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }

    /** A new key pair and its certificate ({@code -genkeypair}) under {@code alias} in {@code store}. */
    private static List<String> keytool(Path store, String alias, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString(), "-genkeypair", "-alias", alias, "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", PASSWORD));
        command.addAll(KEY);
        command.addAll(List.of(args));
        return command;
    }

    private static void run(List<List<String>> commands) throws IOException, InterruptedException {
        List<Process> running = new ArrayList<>();
        for (List<String> command : commands) {
            running.add(new ProcessBuilder(command).redirectErrorStream(true).start());
        }
        for (int i = 0; i < running.size(); i++) {
            Process keytool = running.get(i);
            String output = new String(keytool.getInputStream().readAllBytes());
            if (!keytool.waitFor(120, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + commands.get(i) + ": " + output);
            }
        }
    }

    private static KeyStore load(Path store) throws IOException, GeneralSecurityException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD.toCharArray());
        }
        return keys;
    }

    /** The server's key alone: the CA's key beside it must not be the one a server presents. */
    private static KeyStore serverKey(Path store) throws IOException, GeneralSecurityException {
        KeyStore keys = load(store);
        if (keys.containsAlias("ca")) {
            keys.deleteEntry("ca");
        }
        return keys;
    }
}
