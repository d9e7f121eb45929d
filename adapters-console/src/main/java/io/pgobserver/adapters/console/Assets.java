package io.pgobserver.adapters.console;

import io.pgobserver.domain.spi.AdminRoute;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The stylesheet and the script, read once from the jar. Pages link them with a version (a hash of their bytes) in
 * the URL, so browsers may keep them for a year and still get a new one the moment it changes.
 */
@Singleton
final class Assets {

    private static final String ROOT = "/io/pgobserver/adapters/console/assets/";
    private static final Map<String, String> TYPES = Map.of(
            "console.css", "text/css; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8");

    private final Map<String, byte[]> files;
    private final String version;

    Assets() {
        files = Map.of("console.css", read("console.css"), "console.js", read("console.js"));
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            files.keySet().stream().sorted().forEach(name -> sha.update(files.get(name)));
            version = HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    String version() {
        return version;
    }

    /** The asset, or null when there is none of that name. */
    AdminRoute.Response serve(String name) {
        byte[] body = files.get(name);
        if (body == null) {
            return null;
        }
        return new AdminRoute.Response(200, TYPES.get(name), List.of(
                Map.entry("Cache-Control", "public, max-age=31536000, immutable"),
                Map.entry("X-Content-Type-Options", "nosniff")), body);
    }

    private static byte[] read(String name) {
        try (InputStream in = Assets.class.getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new IllegalStateException("console asset " + name + " is missing from the adapter's jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
