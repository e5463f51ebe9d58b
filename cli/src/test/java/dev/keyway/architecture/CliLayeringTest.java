package dev.keyway.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The command line reaches Kafka only through our gateway, the terminal only through its view, and its live views'
 * rendering is pure (docs/CONTRIBUTING.md, "Layering").
 */
class CliLayeringTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.keyway.cli");

    static final ArchRule cliReachesKafkaOnlyThroughTheGateway = noClasses()
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "reactor.kafka..",
                    "dev.keyway.kafka.internal..");

    /** JLine, the terminal library, is used by the terminal view alone: the rest prints to a PrintStream. */
    static final ArchRule onlyTheTerminalViewUsesJLine = noClasses()
            .that().doNotHaveSimpleName("TerminalProgress")
            .should().dependOnClassesThat().resideInAnyPackage("org.jline..");

    /** What the live views show and when a watch ends are pure functions: no terminal, no clock, no Kafka. */
    static final ArchRule renderingAndEndingArePure = noClasses()
            .that().haveSimpleName("ProgressBars").or().haveSimpleName("WatchedMigrations")
            .or().haveSimpleName("PlainProgress")
            .should().dependOnClassesThat().resideInAnyPackage("org.jline..", "reactor..", "dev.keyway.kafka..")
            .orShould().callMethod(System.class, "currentTimeMillis")
            .orShould().callMethod(System.class, "nanoTime")
            .orShould().dependOnClassesThat().areAssignableTo(java.time.Clock.class);

    @Test
    void layeringHolds() {
        cliReachesKafkaOnlyThroughTheGateway.check(CLASSES);
        onlyTheTerminalViewUsesJLine.check(CLASSES);
        renderingAndEndingArePure.check(CLASSES);
    }
}
