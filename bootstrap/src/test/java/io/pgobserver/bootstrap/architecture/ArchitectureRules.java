package io.pgobserver.bootstrap.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;

/**
 * The module rules of docs/architecture.md as ArchUnit rules over a package layout, so the same rules check the product
 * ({@code io.pgobserver}) and, in {@code ArchitectureRulesFailTest}, a fixture of deliberately bad classes.
 */
public final class ArchitectureRules {

    /** Where each module's classes live. */
    public record Layout(String root) {
        String domain() {
            return root + ".domain..";
        }

        String application() {
            return root + ".application..";
        }

        String adapters() {
            return root + ".adapters..";
        }

        String bootstrap() {
            return root + ".bootstrap..";
        }

        String adapter(String name) {
            return root + ".adapters." + name + "..";
        }

        String templates() {
            return root + ".templates..";
        }

        String sockets() {
            return root + ".sockets..";
        }
    }

    /** The adapter packages under {@code adapters}: one per Maven module. */
    public static final List<String> ADAPTERS = List.of("postgres", "actions", "email", "kafka", "console", "conditions",
            "tracing",
            "demo");

    /** The client libraries through which the product waits on another system, by the system. */
    private static final String[] DATABASE = {"java.sql..", "javax.sql..", "org.jdbi..", "org.postgresql..",
            "org.flywaydb..", "com.zaxxer.hikari.."};
    private static final String[] HTTP = {"okhttp3..", "okio.."};
    private static final String[] MAIL = {"jakarta.mail..", "org.eclipse.angus.."};
    private static final String[] KAFKA = {"org.apache.kafka..", "kafka.."};

    private ArchitectureRules() {
    }

    /**
     * The JDK's {@code javax.net.ssl} (in {@code java.base}, as {@code java..} is) too: the one rule by which every
     * action tells a refused TLS certificate, {@code CertificateRefusal}, names its exceptions.
     */
    public static ArchRule domainUsesOnlyTheJdk(Layout l) {
        return classes().that().resideInAPackage(l.domain())
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "javax.net.ssl..", l.domain())
                .because("the domain depends on the JDK only");
    }

    public static ArchRule applicationUsesOnlyTheJdkAndTheDomain(Layout l) {
        return classes().that().resideInAPackage(l.application())
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", l.domain(), l.application())
                .because("use cases depend on the domain and the JDK only: no Guice, no Jackson");
    }

    /** Adapter packages may not use each other: {@code adapters.X} never depends on {@code adapters.Y}. */
    public static List<ArchRule> adaptersAreIndependent(Layout l, List<String> adapters) {
        return adapters.stream().map(a -> (ArchRule) noClasses().that().resideInAPackage(l.adapter(a))
                .should().dependOnClassesThat(new DescribedPredicate<JavaClass>("reside in another adapter") {
                    @Override
                    public boolean test(JavaClass c) {
                        return c.getPackageName().startsWith(l.root() + ".adapters.")
                                && !c.getPackageName().startsWith(l.root() + ".adapters." + a);
                    }
                }).because("adapters never depend on each other")).toList();
    }

    /** The core assembles adapters it finds at run time; it never names one of their classes. */
    public static ArchRule bootstrapDependsOnTheCoreAlone(Layout l) {
        return noClasses().that().resideInAPackage(l.bootstrap())
                .should().dependOnClassesThat().resideInAPackage(l.adapters())
                .because("bootstrap is the core: adapters come from their folders (or the all-in-one jar) at run time");
    }

    /**
     * Every action type's settings live in the adapter that runs it: the domain, the use cases and the core name
     * none ({@code webhook}, {@code email} and any third party's are alike to them), only the neutral
     * {@code ActionSpec}.
     */
    public static ArchRule coreNamesNoActionType(Layout l) {
        return noClasses().that().resideInAnyPackage(l.domain(), l.application(), l.bootstrap())
                .should().implement(ACTION_SPEC)
                .because("each action type's settings belong to its adapter; the core knows only ActionSpec");
    }

    private static final String ACTION_SPEC = "io.pgobserver.domain.observer.ActionSpec";

    public static ArchRule nothingDependsOnBootstrap(Layout l) {
        return noClasses().that().resideOutsideOfPackage(l.bootstrap())
                .should().dependOnClassesThat().resideInAPackage(l.bootstrap())
                .because("bootstrap assembles everything and nothing depends on it");
    }

    public static ArchRule openTelemetryOnlyInItsAdapter(Layout l) {
        return noClasses().that().resideOutsideOfPackage(l.adapter("tracing.otel"))
                .and().resideOutsideOfPackage(l.root() + ".benchmarks.sdkplugin..")
                .and().haveNameNotMatching(java.util.regex.Pattern.quote(l.root())
                        + "\\.benchmarks\\.(jmh_generated\\.)?SpanExportBenchmark.*")
                .should().dependOnClassesThat().resideInAnyPackage("io.opentelemetry..")
                .because("OpenTelemetry types appear only in adapters-tracing-otel; even the JMH benchmarks that "
                        + "measure it build it from configuration. The exceptions are the bench's discarding "
                        + "exporter, which the SDK loads by name through its SPI as it would a user's own exporter, "
                        + "and SpanExportBenchmark, which measures the SDK's own OTLP exporter below the adapter");
    }

    public static ArchRule databaseAccessOnlyInThePostgresAdapter(Layout l) {
        return noClasses().that().resideOutsideOfPackage(l.adapter("postgres"))
                .should().dependOnClassesThat().resideInAnyPackage(DATABASE)
                .because("JDBC and JDBI appear only in adapters-postgres; the demo and the load run play the "
                        + "application writing rows through its ApplicationDatabase");
    }

    public static ArchRule okHttpOnlyInTheActionsAndOtelAdapters(Layout l) {
        return noClasses().that().resideOutsideOfPackage(l.adapter("actions"))
                .and().resideOutsideOfPackage(l.adapter("tracing.otel"))
                .should().dependOnClassesThat().resideInAnyPackage(HTTP)
                .because("OkHttp appears only in adapters-actions (webhooks, Slack) and adapters-tracing-otel (the "
                        + "OTLP gRPC sender), both on the sockets library's, with Nagle's algorithm off");
    }

    public static ArchRule mailOnlyInTheEmailAdapter(Layout l) {
        return noClasses().that().resideOutsideOfPackage(l.adapter("email"))
                .should().dependOnClassesThat().resideInAnyPackage(MAIL)
                .because("mail appears only in adapters-email, so a deployment without it carries no mail library");
    }

    public static ArchRule kafkaOnlyInTheKafkaAdapter(Layout l) {
        return noClasses().that().resideOutsideOfPackage(l.adapter("kafka"))
                .should().dependOnClassesThat().resideInAnyPackage(KAFKA)
                .because("kafka-clients appears only in adapters-kafka, so a deployment without it carries no Kafka "
                        + "client");
    }

    /**
     * The actions' templates are a library the adapters share, not an adapter: it stands on the JDK and JMustache
     * alone, so it can know no adapter, no core type and no Guice.
     */
    public static ArchRule templatesStandAlone(Layout l) {
        return classes().that().resideInAPackage(l.templates())
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "com.samskivert.mustache..",
                        l.templates())
                .because("the templates library is shared by the action adapters and depends on none of them");
    }

    /**
     * The sockets are a library the adapters share, not an adapter: it stands on the JDK alone, so it can know no
     * adapter, no core type and no client library.
     */
    public static ArchRule socketsStandAlone(Layout l) {
        return classes().that().resideInAPackage(l.sockets())
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "javax.net..", l.sockets())
                .because("the sockets library is shared by the adapters whose clients leave Nagle's algorithm on and "
                        + "depends on none of them");
    }

    /**
     * An adapter's only public class is its Guice module, which is also its {@code Adapter} descriptor. A JMH
     * benchmark (its {@code @State} class and the classes JMH generates from it) may sit in an adapter's package to
     * measure package-private code: JMH needs those classes public, and they ship only in the benchmarks jar.
     */
    public static ArchRule adaptersExposeOnlyTheirModule(Layout l) {
        return classes().that().resideInAPackage(l.adapters()).and().arePublic().and().areTopLevelClasses()
                .and().resideOutsideOfPackage("..jmh_generated..")
                .and().areNotAnnotatedWith("org.openjdk.jmh.annotations.State")
                .should(new ArchCondition<JavaClass>("be the adapter's Guice module implementing Adapter") {
                    @Override
                    public void check(JavaClass c, ConditionEvents events) {
                        boolean module = c.isAssignableTo("com.google.inject.Module");
                        boolean adapter = c.isAssignableTo("io.pgobserver.domain.spi.Adapter");
                        boolean isFinal = c.getModifiers().contains(JavaModifier.FINAL);
                        if (!module || !adapter || !isFinal) {
                            events.add(SimpleConditionEvent.violated(c, c.getName() + " is public but is not a final "
                                    + "Guice module implementing Adapter: make it package-private"));
                        }
                    }
                })
                .because("implementations are package-private behind one Guice module per adapter");
    }

    /**
     * A class that talks to the database, HTTP, mail or Kafka declares no {@code synchronized} method: events, the
     * lease's checks and the console run on virtual threads, and on Java 21 to 23 one that blocks inside a monitor
     * (or waits to enter one) pins its carrier thread; as many carriers as cores, so a few such waits stall every
     * virtual thread of the process. Such classes take a {@code ReentrantLock}. ArchUnit does not see
     * {@code synchronized} blocks (a {@code monitorenter} in the bytecode), so those are left to review.
     */
    public static ArchRule noMonitorsWhereCallsWaitOnOtherSystems(Layout l) {
        DescribedPredicate<JavaClass> client = JavaClass.Predicates.resideInAnyPackage(
                Stream.of(DATABASE, HTTP, MAIL, KAFKA).flatMap(Arrays::stream).toArray(String[]::new));
        return noMethods().that().areDeclaredInClassesThat(new DescribedPredicate<JavaClass>(
                        "call the database, HTTP, mail or Kafka") {
                    @Override
                    public boolean test(JavaClass c) {
                        return c.getPackageName().startsWith(l.root() + ".") && c.getDirectDependenciesFromSelf()
                                .stream().anyMatch(d -> client.test(d.getTargetClass()));
                    }
                })
                .should().haveModifier(JavaModifier.SYNCHRONIZED)
                .because("on Java 21 a virtual thread blocked in a synchronized method pins its carrier thread: use a "
                        + "ReentrantLock");
    }

    /** Every rule above, for a check over the whole product from a module that sees all of it. */
    public static List<ArchRule> all(Layout l) {
        List<ArchRule> rules = new java.util.ArrayList<>(List.of(domainUsesOnlyTheJdk(l),
                applicationUsesOnlyTheJdkAndTheDomain(l), coreNamesNoActionType(l), nothingDependsOnBootstrap(l),
                openTelemetryOnlyInItsAdapter(l), databaseAccessOnlyInThePostgresAdapter(l),
                okHttpOnlyInTheActionsAndOtelAdapters(l), mailOnlyInTheEmailAdapter(l), kafkaOnlyInTheKafkaAdapter(l),
                adaptersExposeOnlyTheirModule(l), templatesStandAlone(l), socketsStandAlone(l),
                noMonitorsWhereCallsWaitOnOtherSystems(l)));
        rules.addAll(adaptersAreIndependent(l, ADAPTERS));
        rules.addAll(adaptersAreIndependent(l, List.of("tracing.otel", "tracing.noop")));
        return rules;
    }
}
