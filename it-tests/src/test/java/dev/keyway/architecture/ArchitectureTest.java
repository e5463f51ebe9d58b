package dev.keyway.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The boundaries of docs/CONTRIBUTING.md ("Layering"), checked over the main classes of every module at once (this
 * module depends on all of them). Maven already keeps a module from importing one it does not depend on; these rules
 * hold the boundaries inside and between modules that Maven cannot see: internal packages, third-party libraries
 * confined to one package, and the coordinator's pure core.
 */
class ArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.keyway");

    // --- third-party libraries, each in its one place

    static final ArchRule kafkaLibrariesOnlyInTheKafkaAdapter = noClasses()
            .that().resideOutsideOfPackage("dev.keyway.kafka.internal..")
            .should().dependOnClassesThat().resideInAnyPackage("reactor.kafka..", "org.apache.kafka..");

    /**
     * Keyway reaches the database through the store alone. The user's side of the table may use JDBC as any user
     * would: the examples' schema, the test harness (which hands a test its connection) and the demo, which seeds
     * the example table and checks its rows.
     */
    static final ArchRule jdbcOnlyInTheStore = noClasses()
            .that().resideOutsideOfPackages("dev.keyway.store.internal..", "dev.keyway.examples..",
                    "dev.keyway.testing..")
            .and().doNotHaveFullyQualifiedName("dev.keyway.cli.DemoRun")
            .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..", "com.zaxxer..",
                    "org.postgresql..", "org.mariadb..", "org.h2..");

    /**
     * What differs between databases is in their dialects (PostgresDialect, MariaDbDialect, H2Dialect), and the store chooses one in
     * one place: Dialect's registration, from the JDBC URL. Everything else speaks to the abstract Dialect, so adding a
     * database is adding a dialect (docs/CONTRIBUTING.md, "Adding a database").
     */
    static final ArchRule databasesAreChosenInOnePlace = noClasses()
            .that().doNotHaveFullyQualifiedName("dev.keyway.store.internal.Dialect")
            .should().dependOnClassesThat(JavaClass.Predicates.simpleNameEndingWith("Dialect")
                    .and(DescribedPredicate.not(JavaClass.Predicates.simpleName("Dialect"))));

    /** Micrometer in the endpoint's package, the worker's batch meters and the coordinator's meters only. */
    static final ArchRule micrometerOnlyInMetricsPackages = noClasses()
            .that().resideOutsideOfPackages("dev.keyway.metrics..", "dev.keyway.worker.metrics..",
                    "dev.keyway.coordinator.metrics..")
            .should().dependOnClassesThat().resideInAPackage("io.micrometer..");

    static final ArchRule objectMapperOnlyInTheCodecTheStoreTheApiAndUserCode = noClasses()
            .that().resideOutsideOfPackages("dev.keyway.codec..", "dev.keyway.store.internal..",
                    "dev.keyway.migration..", "dev.keyway.examples..")
            .should().dependOnClassesThat().haveFullyQualifiedName("com.fasterxml.jackson.databind.ObjectMapper");

    /** JLine, the terminal library, is used by the terminal view alone: the rest of the CLI prints to a PrintStream. */
    static final ArchRule onlyTheTerminalViewUsesJLine = noClasses()
            .that().doNotHaveSimpleName("TerminalProgress")
            .should().dependOnClassesThat().resideInAnyPackage("org.jline..");

    // --- modules and their internals

    static final ArchRule theApiUsesTheJdkAndJacksonOnly = classes()
            .that().resideInAPackage("dev.keyway.migration..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("dev.keyway.migration..", "java..",
                    "com.fasterxml.jackson..");

    static final ArchRule messagesKnowNoStoreNoKafkaNoCodec = noClasses()
            .that().resideInAPackage("dev.keyway.message..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.keyway.store..", "dev.keyway.kafka..",
                    "dev.keyway.codec..");

    static final ArchRule storeInternalsStayInTheStore = noClasses()
            .that().resideOutsideOfPackages("dev.keyway.store..")
            .should().dependOnClassesThat().resideInAPackage("dev.keyway.store.internal..");

    static final ArchRule kafkaInternalsStayInTheAdapter = noClasses()
            .that().resideOutsideOfPackages("dev.keyway.kafka..")
            .should().dependOnClassesThat().resideInAPackage("dev.keyway.kafka.internal..");

    static final ArchRule coordinatorInternalsStayInTheCoordinator = noClasses()
            .that().resideOutsideOfPackages("dev.keyway.coordinator..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.keyway.coordinator.internal..",
                    "dev.keyway.coordinator.core..");

    /** What happens to a batch knows no Kafka and no metrics library: keyway-testing runs it with neither. */
    static final ArchRule theBatchPathKnowsNoKafkaAndNoMetrics = noClasses()
            .that().resideInAnyPackage("dev.keyway.batch..", "dev.keyway.testing..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.keyway.kafka..", "dev.keyway.metrics..",
                    "dev.keyway.coordinator..", "io.micrometer..");

    // --- the coordinator's pure core

    /**
     * The coordinator's core ({@code dev.keyway.coordinator.core}, whatever its classes are called) is a function
     * from (state, input) to (state, effects): it reaches no broker and no database (the store's values, such as
     * {@code RunFence} and {@code LedgerEntry}, it may use), nor the shell that carries its effects out, and it reads
     * no clock and draws no random number: time and run ids come in with its inputs.
     */
    static final ArchRule theCoordinatorsCoreReachesNoBrokerNoDatabaseAndNoShell = noClasses()
            .that().resideInAPackage("dev.keyway.coordinator.core..")
            .should().dependOnClassesThat().resideInAnyPackage("reactor..", "dev.keyway.kafka..", "java.sql..",
                    "javax.sql..", "dev.keyway.store.internal..", "dev.keyway.coordinator",
                    "dev.keyway.coordinator.internal..")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.keyway.store.Store")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.keyway.store.BatchStore")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.keyway.store.RunLedger")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.keyway.store.RunImages")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.keyway.store.TablePlanner")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.keyway.store.HealthProbe")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.keyway.store.BatchTransaction");

    /** Not even a clock handed in: the time of each input comes with it. */
    static final ArchRule theCoordinatorsCoreReadsNoClockAndDrawsNoRandomNumber = noClasses()
            .that().resideInAPackage("dev.keyway.coordinator.core..")
            .should().callMethod(System.class, "currentTimeMillis")
            .orShould().callMethod(System.class, "nanoTime")
            .orShould().callMethod(java.time.Instant.class, "now")
            .orShould().callMethod(java.time.Clock.class, "systemUTC")
            .orShould().callMethod(java.util.UUID.class, "randomUUID")
            .orShould().dependOnClassesThat().areAssignableTo(java.time.Clock.class);

    /** What does I/O for the coordinator (its planner's queries) uses no Reactor, no Kafka and no JDBC. */
    static final ArchRule theCoordinatorsInternalsUseNoReactorKafkaOrJdbc = noClasses()
            .that().resideInAPackage("dev.keyway.coordinator.internal..")
            .should().dependOnClassesThat().resideInAnyPackage("reactor..", "dev.keyway.kafka..", "java.sql..");

    // --- the CLI

    /** What the live views show and when a watch ends are pure functions: no terminal, no clock, no Kafka. */
    static final ArchRule renderingAndEndingArePure = noClasses()
            .that().haveSimpleName("ProgressBars").or().haveSimpleName("WatchedMigrations")
            .or().haveSimpleName("PlainProgress")
            .should().dependOnClassesThat().resideInAnyPackage("org.jline..", "reactor..", "dev.keyway.kafka..")
            .orShould().callMethod(System.class, "currentTimeMillis")
            .orShould().callMethod(System.class, "nanoTime")
            .orShould().dependOnClassesThat().areAssignableTo(java.time.Clock.class);

    static final ArchRule theConsoleTouchesNoStoreNoServiceAndNoGateway = noClasses()
            .that().resideInAPackage("dev.keyway.console..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.keyway.store..", "java.sql..",
                    "dev.keyway.coordinator..", "dev.keyway.worker..", "dev.keyway.batch..", "dev.keyway.cli..")
            .orShould().dependOnClassesThat().haveSimpleName("KafkaGateway");

    static final ArchRule theConsoleServesFromItsInterfaceNotTheClient = noClasses()
            .that().resideInAPackage("dev.keyway.console..").and().doNotHaveSimpleName("ClientMigrations")
            .should().dependOnClassesThat().resideInAPackage("dev.keyway.client..");

    @Test
    void librariesStayInTheirPlace() {
        kafkaLibrariesOnlyInTheKafkaAdapter.check(CLASSES);
        jdbcOnlyInTheStore.check(CLASSES);
        databasesAreChosenInOnePlace.check(CLASSES);
        micrometerOnlyInMetricsPackages.check(CLASSES);
        objectMapperOnlyInTheCodecTheStoreTheApiAndUserCode.check(CLASSES);
        onlyTheTerminalViewUsesJLine.check(CLASSES);
    }

    @Test
    void modulesUseEachOthersPublicPackagesOnly() {
        theApiUsesTheJdkAndJacksonOnly.check(CLASSES);
        messagesKnowNoStoreNoKafkaNoCodec.check(CLASSES);
        storeInternalsStayInTheStore.check(CLASSES);
        kafkaInternalsStayInTheAdapter.check(CLASSES);
        coordinatorInternalsStayInTheCoordinator.check(CLASSES);
        theBatchPathKnowsNoKafkaAndNoMetrics.check(CLASSES);
    }

    @Test
    void theCoordinatorsCoreIsPure() {
        theCoordinatorsCoreReachesNoBrokerNoDatabaseAndNoShell.check(CLASSES);
        theCoordinatorsCoreReadsNoClockAndDrawsNoRandomNumber.check(CLASSES);
        theCoordinatorsInternalsUseNoReactorKafkaOrJdbc.check(CLASSES);
    }

    /** The console reads and commands through {@code Migrations} alone (a fake in its tests, the client in production). */
    @Test
    void theConsoleDrivesMigrationsThroughItsOneInterface() {
        theConsoleTouchesNoStoreNoServiceAndNoGateway.check(CLASSES);
        theConsoleServesFromItsInterfaceNotTheClient.check(CLASSES);
    }

    @Test
    void theClisViewsArePure() {
        renderingAndEndingArePure.check(CLASSES);
    }
}
