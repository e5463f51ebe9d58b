package dev.keyway.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import org.junit.jupiter.api.Test;

/** The boundaries of docs/CONTRIBUTING.md ("Layering"), checked: each third-party library stays in its one package. */
class CommonLayeringTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.keyway");

    /** The rules below, each one a boundary of docs/CONTRIBUTING.md ("Layering"). */
    @Test
    void layeringHolds() {
        CompositeArchRule.of(reactorKafkaOnlyInTheKafkaAdapter)
                .and(kafkaClientsOnlyInTheKafkaAdapter)
                .and(micrometerOnlyInTheMetricsPackage)
                .and(objectMapperOnlyInTheCodecAndTheStore)
                .and(jdbcOnlyInTheStore)
                .and(messagesDependOnNothingOfOurs)
                .and(internalsAreNotUsedFromOtherFeatures)
                .check(CLASSES);
    }

    static final ArchRule reactorKafkaOnlyInTheKafkaAdapter = noClasses()
            .that().resideOutsideOfPackage("dev.keyway.kafka.internal..")
            .should().dependOnClassesThat().resideInAPackage("reactor.kafka..");

    static final ArchRule kafkaClientsOnlyInTheKafkaAdapter = noClasses()
            .that().resideOutsideOfPackage("dev.keyway.kafka.internal..")
            .should().dependOnClassesThat().resideInAPackage("org.apache.kafka..");

    static final ArchRule micrometerOnlyInTheMetricsPackage = noClasses()
            .that().resideOutsideOfPackage("dev.keyway.metrics..")
            .should().dependOnClassesThat().resideInAPackage("io.micrometer..");

    static final ArchRule objectMapperOnlyInTheCodecAndTheStore = noClasses()
            .that().resideOutsideOfPackages("dev.keyway.codec..", "dev.keyway.store.internal..")
            .should().dependOnClassesThat().haveFullyQualifiedName("com.fasterxml.jackson.databind.ObjectMapper");

    static final ArchRule jdbcOnlyInTheStore = noClasses()
            .that().resideOutsideOfPackage("dev.keyway.store.internal..")
            .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "com.zaxxer..");

    static final ArchRule messagesDependOnNothingOfOurs = noClasses()
            .that().resideInAPackage("dev.keyway.message..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.keyway.store..", "dev.keyway.kafka..",
                    "dev.keyway.codec..");

    static final ArchRule internalsAreNotUsedFromOtherFeatures = noClasses()
            .that().resideOutsideOfPackages("dev.keyway.store..", "dev.keyway.kafka..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.keyway.store.internal..", "dev.keyway.kafka.internal..");
}
