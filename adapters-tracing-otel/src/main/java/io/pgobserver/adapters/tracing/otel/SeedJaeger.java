package io.pgobserver.adapters.tracing.otel;

import io.pgobserver.domain.spi.ConfigReader;

/**
 * The {@code tracing.jaeger} section of the original tracing design, written for the retired Jaeger client:
 * {@code agent_host}/{@code agent_port} (the Thrift agent), {@code endpoint} (the Thrift collector),
 * {@code sample_rate} and {@code batch_size}. Accepted as written and read as today's keys, with one warning.
 *
 * @param endpoint   the OTLP endpoint the section amounts to, or null when it names no host
 * @param protocol   the OTLP protocol for {@code endpoint}
 * @param sampleRate {@code sample_rate}, or null
 * @param batchSize  {@code batch_size}, or null
 * @param note       what was left out, for the warning (the agent's UDP port)
 * @param present    whether the section is there at all
 */
record SeedJaeger(String endpoint, String protocol, Double sampleRate, Integer batchSize, String note,
                  boolean present) {

    static SeedJaeger read(ConfigReader node) {
        String agentHost = node.string("agent_host", null);
        boolean portSet = node.has("agent_port");
        int agentPort = node.integer("agent_port", 6831, 1, 65535);
        String collector = node.string("endpoint", null);
        boolean rateSet = node.has("sample_rate");
        double rate = node.decimal("sample_rate", 1.0);
        boolean batchSet = node.has("batch_size");
        int batch = node.integer("batch_size", 512, 1, 10_000_000);
        node.finish();
        boolean present = agentHost != null || portSet || collector != null || rateSet || batchSet;
        String endpoint = null;
        String protocol = null;
        String note = "";
        if (collector != null) {
            String key = node.key("endpoint");
            endpoint = JaegerEndpoints.isThriftCollector(key, collector)
                    ? JaegerEndpoints.otlpHttpFor(key, collector) : collector.trim();
            protocol = "http/protobuf";
        } else if (agentHost != null) {
            endpoint = JaegerEndpoints.otlpGrpcForAgent(agentHost);
            protocol = "grpc";
            note = portSet ? " (OTLP/gRPC; agent_port " + agentPort + " is the Thrift agent's UDP port, not used)"
                    : " (OTLP/gRPC)";
        } else if (portSet) {
            throw new IllegalArgumentException(node.key("agent_port") + " needs " + node.key("agent_host")
                    + ": spans go as OTLP to that host; or write tracing.endpoint: http://HOST:4317");
        }
        return new SeedJaeger(endpoint, protocol, rateSet ? rate : null, batchSet ? batch : null, note, present);
    }
}
