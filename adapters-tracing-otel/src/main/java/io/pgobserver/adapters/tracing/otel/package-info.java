/**
 * Tracing and metrics on OpenTelemetry; the public face is {@link io.pgobserver.adapters.tracing.otel.OtelTracingModule}.
 *
 * <p>The SDK is built by {@code opentelemetry-sdk-extension-autoconfigure}: the file's {@code tracing} and
 * {@code metrics} keys are its lowest-precedence properties, and every {@code OTEL_*} variable and
 * {@code otel.*} system property goes over them as the specification says. The exporters below are offered to it
 * by name through its SPI. {@code tracing.only_errors} puts a processor in front of each span processor that
 * holds an event's spans until its root ends and passes them on only when something failed or was retried.
 *
 * <p>Exporters ({@code tracing.exporter}, several as a comma-separated list such as {@code console,zipkin}):
 * <ul>
 *   <li>{@code otlp}, {@code jaeger}: OTLP over gRPC (default {@code http://localhost:4317}) or HTTP/protobuf
 *       (default {@code http://localhost:4318/v1/traces}; {@code /v1/traces} is added to an endpoint without a
 *       path). Jaeger has ingested OTLP natively since 1.35. HTTP goes through the JDK's HttpClient, gRPC
 *       through OpenTelemetry's OkHttp sender. {@code tracing.headers} go with every OTLP export.</li>
 *   <li>{@code zipkin}: Zipkin v2 JSON (default {@code http://localhost:9411/api/v2/spans}) over the JDK's
 *       URLConnection, with {@code opentelemetry-exporter-zipkin} 1.63.0, its last release. Zipkin also
 *       ingests OTLP, the way forward once that exporter no longer works with the SDK.</li>
 *   <li>{@code console}: each trace as an indented tree when its root ends, to the {@code PrintStream} bound
 *       as {@code @Named("pgobserver.tracing.console")} (standard output by default).</li>
 *   <li>{@code none}: no spans leave the process; the tracer records nothing.</li>
 * </ul>
 * Network exporters run behind batch span processors; a failed export or a full queue drops spans with a
 * warning at most once a minute and never blocks or fails an event. Shutdown flushes for at most 10 s.
 *
 * <p>Metrics (with tracing on or off), on {@code /metrics} of {@code metrics.port}: {@code pgobserver_events_processed_total},
 * {@code pgobserver_event_duration_seconds}, {@code pgobserver_action_duration_seconds},
 * {@code pgobserver_action_failures_total}, {@code pgobserver_dead_letters_total},
 * {@code pgobserver_events_retried_total}, {@code pgobserver_listener_lag}, {@code pgobserver_listener_lag_age_seconds},
 * {@code pgobserver_listener_open_transaction_age_seconds},
 * {@code pgobserver_checkpoint_age_seconds}, {@code pgobserver_parked_entities}, and the SDK's own {@code otel_sdk_processor_span_*} (queue size,
 * processed and dropped spans).
 *
 * <p>Logs: while a span is current ({@code Span.makeCurrent()}), the SLF4J MDC holds {@code trace_id} and
 * {@code span_id}.
 */
package io.pgobserver.adapters.tracing.otel;
