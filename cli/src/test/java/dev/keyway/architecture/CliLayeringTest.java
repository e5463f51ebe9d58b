package dev.keyway.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/** The command line reaches Kafka only through our gateway (docs/CONTRIBUTING.md, "Layering"). */
class CliLayeringTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.keyway.cli");

    static final ArchRule cliReachesKafkaOnlyThroughTheGateway = noClasses()
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "reactor.kafka..",
                    "dev.keyway.kafka.internal..");

    @Test
    void layeringHolds() {
        cliReachesKafkaOnlyThroughTheGateway.check(CLASSES);
    }
}
