package io.pgobserver.adapters.demo;

import io.pgobserver.domain.config.Durations;
import io.pgobserver.domain.spi.ApplicationDatabase;
import io.pgobserver.domain.spi.ApplicationDatabase.Statement;
import io.pgobserver.domain.spi.ObserverHost;
import io.pgobserver.domain.spi.RunningObserver;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.TraceContext;
import io.pgobserver.domain.trace.Tracer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * {@code demo}: the observer on an embedded PostgreSQL with a sample {@code orders} table, sample observers and
 * built-in receivers. It plays the application too: each order is written inside a client trace
 * ({@code SET LOCAL pgobserver.traceparent}) of its own service ({@value #SHOP}), so every printed span tree
 * continues the writer's trace, and the webhook receiver continues it in turn: writer, observer and receiver, one
 * trace of three services.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the observer on an embedded PostgreSQL with sample observers and built-in receivers; "
                + "write orders inside a client trace and print each event's span tree. Exporting to Zipkin or an "
                + "OTLP backend at the same time works with ZIPKIN_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT.")
final class DemoCommand implements Callable<Integer> {

    // Set by the shutdown hook (Ctrl-C, SIGTERM): the writer stops instead of failing on a closing database.
    private volatile boolean interrupted;

    @Option(names = "--events", paramLabel = "N", description = "Exit 0 after N events (default: run until Ctrl-C).")
    Integer events;

    /** Below it the writer would fill the database in a tight loop and the printed trees would scroll unread. */
    static final Duration MIN_INTERVAL = Duration.ofMillis(10);
    /** Above it the demo would look stuck. */
    static final Duration MAX_INTERVAL = Duration.ofHours(1);

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "1s",
            description = "Time between orders, 10ms to 1h (default: ${DEFAULT-VALUE}).")
    String interval;

    // Usage errors name the command as the user typed it (pg-observer demo), which only the injected spec knows.
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** The service name of the demo's application, which writes the orders. */
    static final String SHOP = "demo-shop";

    private final ObserverHost host;

    DemoCommand(ObserverHost host) {
        this.host = host;
    }

    @Override
    public Integer call() throws Exception {
        if (events != null && events < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--events must be at least 1");
        }
        Duration pause;
        try {
            pause = Durations.within("--interval", Durations.parse("--interval", interval), MIN_INTERVAL, MAX_INTERVAL,
                    "e.g. 1s, or 100ms for a busier demo");
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintStream out = System.out;
        Path data = Files.createTempDirectory("pg-observer-demo");
        out.println("[demo] starting an embedded PostgreSQL (first start unpacks it, a few seconds)...");
        // Its own shutdown hook would stop PostgreSQL beside ours, under the observer and the writer that still use
        // it: a Ctrl-C then printed their connection errors. Ours stops the observer first, then PostgreSQL.
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setDataDirectory(data.resolve("pg"))
                .setCleanDataDirectory(true).setRegisterShutdownHook(false).start();
             DemoReceivers receivers = DemoReceivers.start(out)) {
            // The demo brings its own database: a DATABASE_URL meant for `run` must not point it elsewhere.
            Map<String, String> env = new HashMap<>(System.getenv());
            env.remove("DATABASE_URL");
            DemoConfiguration.traceLinks(env).ifPresent(link -> env.put("CONSOLE_TRACE_URL", link));
            String yaml = DemoConfiguration.yaml(postgres.getPort(), receivers, data);
            String exporters = DemoConfiguration.consoleBeside(host.effective(yaml, env, "tracing.exporter"), env);
            // Folded into the exporter list above: left in place, the SDK would let it replace the console.
            env.remove("OTEL_TRACES_EXPORTER");
            try (RunningObserver observer = host.boot(yaml, env, List.of("tracing.exporter=" + exporters))) {
                observer.warnings().forEach(w -> out.println("[demo] warning: " + w));
                out.println("[demo] tracing: " + exporters + " via " + observer.tracingAdapter());
                observer.adminPages().forEach(page -> out.println("[demo] open " + page + "/ in a browser"
                        + (env.containsKey("CONSOLE_TRACE_URL") ? "; trace ids link to " + env.get("CONSOLE_TRACE_URL")
                        : "; set CONSOLE_TRACE_URL (such as http://localhost:16686/trace/{trace_id}) to link trace ids")));
                receivers.trace(observer.tracer());
                ApplicationDatabase database = observer.applicationDatabase();
                database.run(Statement.of("create table if not exists public.orders (id bigserial primary key, "
                        + "customer text not null, total numeric(10,2) not null, status text not null default 'new')"));
                observer.installCapture("public.orders", null);
                observer.startPipeline();
                Thread stopOnSignal = new Thread(() -> {
                    interrupted = true;
                    try {
                        observer.stop(Duration.ofSeconds(5));
                        // The same summary as --events gives: what a run of minutes did, its first lines long gone.
                        out.println("[demo] stopped: " + DemoReceivers.counted(observer.processedCount(),
                                "event") + " processed, " + receivers.received());
                        postgres.close();
                        deleteQuietly(data);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (IOException | RuntimeException e) {
                        out.println("[demo] stopping: " + e.getMessage());
                    }
                }, "demo-stop");
                Runtime.getRuntime().addShutdownHook(stopOnSignal);
                writeOrders(database, observer.tracer().forService(SHOP), observer, receivers, pause, out);
                if (interrupted) {
                    return 0; // the hook stops everything; the JVM ends with it
                }
                Runtime.getRuntime().removeShutdownHook(stopOnSignal);
                observer.stop(Duration.ofSeconds(10));
                out.println("[demo] done: " + DemoReceivers.counted(observer.processedCount(), "event")
                        + " processed, " + receivers.received());
            }
        } finally {
            if (!interrupted) {
                deleteQuietly(data); // after PostgreSQL stopped (the try above closed it); the hook does its own
            }
        }
        return 0;
    }

    /** The demo's database and templates are its own: nothing of a run is left in the temporary folder. */
    private static void deleteQuietly(Path folder) {
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // A leftover temporary folder is untidy, not wrong: the next demo makes a new one.
        }
    }

    /**
     * Plays the application: creates an order, then ships it, each in a transaction that carries the client's
     * trace, until {@code --events} events were processed (each order makes two).
     */
    private void writeOrders(ApplicationDatabase database, Tracer tracer, RunningObserver pipeline,
                             DemoReceivers receivers, Duration pause, PrintStream out) throws InterruptedException {
        String[] customers = {"ada", "grace", "linus", "barbara", "ken"};
        long written = 0;
        long shown = -1;
        long deadline = Long.MAX_VALUE;
        while ((events == null || pipeline.processedCount() < events) && !interrupted) {
            if (events == null || written < events) {
                try {
                    written = writeOrder(database, tracer, customers, written, out);
                } catch (RuntimeException e) {
                    if (interrupted) {
                        return;
                    }
                    throw e;
                }
                Thread.sleep(pause.toMillis());
            } else {
                if (deadline == Long.MAX_VALUE) {
                    deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                } else if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the demo's events were written but only "
                            + pipeline.processedCount() + " of " + events + " were processed within 60 s");
                }
                Thread.sleep(50);
            }
            long done = pipeline.processedCount();
            if (done != shown) {
                out.printf("[demo] progress: %d%s events processed, %d webhooks received%n", done,
                        events == null ? "" : "/" + events, receivers.webhooks.get());
                shown = done;
            }
        }
    }

    /** Places one order and, unless that was the last event wanted, ships it; returns the events written so far. */
    private long writeOrder(ApplicationDatabase database, Tracer tracer, String[] customers, long written,
                            PrintStream out) {
        String customer = customers[(int) (written / 2 % customers.length)];
        double total = Math.round(ThreadLocalRandom.current().nextDouble(20, 250) * 100) / 100.0;
        long id = Long.parseLong(inTrace(database, tracer, "place_order", out, Statement.of(
                "insert into public.orders (customer, total) values (?, ?) returning id", customer, total)));
        long now = written + 1;
        if (events == null || now < events) {
            inTrace(database, tracer, "ship_order", out,
                    Statement.of("update public.orders set status = 'shipped' where id = ?", id));
            now++;
        }
        return now;
    }

    /** Commits the statement in a transaction that carries a client span's context, as an instrumented app would. */
    private static String inTrace(ApplicationDatabase database, Tracer tracer, String name, PrintStream out,
                                  Statement statement) {
        Span span = tracer.startTrace("demo." + name, TraceContext.NONE, SpanKind.CLIENT);
        TraceContext context = span.context().isValid() ? span.context() : randomContext();
        try {
            String answer = database.commit(context, List.of(statement)).get(0);
            out.printf("[demo] %s committed in trace %s%n", name.replace('_', ' '), context.traceId());
            return answer;
        } finally {
            span.end();
        }
    }

    /** A writer's context when tracing is off here: the trace still reaches the webhook receiver. */
    private static TraceContext randomContext() {
        byte[] trace = new byte[16];
        byte[] spanId = new byte[8];
        ThreadLocalRandom.current().nextBytes(trace);
        ThreadLocalRandom.current().nextBytes(spanId);
        trace[0] |= 1;
        spanId[0] |= 1;
        return TraceContext.of(HexFormat.of().formatHex(trace), HexFormat.of().formatHex(spanId), true);
    }
}
