package io.pgobserver.adapters.postgres;

import com.google.inject.Guice;
import com.google.inject.Module;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.event.JsonValues;
import io.pgobserver.domain.event.Position;
import io.pgobserver.domain.observer.Condition;
import io.pgobserver.domain.observer.ConditionCompiler;
import io.pgobserver.domain.port.EventBody;
import io.pgobserver.domain.spi.Adapter;
import io.pgobserver.domain.trace.TraceContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Instant;
import java.util.ServiceLoader;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A row image's way through the pipeline, without the database: {@code parse} reads the jsonb text of
 * {@code change_log} and freezes it as the listener does, {@code condition} evaluates a CEL condition on a number
 * of it, {@code write} writes it as the webhook body and Kafka record do. {@code numbers} picks the rule:
 * {@code as-written} is {@link Json} (a decimal as PostgreSQL wrote it), {@code double-when-exact} the rule it
 * replaced ({@link DoubleWhenExactJson}). The row is an order with four {@code numeric} columns, two integers and
 * four text columns.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RowImageBenchmark {

    static final String ROW = """
            {"id": 4711, "customer": "ada", "status": "shipped", "total": 120.50, "price": 19.99, "tax_rate": 0.0825,
             "discount": 0.00, "qty": 6, "currency": "EUR", "note": "leave at the door"}""";

    @Param({"double-when-exact", "as-written"})
    public String numbers;

    private Map<String, Object> image;
    private ChangeEvent event;
    private Condition condition;

    @Setup
    public void setUp() throws Exception {
        image = parse();
        event = new ChangeEvent("e-1", new Position(1, 1), "public.orders", "4711", ChangeKind.UPDATED, Map.of(),
                image, Instant.parse("2026-01-01T00:00:00Z"), TraceContext.NONE);
        // The compiler the product binds: the conditions adapter found and installed as the bootstrap does (an
        // adapter never names another adapter's classes, this one's package included).
        Adapter conditions = ServiceLoader.load(Adapter.class).stream().map(ServiceLoader.Provider::get)
                .filter(a -> a.provides().contains(Adapter.Capability.CONDITIONS)).findFirst().orElseThrow();
        condition = Guice.createInjector((Module) conditions).getInstance(ConditionCompiler.class)
                .compile("bench", "after.total > 100.0 && after.tax_rate < 0.1");
        if (!condition.matches(event)) {
            throw new IllegalStateException("the condition must hold on the row");
        }
    }

    @Benchmark
    public Map<String, Object> parse() throws Exception {
        return JsonValues.immutableMap("as-written".equals(numbers) ? Json.readObject(ROW)
                : DoubleWhenExactJson.readObject(ROW));
    }

    @Benchmark
    public boolean condition() throws Exception {
        return condition.matches(event);
    }

    @Benchmark
    public String write() {
        return EventBody.text(image);
    }
}
