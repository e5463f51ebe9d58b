package dev.keyway.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import org.junit.jupiter.api.Test;

class CoordinatorLayeringTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.keyway.coordinator", "dev.keyway.cli");

    /** The rules below, each one a boundary of STYLE.md. */
    @Test
    void layeringHolds() {
        CompositeArchRule.of(coordinatorNeverUsesTheWorker)
                .and(coordinatorReachesKafkaOnlyThroughTheGateway)
                .and(theStateMachineIsPure)
                .check(CLASSES);
    }

    static final ArchRule coordinatorNeverUsesTheWorker = noClasses()
            .should().dependOnClassesThat().resideInAPackage("dev.keyway.worker..");

    static final ArchRule coordinatorReachesKafkaOnlyThroughTheGateway = noClasses()
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "reactor.kafka..",
                    "dev.keyway.kafka.internal..");

    static final ArchRule theStateMachineIsPure = noClasses()
            .that().resideInAPackage("dev.keyway.coordinator.internal..")
            .should().dependOnClassesThat().resideInAnyPackage("reactor..", "dev.keyway.kafka..", "java.sql..");
}
