package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.common.ComponentLoader;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.exporter.zipkin.ZipkinSpanExporter;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.traces.ConfigurableSpanExporterProvider;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.GrpcSenderProvider;
import io.opentelemetry.sdk.common.export.HttpSenderProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.pgobserver.domain.observer.Urls;
import zipkin2.reporter.BytesMessageSender;
import zipkin2.reporter.urlconnection.URLConnectionSender;

import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The span exporters the SDK's autoconfiguration may pick by name ({@code otel.traces.exporter}): the class
 * path's (OTLP), and pg-observer's own — {@code console} (span trees), {@code zipkin} (through the JDK's
 * URLConnection, as the upstream provider would need OkHttp's sender) and {@code jaeger} (OTLP, which Jaeger takes
 * natively). No I/O happens here.
 */
final class SpanExporters {

    static final String OTLP_GRPC_DEFAULT = "http://localhost:4317";
    static final String OTLP_HTTP_DEFAULT = "http://localhost:4318/v1/traces";
    static final String ZIPKIN_DEFAULT = "http://localhost:9411/api/v2/spans";
    static final String OTLP_HTTP_PATH = "/v1/traces";
    static final String ZIPKIN_ENDPOINT = "otel.exporter.zipkin.endpoint";
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private SpanExporters() {
    }

    /** The package of the SDK's OTLP/HTTP sender on the JDK's HttpClient (opentelemetry-exporter-sender-jdk). */
    static final String JDK_SENDER = "io.opentelemetry.exporter.sender.jdk.";

    /**
     * What the SDK loads through its SPI: everything on this module's class loader, with pg-observer's exporter
     * providers in the place of the class path's of the same name (the upstream Zipkin one), the JDK's HTTP
     * sender alone for OTLP/HTTP, and pg-observer's own gRPC sender alone for OTLP over gRPC.
     */
    static ComponentLoader components(PrintStream console) {
        ComponentLoader all = ComponentLoader.forClassLoader(SpanExporters.class.getClassLoader());
        return new ComponentLoader() {
            @Override
            @SuppressWarnings("unchecked")
            public <T> Iterable<T> load(Class<T> type) {
                Iterable<T> found = all.load(type);
                if (type == HttpSenderProvider.class) {
                    return jdkSender(found);
                }
                if (type == GrpcSenderProvider.class) {
                    return noDelayGrpcSender(found);
                }
                if (type != ConfigurableSpanExporterProvider.class) {
                    return found;
                }
                List<ConfigurableSpanExporterProvider> upstream = new ArrayList<>();
                found.forEach(provider -> upstream.add((ConfigurableSpanExporterProvider) provider));
                List<ConfigurableSpanExporterProvider> providers = new ArrayList<>(List.of(
                        new Console(console, "console"), new Console(console, "logging"), new Zipkin()));
                upstream.stream().filter(p -> p.getName().equals("otlp")).findFirst()
                        .ifPresent(otlp -> providers.add(new Jaeger(otlp)));
                Set<String> own = new HashSet<>();
                providers.forEach(p -> own.add(p.getName()));
                upstream.stream().filter(p -> !own.contains(p.getName())).forEach(providers::add);
                return (Iterable<T>) providers;
            }
        };
    }

    /**
     * The JDK's HTTP sender among those found. OkHttp's, also on the class path for gRPC, never sets TCP_NODELAY: an
     * export whose body takes several writes then waits on the collector's delayed ACK, some 40 ms on Linux, and the
     * batch processor sends one batch at a time (8,190 spans: 40 ms an export through OkHttp, 15 ms through the JDK's
     * HttpClient, which sets it). Given one provider the SDK takes it, with no warning and no system property.
     *
     * @return the JDK's, or all found when it is missing (a class path put together by hand)
     */
    private static <T> Iterable<T> jdkSender(Iterable<T> found) {
        List<T> jdk = new ArrayList<>();
        found.forEach(provider -> {
            if (provider.getClass().getName().startsWith(JDK_SENDER)) {
                jdk.add(provider);
            }
        });
        return jdk.isEmpty() ? found : jdk;
    }

    /**
     * pg-observer's gRPC sender ({@link NoDelayGrpcSender}): OkHttp's own, the one on the class path, leaves Nagle's
     * algorithm on and waited on the collector's delayed ACK on every export, as OTLP/HTTP did through it.
     *
     * @return pg-observer's, or all found when OkHttp, which it runs on, is missing (a class path put together by
     * hand)
     */
    @SuppressWarnings("unchecked")
    private static <T> Iterable<T> noDelayGrpcSender(Iterable<T> found) {
        try {
            Class.forName("okhttp3.OkHttpClient", false, SpanExporters.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError missing) {
            return found;
        }
        return List.of((T) new NoDelayGrpcSender.Provider());
    }

    /**
     * {@code console}: span trees on the console stream (bound by the module); also under OpenTelemetry's older
     * name {@code logging}. The SDK gives both a simple (unbatched) processor.
     */
    record Console(PrintStream out, String name) implements ConfigurableSpanExporterProvider {
        @Override
        public SpanExporter createExporter(ConfigProperties config) {
            return new ConsoleTreeExporter(out);
        }

        @Override
        public String getName() {
            return name;
        }
    }

    /** {@code zipkin}: Zipkin's v2 JSON API; {@code otel.exporter.zipkin.endpoint} gets {@code /api/v2/spans} when it has no path. */
    static final class Zipkin implements ConfigurableSpanExporterProvider {
        @Override
        public SpanExporter createExporter(ConfigProperties config) {
            return zipkin(zipkinEndpoint(config.getString(ZIPKIN_ENDPOINT)),
                    config.getDuration("otel.exporter.zipkin.timeout", Duration.ofSeconds(10)));
        }

        @Override
        public String getName() {
            return "zipkin";
        }
    }

    /** {@code jaeger}: the class path's {@code otlp} provider, as configured by the {@code otel.exporter.otlp.*} properties. */
    record Jaeger(ConfigurableSpanExporterProvider otlp) implements ConfigurableSpanExporterProvider {
        @Override
        public SpanExporter createExporter(ConfigProperties config) {
            return otlp.createExporter(config);
        }

        @Override
        public String getName() {
            return "jaeger";
        }
    }

    /**
     * The Zipkin exporter, deprecated upstream with its last release 1.63.0: kept because users
     * ask for it, pinned, and confined to this method so it can be replaced by OTLP to Zipkin.
     */
    @SuppressWarnings("deprecation")
    static SpanExporter zipkin(String endpoint, Duration timeout) {
        BytesMessageSender sender = URLConnectionSender.newBuilder().endpoint(endpoint)
                .connectTimeout((int) CONNECT_TIMEOUT.toMillis())
                .readTimeout((int) timeout.toMillis()).build();
        return new Described(ZipkinFailureCause.wrap(sender, s -> ZipkinSpanExporter.builder().setSender(s).build()),
                "zipkin " + Urls.redact(endpoint));
    }

    /**
     * What an exporter is and where it sends, for warnings: the endpoint with credentials and query removed, never
     * the headers (API keys).
     */
    static String describe(SpanExporter exporter, ConfigProperties config) {
        if (exporter instanceof Described described) {
            return described.description();
        }
        if (exporter instanceof OtlpGrpcSpanExporter) {
            return "otlp grpc " + Urls.redact(otlpEndpoint(config, true));
        }
        if (exporter instanceof OtlpHttpSpanExporter) {
            return "otlp http/protobuf " + Urls.redact(otlpEndpoint(config, false));
        }
        return exporter.getClass().getSimpleName();
    }

    /** Whether the exporter is an OTLP one to an https:// endpoint, with no client certificate (mutual TLS) set. */
    static boolean tlsWithoutClientCertificate(SpanExporter exporter, ConfigProperties config) {
        boolean grpc = exporter instanceof OtlpGrpcSpanExporter;
        if (!grpc && !(exporter instanceof OtlpHttpSpanExporter)) {
            return false;
        }
        return otlpEndpoint(config, grpc).regionMatches(true, 0, "https://", 0, 8)
                && config.getString("otel.exporter.otlp.traces.client.key") == null
                && config.getString("otel.exporter.otlp.client.key") == null;
    }

    /** The OTLP traces endpoint as the SDK resolves it: the signal's own, else the generic one plus the signal path. */
    static String otlpEndpoint(ConfigProperties config, boolean grpc) {
        String traces = config.getString("otel.exporter.otlp.traces.endpoint");
        if (traces != null) {
            return traces;
        }
        String generic = config.getString("otel.exporter.otlp.endpoint");
        if (generic == null) {
            return grpc ? OTLP_GRPC_DEFAULT : OTLP_HTTP_DEFAULT;
        }
        if (grpc) {
            return generic;
        }
        return (generic.endsWith("/") ? generic.substring(0, generic.length() - 1) : generic) + OTLP_HTTP_PATH;
    }

    static String zipkinEndpoint(String configured) {
        if (configured == null || configured.isBlank()) {
            return ZIPKIN_DEFAULT;
        }
        URI uri = httpUri(ZIPKIN_ENDPOINT, configured);
        String path = uri.getRawPath();
        String base = configured.trim();
        if (path == null || path.isEmpty() || path.equals("/")) {
            return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/api/v2/spans";
        }
        return base;
    }

    /**
     * @throws IllegalArgumentException when the endpoint is not an http(s) URL, naming the setting (the file's
     *                                  {@code tracing.endpoint} or its SDK property) and the fix
     */
    static URI httpUri(String property, String endpoint) {
        try {
            URI uri = new URI(endpoint.trim());
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                    || uri.getHost() == null) {
                throw new IllegalArgumentException(notHttp(property, endpoint));
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(notHttp(property, endpoint), e);
        }
    }

    private static String notHttp(String property, String endpoint) {
        // Not redacted: a value that is no URL would come out as "(redacted)", and the user must see what is wrong.
        String key = property.equals("tracing.endpoint") ? property : "tracing.endpoint (" + property + ")";
        return key + " '" + endpoint + "' is not an http(s) URL with a host, such as " + OTLP_GRPC_DEFAULT + " (OTLP gRPC), http://localhost:4318 (OTLP HTTP) or "
                + ZIPKIN_DEFAULT;
    }

    /** An exporter that says where it sends (the Zipkin exporter's own string names no endpoint). */
    record Described(SpanExporter delegate, String description) implements Forwarding {
        @Override
        public String toString() {
            return description;
        }
    }

    /** An exporter in front of another, which does all it does but what it overrides. */
    interface Forwarding extends SpanExporter {

        SpanExporter delegate();

        @Override
        default CompletableResultCode export(Collection<SpanData> spans) {
            return delegate().export(spans);
        }

        @Override
        default CompletableResultCode flush() {
            return delegate().flush();
        }

        @Override
        default CompletableResultCode shutdown() {
            return delegate().shutdown();
        }
    }
}
