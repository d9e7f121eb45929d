package io.pgobserver.bootstrap.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The module rules of docs/architecture.md, checked on the product's classes (main code of every module; tests and fixtures left out). */
class ArchitectureTest {

    private static final ArchitectureRules.Layout PRODUCT = new ArchitectureRules.Layout("io.pgobserver");
    private static JavaClasses classes;

    /** Main code only: test classes, the domain's test jar (fakes) and the bad fixtures are not the product. */
    static final class MainCodeOnly implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return !location.contains("/test-classes/") && !location.contains("-tests.jar");
        }
    }

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(new MainCodeOnly()).importPackages("io.pgobserver");
        // The rules below would pass vacuously on an empty import: make sure every layer is there.
        assertThat(classes.stream().map(c -> c.getPackageName()).distinct())
                .anyMatch(p -> p.startsWith("io.pgobserver.domain"))
                .anyMatch(p -> p.startsWith("io.pgobserver.application"))
                .anyMatch(p -> p.startsWith("io.pgobserver.adapters.tracing.noop"))
                .anyMatch(p -> p.startsWith("io.pgobserver.adapters.email"))
                .anyMatch(p -> p.startsWith("io.pgobserver.adapters.kafka"))
                .anyMatch(p -> p.startsWith("io.pgobserver.templates"))
                .anyMatch(p -> p.startsWith("io.pgobserver.sockets"))
                .anyMatch(p -> p.startsWith("io.pgobserver.bootstrap"))
                .noneMatch(p -> p.startsWith("io.pgobserver.fixtures"));
    }

    @Test
    void domainUsesOnlyTheJdk() {
        ArchitectureRules.domainUsesOnlyTheJdk(PRODUCT).check(classes);
    }

    @Test
    void applicationUsesOnlyTheJdkAndTheDomain() {
        ArchitectureRules.applicationUsesOnlyTheJdkAndTheDomain(PRODUCT).check(classes);
    }

    @Test
    void adaptersAreIndependent() {
        ArchitectureRules.adaptersAreIndependent(PRODUCT, ArchitectureRules.ADAPTERS).forEach(r -> r.check(classes));
    }

    @Test
    void tracingAdaptersAreIndependentOfEachOther() {
        ArchitectureRules.adaptersAreIndependent(PRODUCT, java.util.List.of("tracing.otel", "tracing.noop"))
                .forEach(r -> r.check(classes));
    }

    @Test
    void coreNamesNoActionType() {
        ArchitectureRules.coreNamesNoActionType(PRODUCT).check(classes);
    }

    @Test
    void bootstrapDependsOnTheCoreAlone() {
        ArchitectureRules.bootstrapDependsOnTheCoreAlone(PRODUCT).check(classes);
    }

    @Test
    void nothingDependsOnBootstrap() {
        ArchitectureRules.nothingDependsOnBootstrap(PRODUCT).check(classes);
    }

    @Test
    void openTelemetryOnlyInItsAdapter() {
        ArchitectureRules.openTelemetryOnlyInItsAdapter(PRODUCT).check(classes);
    }

    @Test
    void databaseAccessOnlyInThePostgresAdapter() {
        ArchitectureRules.databaseAccessOnlyInThePostgresAdapter(PRODUCT).check(classes);
    }

    @Test
    void okHttpOnlyInTheActionsAndOtelAdapters() {
        ArchitectureRules.okHttpOnlyInTheActionsAndOtelAdapters(PRODUCT).check(classes);
    }

    @Test
    void kafkaOnlyInTheKafkaAdapter() {
        ArchitectureRules.kafkaOnlyInTheKafkaAdapter(PRODUCT).check(classes);
    }

    @Test
    void mailOnlyInTheEmailAdapter() {
        ArchitectureRules.mailOnlyInTheEmailAdapter(PRODUCT).check(classes);
    }

    @Test
    void adaptersExposeOnlyTheirModule() {
        ArchitectureRules.adaptersExposeOnlyTheirModule(PRODUCT).check(classes);
    }

    @Test
    void templatesStandAlone() {
        ArchitectureRules.templatesStandAlone(PRODUCT).check(classes);
    }

    @Test
    void socketsStandAlone() {
        ArchitectureRules.socketsStandAlone(PRODUCT).check(classes);
    }

    @Test
    void noMonitorsWhereCallsWaitOnOtherSystems() {
        ArchitectureRules.noMonitorsWhereCallsWaitOnOtherSystems(PRODUCT).check(classes);
    }
}
