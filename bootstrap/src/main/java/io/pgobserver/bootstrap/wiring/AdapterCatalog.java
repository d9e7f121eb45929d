package io.pgobserver.bootstrap.wiring;

import com.google.inject.Module;
import io.pgobserver.bootstrap.config.AdapterManifest;
import io.pgobserver.bootstrap.config.ConfigException;
import io.pgobserver.bootstrap.config.ConfigSchema;
import io.pgobserver.bootstrap.config.Configuration;
import io.pgobserver.domain.spi.Adapter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The installed adapters, and the choice of which to install for a configuration: every non-tracing adapter, and
 * one telemetry adapter — the OpenTelemetry one when tracing or metrics are on and it is present (with tracing off
 * it records metrics and traces nothing), else the no-op one, or the domain's no-op when its folder was deleted.
 *
 * <p>Adapters come from the class path (the all-in-one jar) and from an adapters folder (the distribution's
 * {@code adapters/}, one sub-folder per adapter with its jar and its own dependencies). The folders' jars are
 * loaded by one class loader whose parent is the core's; see docs/architecture.md for why one and not one per
 * folder.
 */
public final class AdapterCatalog {

    public static final String OTEL = "adapters-tracing-otel";
    public static final String NOOP = "adapters-tracing-noop";

    private final List<Installed> installed;
    private final List<AdapterManifest> manifests;

    /** An adapter and where it came from. */
    public record Installed(Adapter adapter, String version, String location) {
    }

    public AdapterCatalog(List<Adapter> adapters) {
        this(adapters, AdapterManifest.classPath());
    }

    /** @param manifests what each adapter folder provides, installed or not, to name a missing one */
    public AdapterCatalog(List<Adapter> adapters, List<AdapterManifest> manifests) {
        this.manifests = List.copyOf(manifests);
        List<Installed> installed = adapters.stream().map(a -> new Installed(a, version(a), location(a))).toList();
        Map<String, Installed> byName = new LinkedHashMap<>();
        for (Installed i : installed) {
            Adapter adapter = i.adapter();
            if (!(adapter instanceof Module)) {
                throw new IllegalStateException("adapter " + adapter.name() + " (" + adapter.getClass().getName()
                        + ") is not a Guice module");
            }
            Installed before = byName.putIfAbsent(adapter.name(), i);
            if (before != null) {
                throw new ConfigException("the adapter " + adapter.name() + " is installed twice (" + before.location()
                        + " and " + i.location() + "): keep one");
            }
        }
        this.installed = List.copyOf(byName.values());
    }

    /** The adapters that {@link ServiceLoader} finds on the class path. */
    public static AdapterCatalog discover() {
        return discover(AdapterCatalog.class.getClassLoader(), AdapterManifest.classPath());
    }

    private static AdapterCatalog discover(ClassLoader loader, List<AdapterManifest> manifests) {
        List<Adapter> found = new ArrayList<>();
        ServiceLoader.load(Adapter.class, loader).forEach(found::add);
        return new AdapterCatalog(found, manifests);
    }

    /**
     * The adapters on the class path plus those in every sub-folder of {@code dir}. The folders' loader becomes
     * the thread's context class loader, which libraries that look services up through it (JDBC drivers, Jakarta
     * Mail providers) need; threads started later inherit it.
     */
    public static AdapterCatalog load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ConfigException("the adapters folder " + dir + " does not exist (check --adapters-dir or "
                    + "PGOBSERVER_ADAPTERS_DIR)");
        }
        List<URL> jars = new ArrayList<>();
        try (Stream<Path> folders = Files.list(dir)) {
            for (Path folder : folders.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> files = Files.list(folder)) {
                    for (Path jar : files.filter(f -> f.toString().endsWith(".jar")).sorted().toList()) {
                        jars.add(jar.toUri().toURL());
                    }
                }
            }
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the adapters folder " + dir, e);
        }
        ClassLoader loader = new URLClassLoader("pgobserver-adapters", jars.toArray(URL[]::new),
                AdapterCatalog.class.getClassLoader());
        Thread.currentThread().setContextClassLoader(loader);
        // The manifests beside the folders name those deleted; the class path's, the all-in-one jar's own.
        List<AdapterManifest> manifests = new ArrayList<>(AdapterManifest.beside(dir));
        manifests.addAll(AdapterManifest.classPath());
        return discover(loader, manifests);
    }

    public List<Adapter> adapters() {
        return installed.stream().map(Installed::adapter).toList();
    }

    /** The adapters with their versions and where each was found, for {@code pg-observer adapters}. */
    public List<Installed> installed() {
        return installed;
    }

    public boolean has(String name) {
        return installed.stream().anyMatch(i -> i.adapter().name().equals(name));
    }

    /** The sections and action types these adapters read. */
    public ConfigSchema schema() {
        return ConfigSchema.of(adapters(), manifests);
    }

    /**
     * The capabilities the core's bindings need and nothing in the core stands in for (tracing and conditions have
     * no-op stand-ins), with the words that name them in the error.
     */
    private static final Map<Adapter.Capability, String> REQUIRED = Map.of(
            Adapter.Capability.CHANGE_SOURCE, "the PostgreSQL change source");

    /**
     * The Guice modules to install for this configuration.
     *
     * @throws ConfigException naming the folder to put back when an installed adapter is missing for a capability
     *                         the core needs: checked here, before the injector, so a deleted folder is not a Guice
     *                         "no implementation for ChangeHistory" dump
     */
    public Selection select(Configuration config) {
        requireCapabilities();
        List<Module> modules = new ArrayList<>();
        Adapter tracing = chooseTracing(config);
        for (Adapter adapter : adapters()) {
            if (!adapter.provides().contains(Adapter.Capability.TRACING)) {
                modules.add((Module) adapter);
            }
        }
        modules.add((Module) tracing);
        if (adapters().stream().noneMatch(a -> a.provides().contains(Adapter.Capability.CONDITIONS))) {
            modules.add(new NoConditionLanguage(schema().conditionWithoutLanguage()));
        }
        return new Selection(List.copyOf(modules), tracing.name());
    }

    private void requireCapabilities() {
        REQUIRED.forEach((capability, what) -> {
            if (adapters().stream().noneMatch(a -> a.provides().contains(capability))) {
                throw new ConfigException(schema().capabilityNotInstalled(capability, what,
                        adapters().stream().map(Adapter::name).toList()));
            }
        });
    }

    /** The modules chosen, and the tracing adapter's name (for logs and {@code check-config}). */
    public record Selection(List<Module> modules, String tracingAdapter) {
    }

    /** The one telemetry adapter to install for the configuration. */
    Adapter chooseTracing(Configuration config) {
        List<Adapter> tracers = adapters().stream().filter(a -> a.provides().contains(Adapter.Capability.TRACING))
                .toList();
        // Its folder may be deleted: the domain's no-op stands in.
        Adapter noop = tracers.stream().filter(a -> a.name().equals(NOOP)).findFirst()
                .orElseGet(NoTelemetry::new);
        if (!config.tracingActive() && !config.metrics().enabled()) {
            return noop;
        }
        List<Adapter> real = tracers.stream().filter(a -> !a.name().equals(NOOP)).toList();
        if (real.isEmpty()) {
            // An exporter or metrics asked for without the adapter were refused while loading (their keys and
            // variables are the adapter's); tracing merely enabled runs on the no-op tracer.
            return noop;
        }
        if (real.size() > 1) {
            throw new ConfigException("more than one tracing adapter is installed ("
                    + real.stream().map(Adapter::name).collect(Collectors.joining(", ")) + "): keep one");
        }
        return real.getFirst();
    }

    private static String version(Adapter adapter) {
        String version = adapter.getClass().getPackage().getImplementationVersion();
        return version == null ? "development build" : version;
    }

    /**
     * The folder (or class directory) the adapter's class came from; for one built into the all-in-one jar, that
     * jar: its folder would read like an adapter folder, and hide which copy runs when --adapters-dir adds another.
     */
    private static String location(Adapter adapter) {
        var source = adapter.getClass().getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return "class path";
        }
        try {
            Path path = Path.of(source.getLocation().toURI());
            return Files.isDirectory(path) || path.equals(coreJar()) ? path.toString() : path.getParent().toString();
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            return source.getLocation().toString();
        }
    }

    /** The jar the core runs from, or null. */
    private static Path coreJar() {
        var source = AdapterCatalog.class.getProtectionDomain().getCodeSource();
        try {
            return source == null || source.getLocation() == null ? null : Path.of(source.getLocation().toURI());
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }
}
