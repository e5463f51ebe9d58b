package dev.keyway.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import org.junit.jupiter.api.Test;

class TestingLayeringTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.keyway.testing");

    /** The rules below, each one a boundary of docs/CONTRIBUTING.md ("Layering"). */
    @Test
    void layeringHolds() {
        CompositeArchRule.of(theHarnessUsesNoKafka)
                .and(theHarnessAppliesBatchesThroughTheWorkersPublicEntryPoint)
                .check(CLASSES);
    }

    static final ArchRule theHarnessUsesNoKafka = noClasses()
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "reactor.kafka..",
                    "dev.keyway.kafka..");

    static final ArchRule theHarnessAppliesBatchesThroughTheWorkersPublicEntryPoint = noClasses()
            .should().dependOnClassesThat().resideInAnyPackage("dev.keyway.worker.internal..",
                    "dev.keyway.store.internal..", "dev.keyway.coordinator..");
}
