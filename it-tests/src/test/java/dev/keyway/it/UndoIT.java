package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.it.support.ProcessClusterTest;
import dev.keyway.it.support.ServiceProcess;
import dev.keyway.it.support.Sql;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.RunKind;
import dev.keyway.message.UndoOf;
import dev.keyway.store.ImagesOfRun;
import dev.keyway.store.QuarantinedDocument;
import dev.keyway.store.Store;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Undo (issue 19) with processes that die, on PostgreSQL and MariaDB: a run with before-images over 100,000 rows adds 1
 * to each row's counter, inserts 1,000 audit rows and deletes 400 rows through {@code ctx.db()}; the application then
 * updates 100 of the rows. The undo (a worker SIGKILLed, then both coordinators, one after the other, while it walks)
 * restores every other row to counter 0, deletes the audit rows, inserts the deleted rows again, and lists the 100 as
 * conflicts, left as the application wrote them; its ledger counts each image once. Then, with {@code --force}, an undo
 * overwrites the 100 too; the images are purged.
 */
class UndoIT extends ProcessClusterTest {

    private static final String MIGRATION = "auditedIncrement";
    private static final int ROWS = 100_000;
    private static final int AUDITED = ROWS / 100;
    private static final int DOOMED = ROWS / 250;
    private static final Set<Long> CHANGED = LongStream.rangeClosed(1, 100).map(i -> i * 991).boxed()
            .collect(Collectors.toCollection(TreeSet::new));


    private MigrationStatus awaitEnd(long since, RunKind kind) {
        return cluster.await(s -> s.name().equals(MIGRATION) && s.updatedAt() >= since && s.run().kind() == kind
                && !s.state().running() && s.state() != MigrationState.PAUSED && s.progress().processed() > 0
                || s.name().equals(MIGRATION) && s.updatedAt() >= since && s.state() == MigrationState.FAILED);
    }

    private void awaitProcessed(long since, long atLeast) {
        cluster.await(s -> s.name().equals(MIGRATION) && s.updatedAt() >= since && s.run().kind() == RunKind.UNDO
                && (s.progress().processed() >= atLeast || !s.state().running()));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void anUndoKilledAnywhereRestoresEveryRowButTheConflictsOnceAndForcedTheRestToo(TestDatabase.Kind database)
            throws Exception {
        start(database);
        sql.itemsInOneStatement(ROWS);
        sql.exec("CREATE TABLE items_audit (id BIGINT PRIMARY KEY, note VARCHAR(100))",
                "CREATE TABLE items_doomed (id BIGINT PRIMARY KEY, note VARCHAR(100))",
                "INSERT INTO items_doomed SELECT g * 250, 'doomed' FROM " + sql.numbers(DOOMED) + " n");
        ServiceProcess first = cluster.coordinator();
        ServiceProcess second = cluster.coordinator();
        ServiceProcess victim = cluster.worker();
        cluster.worker();

        long since = System.currentTimeMillis();
        assertInstanceOf(Event.CommandAccepted.class, cluster.send(Command.Run.of(MIGRATION).withKeepImages(true)
                .withSegments(8)));
        MigrationStatus ran = awaitEnd(since, RunKind.MIGRATE);
        assertEquals(MigrationState.SUCCESS, ran.state(), String.valueOf(ran.failure().error()));
        assertTrue(ran.run().keepImages());
        assertEquals(0, sql.itemsNotAt(1));
        assertEquals(AUDITED, sql.count("SELECT COUNT(*) FROM items_audit"));
        assertEquals(0, sql.count("SELECT COUNT(*) FROM items_doomed"));
        String runId = ran.run().runId();
        try (Store store = Store.open(Sql.options(db))) {
            List<ImagesOfRun> runs = store.imageRuns(MIGRATION);
            assertEquals(1, runs.size());
            assertEquals(ROWS + AUDITED + DOOMED, runs.get(0).rows(), "an image of each row the run changed");
        }

        // the application changes 100 of the rows after the run
        String changed = CHANGED.stream().map(String::valueOf).collect(Collectors.joining(", "));
        sql.exec("UPDATE \"items\" SET \"counter\" = 50 WHERE \"id\" IN (" + changed + ")");

        long undoSince = System.currentTimeMillis();
        assertInstanceOf(Event.CommandAccepted.class, cluster.send(Command.Run.of(MIGRATION)
                .withUndoOf(new UndoOf(runId, false)).withSegments(6).withBatchSize(500).withRequestedBy("ada")));
        awaitProcessed(undoSince, ROWS / 5);
        victim.kill();
        cluster.worker();
        awaitProcessed(undoSince, ROWS / 2);
        first.kill();
        awaitProcessed(undoSince, ROWS * 7 / 10);
        second.kill();
        cluster.coordinator();
        MigrationStatus undone = awaitEnd(undoSince, RunKind.UNDO);

        assertEquals(MigrationState.SUCCESS, undone.state(), String.valueOf(undone.failure().error()));
        assertEquals(ROWS + AUDITED + DOOMED, undone.progress().processed(), "each image walked once");
        assertEquals(100, undone.progress().conflicts());
        assertEquals(ROWS + AUDITED + DOOMED, sql.count("SELECT SUM(processed) FROM keyway_ledger WHERE run_id = '"
                + undone.run().runId() + "'"), "the ledger counts each image once");
        assertEquals(ROWS - 100, sql.count("SELECT COUNT(*) FROM \"items\" WHERE \"counter\" = 0"),
                "every other row as it was before the run");
        assertEquals(100, sql.count("SELECT COUNT(*) FROM \"items\" WHERE \"counter\" = 50 AND \"id\" IN (" + changed
                + ")"), "the conflicts left as the application wrote them");
        assertEquals(0, sql.count("SELECT COUNT(*) FROM items_audit"), "the rows the run inserted are deleted");
        assertEquals(DOOMED, sql.count("SELECT COUNT(*) FROM items_doomed WHERE note = 'doomed'"),
                "the rows it deleted are back");
        try (Store store = Store.open(Sql.options(db))) {
            List<QuarantinedDocument> conflicts = store.undoConflicts(MIGRATION, 1000);
            assertEquals(100, conflicts.size(), "each listed once");
            Set<String> keys = new TreeSet<>(conflicts.stream().map(d -> d.key().substring(d.key().lastIndexOf(' ') + 1))
                    .toList());
            assertEquals(new TreeSet<>(CHANGED.stream().map(String::valueOf).toList()), keys);
        }
        assertTrue(cluster.status(MIGRATION).run().kind() == RunKind.UNDO && !cluster.status(MIGRATION).isDone());

        // forced: the 100 go back too; nothing else changes
        long forceSince = System.currentTimeMillis();
        assertInstanceOf(Event.CommandAccepted.class, cluster.send(Command.Run.of(MIGRATION)
                .withUndoOf(new UndoOf(runId, true))));
        MigrationStatus forced = awaitEnd(forceSince, RunKind.UNDO);
        assertEquals(MigrationState.SUCCESS, forced.state(), String.valueOf(forced.failure().error()));
        assertEquals(0, forced.progress().conflicts());
        assertEquals(0, sql.itemsNotAt(0), "every row as it was before the run");
        assertEquals(DOOMED, sql.count("SELECT COUNT(*) FROM items_doomed"));

        try (Store store = Store.open(Sql.options(db))) {
            assertEquals(ROWS + AUDITED + DOOMED, store.purgeImages(MIGRATION, runId));
            assertTrue(store.imageRuns(MIGRATION).isEmpty());
        }
    }
}
