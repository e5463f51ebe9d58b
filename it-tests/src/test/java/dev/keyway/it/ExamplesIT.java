package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.examples.ExampleMigrations;
import dev.keyway.examples.ExampleSchema;
import dev.keyway.it.support.KafkaTestCluster;
import dev.keyway.it.support.ServiceHarness;
import dev.keyway.it.support.ServiceProcess;
import dev.keyway.it.support.Sql;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.message.Command;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationCatalog;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reference patterns on PostgreSQL, and the demo (the README's main job) on the embedded defaults. */
class ExamplesIT {

    @Test
    void theExampleSeriesMigratesTheExampleTablesOnPostgres() throws Exception {
        try (TestDatabase db = TestDatabase.postgres()) {
            ExampleSchema.seed(db.jdbcUrl(), db.user(), db.password(), 4000);
            Sql sql = new Sql(Sql.options(db));
            try (ServiceHarness h = ServiceHarness.start(KafkaTestCluster.shared().bootstrapServers(), Sql.options(db),
                    MigrationCatalog.of(ExampleMigrations.SERIES), 2)) {
                List<String> names = ExampleMigrations.SERIES.stream().map(Migration::name).toList();
                MigrationStatus last = h.runToEnd(Command.Run.of(names.get(0)).withNext(names.subList(1, names.size())));
                assertEquals(MigrationState.SUCCESS, last.state(), "error: " + last.failure().error());
                assertEquals(names.get(names.size() - 1), last.name());
            }
            assertEquals(0, sql.count("SELECT COUNT(*) FROM \"users\" WHERE \"role\" IS NULL"));
            assertEquals(0, sql.count("SELECT COUNT(*) FROM \"users\" WHERE \"nickname\" IS NOT NULL"));
            assertEquals(0, sql.count("SELECT COUNT(*) FROM \"users\" WHERE \"requiredField\" = ''"));
            assertEquals(800, sql.count("SELECT COUNT(*) FROM \"users\" WHERE \"requiredField\" = '<unknown>'"));
            assertEquals(0, sql.count("SELECT COUNT(*) FROM \"teams\" WHERE \"plan\" IS NULL OR \"isPro\" IS NOT NULL"));
            assertEquals(133, sql.count("SELECT COUNT(*) FROM \"teams\" WHERE \"plan\" = 'pro'"));
            assertEquals(1000, sql.count("SELECT COUNT(*) FROM \"userPreferences\""));
            assertEquals(0, sql.count("SELECT COUNT(*) FROM \"users\" WHERE \"preferences\" IS NOT NULL"));
            assertEquals(200, sql.count("SELECT COUNT(*) FROM \"embeddings\""), "the 200 orphans are deleted");
        }
    }

    @Test
    void theDemoRunsEndToEndAndStopsEverythingItStarted() throws Exception {
        Path dir = Path.of("target", "demo-it").toAbsolutePath();
        java.nio.file.Files.deleteIfExists(Path.of("target", "it-logs", "demo.log"));
        ServiceProcess demo = ServiceProcess.start("demo", "dev.keyway.cli.KeywayCli", Map.of(), Path.of("target", "it-logs"),
                "demo", "--rows", "3000", "--dir", dir.toString());
        int code = demo.await(300);
        String out = demo.output();
        assertEquals(0, code, out);
        assertTrue(out.contains("deleteOrphanedEmbeddings"), out);
        assertTrue(!out.contains("EXPECTED"), out);
        assertTrue(out.contains("stopped the broker, the coordinator and the workers"), out);
    }
}
