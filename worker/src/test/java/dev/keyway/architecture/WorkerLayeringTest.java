package dev.keyway.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.Test;

class WorkerLayeringTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.keyway.worker");

    /** Checks every rule declared below, so adding a rule is adding a field. */
    @Test
    void everyRuleHolds() throws IllegalAccessException {
        int checked = 0;
        for (Field f : getClass().getDeclaredFields()) {
            if (ArchRule.class.isAssignableFrom(f.getType()) && Modifier.isStatic(f.getModifiers())) {
                ((ArchRule) f.get(null)).check(CLASSES);
                checked++;
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(checked > 0, "no rules found");
    }


    static final ArchRule workerNeverUsesTheCoordinator = noClasses()
            .should().dependOnClassesThat().resideInAPackage("dev.keyway.coordinator..");

    static final ArchRule workerReachesKafkaOnlyThroughTheGateway = noClasses()
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "reactor.kafka..",
                    "dev.keyway.kafka.internal..");

    static final ArchRule workerReachesTheDatabaseOnlyThroughTheStore = noClasses()
            .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "dev.keyway.store.internal..");

    static final ArchRule noMicrometerInTheBatchPath = noClasses()
            .that().resideInAPackage("dev.keyway.worker.internal..")
            .should().dependOnClassesThat().resideInAPackage("io.micrometer..");
}
