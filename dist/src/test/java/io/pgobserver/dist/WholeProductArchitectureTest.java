package io.pgobserver.dist;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchRule;
import io.pgobserver.bootstrap.architecture.ArchitectureRules;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The module rules over every module's main code, from the one module whose test class path holds them all: the
 * core, every adapter (the demo included), the benchmarks and the example adapter. No package is exempted from
 * the import: demo and bench code is checked like the rest.
 */
class WholeProductArchitectureTest {

    /** Main code only: test classes and the rules' bad fixtures are not the product. */
    static final class MainCodeOnly implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return !location.contains("/test-classes/") && !location.contains("-tests.jar");
        }
    }

    @Test
    void everyModuleKeepsTheRules() {
        JavaClasses classes = new ClassFileImporter().withImportOption(new MainCodeOnly())
                .importPackages("io.pgobserver");
        assertThat(classes.stream().map(c -> c.getPackageName()).distinct())
                .anyMatch(p -> p.startsWith("io.pgobserver.benchmarks.load"))
                .anyMatch(p -> p.equals("io.pgobserver.benchmarks"))
                .anyMatch(p -> p.startsWith("io.pgobserver.adapters.demo"))
                .anyMatch(p -> p.startsWith("io.pgobserver.examples.fileaction"))
                .anyMatch(p -> p.startsWith("io.pgobserver.adapters.tracing.otel"))
                .anyMatch(p -> p.startsWith("io.pgobserver.templates"))
                .anyMatch(p -> p.startsWith("io.pgobserver.bootstrap.wiring"));
        for (ArchRule rule : ArchitectureRules.all(new ArchitectureRules.Layout("io.pgobserver"))) {
            rule.check(classes);
        }
    }
}
