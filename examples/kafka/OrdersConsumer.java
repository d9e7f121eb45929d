// A consumer of pg-observer's records: it continues each record's trace and processes each event once.
//
// Needs org.apache.kafka:kafka-clients and io.opentelemetry:opentelemetry-api on the class path, and an
// OpenTelemetry SDK registered as the global one (the OpenTelemetry Java agent does that):
//
//   java -javaagent:opentelemetry-javaagent.jar -Dotel.service.name=orders-consumer \
//        -cp kafka-clients.jar:opentelemetry-api.jar:opentelemetry-context.jar OrdersConsumer.java localhost:9092
//
// KafkaTracingIT (bootstrap/src/test/.../tracing) runs the same steps against a real broker and checks that the
// consumer's span is a child of pg-observer's `send orders` span, in the writer's trace.

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;

public class OrdersConsumer {

    /** Reads W3C traceparent/tracestate from a record's headers. */
    static final TextMapGetter<Headers> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers headers) {
            return StreamSupport.stream(headers.spliterator(), false).map(Header::key).toList();
        }

        @Override
        public String get(Headers headers, String key) {
            Header header = headers == null ? null : headers.lastHeader(key);
            return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        }
    };

    public static void main(String[] args) {
        Properties props = new Properties();
        props.put("bootstrap.servers", args.length > 0 ? args[0] : "localhost:9092");
        props.put("group.id", "orders-consumer");
        props.put("enable.auto.commit", "false");
        props.put("key.deserializer", StringDeserializer.class.getName());
        props.put("value.deserializer", StringDeserializer.class.getName());
        Tracer tracer = GlobalOpenTelemetry.getTracer("orders-consumer");
        // Delivery is at least once: a crash of pg-observer repeats what was in flight, with the same
        // pgobserver-delivery-id. Recent ids are enough here; store them with your own writes (one transaction) to
        // survive this consumer's restarts too.
        Set<String> seen = Collections.newSetFromMap(new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > 100_000;
            }
        });
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(Pattern.compile("orders\\..*"));
            while (true) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofSeconds(1))) {
                    Context parent = W3CTraceContextPropagator.getInstance()
                            .extract(Context.root(), record.headers(), HEADERS);
                    Span span = tracer.spanBuilder("process " + record.topic()).setParent(parent)
                            .setSpanKind(SpanKind.CONSUMER)
                            .setAttribute("messaging.system", "kafka")
                            .setAttribute("messaging.destination.name", record.topic())
                            .setAttribute("messaging.kafka.message.key", record.key())
                            .setAttribute("messaging.kafka.offset", record.offset())
                            .startSpan();
                    try (Scope ignored = span.makeCurrent()) {
                        String delivery = HEADERS.get(record.headers(), "pgobserver-delivery-id");
                        if (!seen.add(delivery)) {
                            span.setAttribute("duplicate", true);
                            continue;
                        }
                        handle(record.key(), record.value());
                    } finally {
                        span.end();
                    }
                }
                consumer.commitSync();
            }
        }
    }

    /** The event JSON: event_id, entity_type, entity_id, kind, before, after, occurred_at, observer. */
    static void handle(String orderId, String event) {
        System.out.println("order " + orderId + ": " + event);
    }
}
