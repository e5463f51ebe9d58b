package dev.keyway.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The API a user's migrations compile against depends on the JDK and Jackson only (docs/CONTRIBUTING.md,
 * "Layering"): nothing of the runtime (Kafka, Reactor, JDBC drivers, Micrometer) leaks into it.
 */
class ApiLayeringTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.keyway");

    static final ArchRule theApiUsesTheJdkAndJacksonOnly = classes()
            .should().onlyDependOnClassesThat().resideInAnyPackage("dev.keyway.migration..", "java..",
                    "com.fasterxml.jackson..");

    @Test
    void layeringHolds() {
        theApiUsesTheJdkAndJacksonOnly.check(CLASSES);
    }
}
