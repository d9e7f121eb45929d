package io.pgobserver.bootstrap.wiring;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.Stage;
import com.google.inject.TypeLiteral;
import io.pgobserver.application.EventPipeline;
import io.pgobserver.bootstrap.config.ConfigLoader;
import io.pgobserver.bootstrap.config.Configuration;
import io.pgobserver.bootstrap.config.EffectiveConfig;
import io.pgobserver.domain.port.CaptureInstaller;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.spi.Adapter;
import io.pgobserver.domain.spi.AdminRoute;
import io.pgobserver.domain.spi.ApplicationDatabase;
import io.pgobserver.domain.spi.Lifecycle;
import io.pgobserver.domain.spi.ObserverHost;
import io.pgobserver.domain.spi.RunningObserver;
import io.pgobserver.domain.trace.Tracer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The core as {@link ObserverHost}: loads a configuration against the installed adapters, boots, starts the
 * services and the pipeline. The demo's and the bench's start-up sequence, written once.
 */
public final class Host implements ObserverHost {

    private final AdapterCatalog catalog;

    public Host(AdapterCatalog catalog) {
        this.catalog = catalog;
    }

    /** For {@link java.util.ServiceLoader}: the adapters on the class path. */
    public Host() {
        this(AdapterCatalog.discover());
    }

    @Override
    public RunningObserver boot(String yaml, Map<String, String> env, List<String> overrides) throws Exception {
        Configuration config = new ConfigLoader(env, catalog.schema()).loadYaml(yaml, overrides).requireForRun();
        Boot.Booted booted = Boot.boot(config, catalog);
        Services services = services(booted.injector());
        services.start();
        try {
            EventPipeline pipeline = booted.get(EventPipeline.class);
            HealthServer admin = HealthServer.start(config.adminPort(), pipeline, Boot.unwrap(() -> booted.injector()
                    .getInstance(Key.get(new TypeLiteral<Set<AdminRoute>>() { }))));
            return new Running(booted, services, admin, pipeline, config.warnings());
        } catch (RuntimeException e) {
            services.close();
            throw e;
        }
    }

    @Override
    public String effective(String yaml, Map<String, String> env, String key) {
        Configuration config = new ConfigLoader(env, catalog.schema()).loadYaml(yaml);
        return EffectiveConfig.value(config, key);
    }

    /** The chosen tracing adapter with the configuration's settings and nothing else: no database, no pipeline. */
    @Override
    public StartedTracer tracer(String yaml, Map<String, String> env) throws Exception {
        Configuration config = new ConfigLoader(env, catalog.schema()).loadYaml(yaml);
        Adapter adapter = catalog.chooseTracing(config);
        Injector injector = Boot.unwrap(() -> Guice.createInjector(Stage.PRODUCTION, (Module) adapter,
                new SettingsModule(config)));
        Services services = services(injector);
        services.start();
        Tracer tracer;
        Metrics metrics;
        try {
            tracer = Boot.unwrap(() -> injector.getInstance(Tracer.class));
            metrics = Boot.unwrap(() -> injector.getInstance(Metrics.class));
        } catch (RuntimeException e) {
            services.close();
            throw e;
        }
        return new StartedTracer() {
            @Override
            public String adapter() {
                return adapter.name();
            }

            @Override
            public Tracer tracer() {
                return tracer;
            }

            @Override
            public Metrics metrics() {
                return metrics;
            }

            @Override
            public void close() {
                services.close();
            }
        };
    }

    /** The injector's lifecycles, not yet started. */
    private static Services services(Injector injector) {
        return new Services(Boot.unwrap(() -> injector.getInstance(Key.get(new TypeLiteral<Set<Lifecycle>>() { }))));
    }

    private static final class Running implements RunningObserver {
        private final Boot.Booted booted;
        private final Services services;
        private final HealthServer admin;
        private final EventPipeline pipeline;
        private final List<String> warnings;
        private Thread loop;

        Running(Boot.Booted booted, Services services, HealthServer admin, EventPipeline pipeline,
                List<String> warnings) {
            this.booted = booted;
            this.services = services;
            this.admin = admin;
            this.pipeline = pipeline;
            this.warnings = warnings;
        }

        @Override
        public synchronized void startPipeline() {
            if (loop == null) {
                loop = Thread.ofPlatform().name("pgobserver-pipeline").start(() -> {
                    try {
                        pipeline.run();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
        }

        @Override
        public String tracingAdapter() {
            return booted.tracingAdapter();
        }

        @Override
        public Tracer tracer() {
            return booted.get(Tracer.class);
        }

        @Override
        public ApplicationDatabase applicationDatabase() {
            return booted.get(ApplicationDatabase.class);
        }

        @Override
        public List<String> adminPages() {
            return admin.pages();
        }

        @Override
        public List<String> warnings() {
            return warnings;
        }

        @Override
        public void installCapture(String table, String idColumn) throws Exception {
            booted.get(CaptureInstaller.class).install(table, idColumn);
        }

        @Override
        public long processedCount() {
            return pipeline.processedCount();
        }

        @Override
        public boolean isActive() {
            return pipeline.isActive();
        }

        @Override
        public void stop(Duration timeout) throws InterruptedException {
            Thread started;
            synchronized (this) {
                started = loop;
            }
            if (started == null) {
                // Never started (a caller that only prepared tables, or failed before): nothing to finish, and
                // waiting for the pipeline to end would only time out.
                return;
            }
            pipeline.stop(timeout);
            started.join(timeout.plusSeconds(5).toMillis());
        }

        @Override
        public void close() {
            try {
                stop(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                admin.close();
                services.close();
            }
        }
    }
}
