package dev.keyway.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import org.junit.jupiter.api.Test;

class WorkerLayeringTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.keyway.worker");

    /** The rules below, each one a boundary of docs/CONTRIBUTING.md ("Layering"). */
    @Test
    void layeringHolds() {
        CompositeArchRule.of(workerReachesKafkaOnlyThroughTheGateway)
                .and(workerReachesTheDatabaseOnlyThroughTheStore)
                .and(noMicrometerInTheBatchPath)
                .check(CLASSES);
    }

    static final ArchRule workerReachesKafkaOnlyThroughTheGateway = noClasses()
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "reactor.kafka..",
                    "dev.keyway.kafka.internal..");

    static final ArchRule workerReachesTheDatabaseOnlyThroughTheStore = noClasses()
            .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "dev.keyway.store.internal..");

    static final ArchRule noMicrometerInTheBatchPath = noClasses()
            .that().resideInAPackage("dev.keyway.worker.internal..")
            .should().dependOnClassesThat().resideInAPackage("io.micrometer..");
}
