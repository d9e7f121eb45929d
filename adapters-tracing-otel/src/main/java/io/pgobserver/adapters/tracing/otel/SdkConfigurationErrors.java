package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.pgobserver.domain.observer.Urls;

/**
 * The OpenTelemetry SDK's configuration errors as pg-observer may show them. The SDK echoes the value it rejects
 * ({@code OTLP endpoint must not have a query string: apikey=...}, {@code Invalid map property:
 * otel.exporter.otlp.headers=...}), and those values are where users put API keys: the message keeps what is
 * wrong and how to fix it, never such a value.
 */
final class SdkConfigurationErrors {

    private static final String ENDPOINT = "OTLP endpoint";
    private static final String ENDPOINT_SETTINGS =
            "tracing.endpoint, OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
    private static final String NOT_SHOWN = "(value not shown: it may hold a secret)";

    private SdkConfigurationErrors() {
    }

    /** The SDK's error as a configuration error for the user; not chained to it. */
    static IllegalArgumentException of(ConfigurationException e) {
        // The SDK's exception is left out as the cause: --verbose prints causes, and its message holds the value.
        return new IllegalArgumentException("OpenTelemetry configuration: " + message(e.getMessage())
                + " (check the OTEL_* variables and the tracing section)");
    }

    static String message(String sdk) {
        if (sdk == null) {
            return "rejected by the OpenTelemetry SDK";
        }
        int colon = sdk.indexOf(": ");
        if (sdk.startsWith(ENDPOINT) && colon > 0) {
            return endpoint(sdk.substring(0, colon), sdk.substring(colon + 2));
        }
        // "Invalid map property: name=value", "Invalid value for property name=value. Must be a double."
        int eq = sdk.indexOf('=');
        if (sdk.startsWith("Invalid") && eq > 0) {
            int must = sdk.lastIndexOf(". Must be");
            return sdk.substring(0, eq) + " " + NOT_SHOWN + (must > eq ? sdk.substring(must) : "");
        }
        return Urls.redactIn(sdk);
    }

    private static String endpoint(String problem, String value) {
        String where = problem + " (" + ENDPOINT_SETTINGS + ")";
        if (problem.endsWith("query string")) {
            return where + ": remove the query (not shown: it may hold a key) and send credentials as headers"
                    + " instead, with tracing.headers or OTEL_EXPORTER_OTLP_HEADERS";
        }
        if (problem.endsWith("fragment")) {
            return where + ": remove the #fragment (not shown: it may hold a key)";
        }
        return where + ": " + Urls.redactIn(value);
    }
}
