package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.keyway.it.support.Sql;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.store.BatchTransaction;
import dev.keyway.store.Page;
import dev.keyway.store.Store;
import dev.keyway.store.TableWalk;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a batch locks while it holds its page, on the production databases: the page's rows, and nothing between them.
 * The application may insert new keys into the page's range meanwhile; on MariaDB this holds because batches run at
 * READ COMMITTED, where InnoDB's locking reads take no gap locks (at REPEATABLE READ the insert waited for the whole
 * batch: docs/MARIADB.md, "Batch isolation").
 */
class PageLocksIT {

    private static final TableWalk ITEMS = new TableWalk("items", null);

    private static CompletableFuture<Void> application(Sql sql, String statement) {
        return CompletableFuture.runAsync(() -> {
            try {
                sql.exec(statement);
            } catch (Exception e) {
                throw new IllegalStateException(statement + " failed", e);
            }
        });
    }

    private static CompletableFuture<Void> insert(Sql sql, int id, String note) {
        return application(sql, "INSERT INTO \"items\" (\"id\", \"note\") VALUES (" + id + ", '" + note + "')");
    }

    /** Fails when {@code write} is still waiting after 5 s (the batch holds its locks for as long as the test says). */
    private static void assertDoesNotWait(CompletableFuture<Void> write, String what) throws Exception {
        try {
            write.get(5, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            fail(what + " waited for the batch holding the page (more than 5 s)");
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void anApplicationInsertIntoAPageABatchHoldsDoesNotWaitButAnUpdateOfItsRowsDoes(TestDatabase.Kind kind)
            throws Exception {
        // one pooled connection: the batch runs on the very session that took the split points' REPEATABLE READ
        try (TestDatabase db = kind.open(); Store store = Store.open(Sql.options(db).withPoolSize(1))) {
            Sql sql = new Sql(Sql.options(db));
            sql.items(200);
            sql.exec("DELETE FROM \"items\" WHERE \"id\" % 10 <> 0"); // keys 10, 20, ..., 200
            assertEquals(3, store.splitPoints(ITEMS, 20, 4).size());
            CompletableFuture<Void> update;
            try (BatchTransaction batch = store.begin(ITEMS)) {
                Page page = batch.readPage("[10]", null, 4); // locks 20, 30, 40, 50
                assertEquals("[50]", page.nextCursor());
                assertEquals(4, page.documents().size());

                assertDoesNotWait(insert(sql, 25, "inside the page"), "an insert of key 25, inside the page,");
                assertDoesNotWait(insert(sql, 15, "before its first row"), "an insert of key 15, before its first row,");
                assertDoesNotWait(insert(sql, 55, "after its last row"), "an insert of key 55, after its last row,");
                update = application(sql, "UPDATE \"items\" SET \"counter\" = 100 WHERE \"id\" = 30");
                assertThrows(TimeoutException.class, () -> update.get(500, TimeUnit.MILLISECONDS),
                        "the page's rows stay locked until the batch ends");
                batch.commit();
            }
            update.get(10, TimeUnit.SECONDS);
            assertEquals(23, sql.count("SELECT COUNT(*) FROM \"items\""));
        }
    }

    /**
     * On PostgreSQL a batch locks its page {@code FOR NO KEY UPDATE}: it never changes a key (a patch of a key column is
     * refused), so the application's foreign-key checks ({@code FOR KEY SHARE} of the parent row) go through while the
     * batch holds the row; under {@code FOR UPDATE} an insert of a child row waited for the whole batch. MariaDB has no
     * such lock: there an insert of a child row waits (docs/MARIADB.md).
     */
    @Test
    void anApplicationInsertOfAChildRowDoesNotWaitForTheBatchHoldingItsParentOnPostgres() throws Exception {
        try (TestDatabase db = TestDatabase.Kind.POSTGRES.open(); Store store = Store.open(Sql.options(db))) {
            Sql sql = new Sql(Sql.options(db));
            sql.items(100);
            sql.exec("CREATE TABLE \"orders\" (\"id\" INT PRIMARY KEY, \"item\" INT NOT NULL REFERENCES \"items\" (\"id\"))");
            CompletableFuture<Void> update;
            try (BatchTransaction batch = store.begin(ITEMS)) {
                assertEquals(10, batch.readPage(null, null, 10).documents().size()); // locks 1 to 10
                assertDoesNotWait(application(sql, "INSERT INTO \"orders\" VALUES (1, 5)"),
                        "an order of item 5, a row of the page,");
                update = application(sql, "UPDATE \"items\" SET \"counter\" = 100 WHERE \"id\" = 5");
                assertThrows(TimeoutException.class, () -> update.get(500, TimeUnit.MILLISECONDS),
                        "the page's rows stay locked against updates until the batch ends");
                batch.commit();
            }
            update.get(10, TimeUnit.SECONDS);
            assertEquals(1, sql.count("SELECT COUNT(*) FROM \"orders\""));
        }
    }
}
