package io.pgobserver.bootstrap.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * What an adapter folder provides, as its manifest says: a small properties file the core reads as text, without
 * loading the adapter's classes. It is how the core names the folder to put back when a configuration uses a
 * section, an action type or a condition language whose folder is missing, for any adapter, a third party's too.
 *
 * <p>An adapter's jar carries it as {@value #RESOURCE} (the all-in-one jar and tests find it there); the
 * distribution keeps a copy beside each folder, {@code adapters/<folder>.properties}, which stays when the folder is
 * deleted. Keys, each a comma-separated list: {@code sections}, {@code action_types}, {@code condition_languages},
 * {@code extends} (core sections it extends: {@code tracing}), {@code variables} (environment variables only it
 * reads), {@code provides} (capabilities the core cannot run without, as {@code Adapter.Capability} names in lower
 * case: {@code change_source}), {@code commands} (the commands it adds, such as {@code demo}); and {@code folder},
 * its folder's name.
 *
 * @param folder the adapter's folder under {@code adapters/}, which is also its name
 */
public record AdapterManifest(String folder, List<String> sections, List<String> actionTypes,
                              List<String> conditionLanguages, List<String> extendsSections, List<String> variables,
                              List<String> provides, List<String> commands) {

    /** Where an adapter's jar carries its manifest. */
    public static final String RESOURCE = "META-INF/pg-observer/adapter.properties";
    static final String SUFFIX = ".properties";

    public AdapterManifest {
        if (folder == null || folder.isBlank()) {
            throw new IllegalArgumentException("an adapter manifest needs folder=<its folder under adapters/>");
        }
        sections = List.copyOf(sections);
        actionTypes = List.copyOf(actionTypes);
        conditionLanguages = List.copyOf(conditionLanguages);
        extendsSections = List.copyOf(extendsSections);
        variables = List.copyOf(variables);
        provides = List.copyOf(provides);
        commands = List.copyOf(commands);
    }

    /** Reads one manifest; {@code where} names it in errors. */
    static AdapterManifest read(InputStream in, String where) throws IOException {
        Properties p = new Properties();
        p.load(in);
        try {
            return new AdapterManifest(p.getProperty("folder"), list(p, "sections"), list(p, "action_types"),
                    list(p, "condition_languages"), list(p, "extends"), list(p, "variables"), list(p, "provides"),
                    list(p, "commands"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + ": " + e.getMessage());
        }
    }

    private static List<String> list(Properties p, String key) {
        String value = p.getProperty(key, "").trim();
        return value.isEmpty() ? List.of() : Arrays.stream(value.split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList();
    }

    /** The manifests in the jars on the class path: the all-in-one jar's adapters, or a test's. */
    public static List<AdapterManifest> classPath() {
        List<AdapterManifest> found = new ArrayList<>();
        try {
            Enumeration<URL> resources = AdapterManifest.class.getClassLoader().getResources(RESOURCE);
            while (resources.hasMoreElements()) {
                URL url = resources.nextElement();
                try (InputStream in = url.openStream()) {
                    found.add(read(in, url.toString()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the adapters' manifests on the class path", e);
        }
        return found;
    }

    /** The manifests kept beside the folders of an adapters folder, whether or not the folder is there. */
    public static List<AdapterManifest> beside(Path adapters) {
        List<AdapterManifest> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(adapters)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(SUFFIX) && Files.isRegularFile(f))
                    .sorted().toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    found.add(read(in, file.toString()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the adapters' manifests in " + adapters, e);
        }
        return found;
    }
}
