package io.pgobserver.bootstrap.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each rule of {@link ArchitectureRules} fails on a fixture class that breaks it ({@code io.pgobserver.fixtures.bad}),
 * so a passing {@link ArchitectureTest} means the product keeps the rule, not that the rule cannot fail.
 */
class ArchitectureRulesFailTest {

    private static final ArchitectureRules.Layout BAD = new ArchitectureRules.Layout("io.pgobserver.fixtures.bad");
    private static JavaClasses fixtures;

    @BeforeAll
    static void importFixtures() {
        fixtures = new ClassFileImporter().importPackages("io.pgobserver.fixtures.bad");
    }

    private static void failsNaming(ArchRule rule, String offender) {
        assertThatThrownBy(() -> rule.check(fixtures)).isInstanceOf(AssertionError.class)
                .hasMessageContaining(offender);
    }

    @Test
    void aDomainClassUsingGuiceBreaksTheJdkOnlyRule() {
        failsNaming(ArchitectureRules.domainUsesOnlyTheJdk(BAD), "BadDomainEvent");
    }

    @Test
    void anApplicationClassUsingJacksonBreaksItsRule() {
        failsNaming(ArchitectureRules.applicationUsesOnlyTheJdkAndTheDomain(BAD), "BadUseCase");
    }

    @Test
    void anAdapterUsingAnotherAdapterBreaksIndependence() {
        List<ArchRule> rules = ArchitectureRules.adaptersAreIndependent(BAD, List.of("one", "two"));
        failsNaming(rules.getFirst(), "OneUsesTwo");
    }

    @Test
    void anActionTypeInTheDomainBreaksTheRule() {
        failsNaming(ArchitectureRules.coreNamesNoActionType(BAD), "SmsAction");
    }

    @Test
    void aClassDependingOnBootstrapBreaksTheRule() {
        failsNaming(ArchitectureRules.nothingDependsOnBootstrap(BAD), "BadUseCase");
    }

    @Test
    void bootstrapUsingAnAdapterBreaksTheCoreAloneRule() {
        failsNaming(ArchitectureRules.bootstrapDependsOnTheCoreAlone(BAD), "WiringNamesAnAdapter");
    }

    @Test
    void openTelemetryOutsideItsAdapterBreaksTheRule() {
        failsNaming(ArchitectureRules.openTelemetryOnlyInItsAdapter(BAD), "BadDomainEvent");
    }

    @Test
    void jdbcOutsideThePostgresAdapterBreaksTheRule() {
        failsNaming(ArchitectureRules.databaseAccessOnlyInThePostgresAdapter(BAD), "OneUsesTwo");
    }

    @Test
    void jdbcInTheDemoOrTheLoadRunBreaksTheRuleToo() {
        failsNaming(ArchitectureRules.databaseAccessOnlyInThePostgresAdapter(BAD), "DemoWritesWithJdbc");
        failsNaming(ArchitectureRules.databaseAccessOnlyInThePostgresAdapter(BAD), "LoadRunWritesWithJdbc");
    }

    @Test
    void okHttpOutsideTheActionsAdapterBreaksTheRule() {
        failsNaming(ArchitectureRules.okHttpOnlyInTheActionsAndOtelAdapters(BAD), "TwoUsesOkHttp");
    }

    @Test
    void kafkaOutsideTheKafkaAdapterBreaksTheRule() {
        failsNaming(ArchitectureRules.kafkaOnlyInTheKafkaAdapter(BAD), "TwoProducesToKafka");
    }

    @Test
    void mailOutsideTheEmailAdapterBreaksTheRule() {
        failsNaming(ArchitectureRules.mailOnlyInTheEmailAdapter(BAD), "OneSendsMail");
    }

    @Test
    void aPublicImplementationInAnAdapterBreaksTheRule() {
        failsNaming(ArchitectureRules.adaptersExposeOnlyTheirModule(BAD), "TwoUsesOkHttp");
    }

    @Test
    void aSynchronizedMethodInAClassThatCallsTheDatabaseBreaksTheMonitorRule() {
        failsNaming(ArchitectureRules.noMonitorsWhereCallsWaitOnOtherSystems(BAD), "OneRenewsUnderAMonitor.renew()");
        // A monitor that guards only memory, in a class that calls no other system, is left alone.
        assertThatThrownBy(() -> ArchitectureRules.noMonitorsWhereCallsWaitOnOtherSystems(BAD).check(fixtures))
                .message().doesNotContain("OneCountsUnderAMonitor");
    }

    @Test
    void aTemplatesClassUsingGuiceBreaksTheLibraryRule() {
        failsNaming(ArchitectureRules.templatesStandAlone(BAD), "TemplatesUseGuice");
    }

    @Test
    void aSocketsClassUsingGuiceBreaksTheLibraryRule() {
        failsNaming(ArchitectureRules.socketsStandAlone(BAD), "SocketsUseGuice");
    }
}
