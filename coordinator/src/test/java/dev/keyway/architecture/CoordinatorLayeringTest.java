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
            .importPackages("dev.keyway.coordinator");

    /** The rules below, each one a boundary of docs/CONTRIBUTING.md ("Layering"). */
    @Test
    void layeringHolds() {
        CompositeArchRule.of(coordinatorReachesKafkaOnlyThroughTheGateway)
                .and(theStateMachineIsPure)
                .and(theStateMachineNeitherQueriesTheStoreNorReadsTheSystemClock)
                .check(CLASSES);
    }

    static final ArchRule coordinatorReachesKafkaOnlyThroughTheGateway = noClasses()
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "reactor.kafka..",
                    "dev.keyway.kafka.internal..");

    static final ArchRule theStateMachineIsPure = noClasses()
            .that().resideInAPackage("dev.keyway.coordinator.internal..")
            .should().dependOnClassesThat().resideInAnyPackage("reactor..", "dev.keyway.kafka..", "java.sql..");

    /**
     * MigrationControl and the rules it sends records to (RunBook, RunStarts, OperatorCommands, BatchOutcomes,
     * MigrationListing) ask for fences and plans as effects; the coordinator carries them out.
     */
    static final ArchRule theStateMachineNeitherQueriesTheStoreNorReadsTheSystemClock = noClasses()
            .that().haveSimpleNameStartingWith("MigrationControl").or().haveSimpleName("Effects")
            .or().haveSimpleName("StatusView").or().haveSimpleName("Pacing")
            .or().haveSimpleNameStartingWith("RunBook").or().haveSimpleNameStartingWith("RunStarts")
            .or().haveSimpleNameStartingWith("OperatorCommands").or().haveSimpleNameStartingWith("BatchOutcomes")
            .or().haveSimpleNameStartingWith("MigrationListing")
            .should().dependOnClassesThat().haveFullyQualifiedName("dev.keyway.store.Store")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.keyway.store.BatchTransaction")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.keyway.coordinator.internal.SegmentPlanner")
            .orShould().callMethod(System.class, "currentTimeMillis")
            .orShould().callMethod(java.time.Clock.class, "systemUTC")
            .orShould().callMethod(java.time.Instant.class, "now");
}
