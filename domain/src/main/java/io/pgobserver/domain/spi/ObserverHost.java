package io.pgobserver.domain.spi;

import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.trace.Tracer;

import java.util.List;
import java.util.Map;

/**
 * The core as a tool for commands that live outside it: the demo adapter's {@code demo} and the benchmarks' load
 * run. They describe a deployment in the configuration's own words (YAML, environment, {@code --set} flags) and
 * get a running observer of the installed adapters, without naming the core's classes. The core hands its host to
 * {@link Adapter#commands}; code outside any adapter finds it with {@link java.util.ServiceLoader}.
 */
public interface ObserverHost {

    /**
     * Loads the configuration as {@code run} would (YAML text with {@code ${VAR}} from {@code env}, then the
     * variables of {@code env}, then {@code overrides} as {@code key=value}), boots the installed adapters and
     * starts their services (migrations, pools, exporters). Bad configuration throws with a message that
     * names the key. The pipeline waits for {@link RunningObserver#startPipeline()}, so the caller can install
     * capture triggers or prepare tables first.
     */
    RunningObserver boot(String yaml, Map<String, String> env, List<String> overrides) throws Exception;

    /** The effective value of one key (such as {@code tracing.exporter}) for that configuration, as text. */
    String effective(String yaml, Map<String, String> env, String key);

    /**
     * The tracing adapter alone, chosen and built for that configuration as {@link #boot} would, and started: for
     * measuring the tracer or the metrics without a database or a pipeline (the micro-benchmarks). Bad configuration throws with a
     * message that names the key.
     */
    StartedTracer tracer(String yaml, Map<String, String> env) throws Exception;

    /** A tracer built by {@link #tracer}; closing it exports what is queued and stops the adapter. */
    interface StartedTracer extends AutoCloseable {

        /** The tracing adapter chosen, such as {@code adapters-tracing-otel}. */
        String adapter();

        Tracer tracer();

        /** The adapter's metrics for that configuration ({@link Metrics#NOOP} with metrics off). */
        default Metrics metrics() {
            return Metrics.NOOP;
        }

        @Override
        void close();
    }
}

