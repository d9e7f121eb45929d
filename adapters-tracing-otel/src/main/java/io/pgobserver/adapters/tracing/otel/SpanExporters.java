package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.common.ComponentLoader;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.exporter.zipkin.ZipkinSpanExporter;
import io.opentelemetry.sdk.common.InternalTelemetryVersion;
import io.opentelemetry.sdk.common.export.HttpSenderProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.pgobserver.domain.config.TracingSettings;
import zipkin2.reporter.BytesMessageSender;
import zipkin2.reporter.urlconnection.URLConnectionSender;

import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

/** Builds the span processors for {@code tracing.exporter}: one per listed exporter. No I/O happens here. */
final class SpanExporters {

    static final String OTLP_GRPC_DEFAULT = "http://localhost:4317";
    static final String OTLP_HTTP_DEFAULT = "http://localhost:4318/v1/traces";
    static final String ZIPKIN_DEFAULT = "http://localhost:9411/api/v2/spans";
    static final String OTLP_HTTP_PATH = "/v1/traces";
    /** How long one export may take before its spans are given up. */
    static final Duration EXPORT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private static final String JDK_HTTP_SENDER = "io.opentelemetry.exporter.sender.jdk.internal.JdkHttpSenderProvider";

    private SpanExporters() {
    }

    /** One configured exporter: its name, endpoint, processor, and for network exporters the failure guard. */
    record Export(String name, String endpoint, SpanProcessor processor, GuardedSpanExporter guarded) {
        String description() {
            return endpoint == null ? name : name + " (" + endpoint + ")";
        }
    }

    /**
     * The processors for the settings' exporters: batching for the network ones, simple for the console.
     *
     * @param internalMeters   where batch processors report their queue and drops (read by {@code queueDrops})
     * @param exporterOverride when not null, takes the place of each network exporter (otlp, jaeger, zipkin) behind
     *                         the same batch processor: an in-process exporter for benchmarks
     * @throws IllegalArgumentException when an endpoint is not usable, naming the setting and the fix
     */
    static List<Export> create(TracingSettings settings, PrintStream console, MeterProvider internalMeters,
                               QueueDropMonitor queueDrops, SpanExporter exporterOverride) {
        List<String> names = settings.exporters();
        long network = names.stream().filter(n -> !n.equals("console") && !n.equals("none")).count();
        if (network > 1 && settings.endpoint() != null) {
            throw new IllegalArgumentException("tracing.endpoint '" + settings.endpoint() + "' is ambiguous with "
                    + "exporters " + settings.exporter() + ": list one network exporter beside console, or leave "
                    + "tracing.endpoint unset so each uses its default");
        }
        List<Export> exports = new ArrayList<>();
        for (String name : names) {
            switch (name) {
                case "none" -> {
                    // no spans leave the process
                }
                case "console" -> exports.add(new Export(name, null,
                        SimpleSpanProcessor.create(new ConsoleTreeExporter(console)), null));
                case "otlp", "jaeger", "zipkin" -> {
                    if (exporterOverride != null) {
                        exports.add(batched(name, "in-process " + exporterOverride, exporterOverride, settings,
                                internalMeters, queueDrops));
                    } else {
                        exports.add(network(name, settings, internalMeters, queueDrops));
                    }
                }
                default -> throw new IllegalArgumentException("tracing.exporter '" + name + "' is not supported");
            }
        }
        return exports;
    }

    /**
     * The Zipkin exporter, deprecated upstream with its last release 1.63.0: kept because users
     * ask for it, pinned, and confined to this method so it can be replaced by OTLP to Zipkin.
     */
    @SuppressWarnings("deprecation")
    private static SpanExporter zipkin(String endpoint) {
        BytesMessageSender sender = URLConnectionSender.newBuilder().endpoint(endpoint)
                .connectTimeout((int) CONNECT_TIMEOUT.toMillis())
                .readTimeout((int) EXPORT_TIMEOUT.toMillis()).build();
        return ZipkinSpanExporter.builder().setSender(sender).build();
    }

    private static Export network(String name, TracingSettings settings, MeterProvider internalMeters,
                              QueueDropMonitor queueDrops) {
        return switch (name) {
            case "otlp", "jaeger" -> {
                String endpoint = otlpEndpoint(settings);
                Map<String, String> headers = settings.headers();
                SpanExporter exporter = settings.protocol().equals("grpc")
                        ? OtlpGrpcSpanExporter.builder().setEndpoint(endpoint).setTimeout(EXPORT_TIMEOUT)
                            .setConnectTimeout(CONNECT_TIMEOUT).setHeaders(() -> headers).build()
                        : OtlpHttpSpanExporter.builder().setEndpoint(endpoint).setTimeout(EXPORT_TIMEOUT)
                            .setConnectTimeout(CONNECT_TIMEOUT).setHeaders(() -> headers)
                            .setComponentLoader(JDK_HTTP_ONLY).build();
                String label = name + " " + settings.protocol();
                yield batched(label, endpoint, exporter, settings, internalMeters, queueDrops);
            }
            case "zipkin" -> {
                String endpoint = zipkinEndpoint(settings);
                yield batched(name, endpoint, zipkin(endpoint), settings, internalMeters, queueDrops);
            }
            default -> throw new IllegalArgumentException("tracing.exporter '" + name + "' is not supported");
        };
    }

    private static Export batched(String name, String endpoint, SpanExporter exporter, TracingSettings settings,
                                  MeterProvider internalMeters, QueueDropMonitor queueDrops) {
        GuardedSpanExporter guarded = new GuardedSpanExporter(name + " " + endpoint, exporter, queueDrops);
        BatchSpanProcessor processor = BatchSpanProcessor.builder(guarded)
                .setMaxQueueSize(settings.maxQueueSize())
                .setMaxExportBatchSize(settings.maxExportBatchSize())
                .setScheduleDelay(settings.scheduleDelay())
                .setExporterTimeout(EXPORT_TIMEOUT.plusSeconds(1))
                .setMeterProvider(internalMeters)
                .setInternalTelemetryVersion(InternalTelemetryVersion.LATEST)
                .build();
        return new Export(name, endpoint, processor, guarded);
    }

    /** The OTLP endpoint: the configured one, or the protocol's default; HTTP gets {@code /v1/traces} when it has no path. */
    static String otlpEndpoint(TracingSettings settings) {
        boolean grpc = settings.protocol().equals("grpc");
        if (settings.endpoint() == null || settings.endpoint().isBlank()) {
            return grpc ? OTLP_GRPC_DEFAULT : OTLP_HTTP_DEFAULT;
        }
        URI uri = httpUri(settings.endpoint());
        if (grpc) {
            return settings.endpoint().trim();
        }
        String path = uri.getRawPath();
        String base = settings.endpoint().trim();
        if (path == null || path.isEmpty() || path.equals("/")) {
            return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + OTLP_HTTP_PATH;
        }
        return base;
    }

    static String zipkinEndpoint(TracingSettings settings) {
        if (settings.endpoint() == null || settings.endpoint().isBlank()) {
            return ZIPKIN_DEFAULT;
        }
        URI uri = httpUri(settings.endpoint());
        String path = uri.getRawPath();
        String base = settings.endpoint().trim();
        if (path == null || path.isEmpty() || path.equals("/")) {
            return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/api/v2/spans";
        }
        return base;
    }

    private static URI httpUri(String endpoint) {
        try {
            URI uri = new URI(endpoint.trim());
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                    || uri.getHost() == null) {
                throw new IllegalArgumentException(notHttp(endpoint));
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(notHttp(endpoint), e);
        }
    }

    private static String notHttp(String endpoint) {
        return "tracing.endpoint '" + endpoint + "' is not an http(s) URL with a host, such as "
                + OTLP_GRPC_DEFAULT + " (OTLP gRPC), " + OTLP_HTTP_DEFAULT + " (OTLP HTTP) or " + ZIPKIN_DEFAULT;
    }

    /**
     * Finds components on this module's class loader, but offers OTLP/HTTP only the JDK HttpClient sender: the
     * OkHttp sender is on the class path for gRPC, and without this the exporter would pick one of the two at
     * random order and log a warning about it.
     */
    static final ComponentLoader JDK_HTTP_ONLY = new ComponentLoader() {
        private final ComponentLoader all = ComponentLoader.forClassLoader(SpanExporters.class.getClassLoader());

        @Override
        public <T> Iterable<T> load(Class<T> type) {
            Iterable<T> found = all.load(type);
            if (type != HttpSenderProvider.class) {
                return found;
            }
            List<T> jdk = StreamSupport.stream(found.spliterator(), false)
                    .filter(provider -> provider.getClass().getName().equals(JDK_HTTP_SENDER))
                    .toList();
            return jdk.isEmpty() ? found : jdk;
        }
    };
}
