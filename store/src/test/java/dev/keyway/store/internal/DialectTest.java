package dev.keyway.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.store.DbTimeouts;
import dev.keyway.store.LockTimeoutException;
import dev.keyway.store.RetriableStoreException;
import dev.keyway.store.StatementTimeoutException;
import dev.keyway.store.StoreException;
import dev.keyway.store.StoreOptions;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The dialect is chosen once from the URL, and each says in its own words what the store asks of it. */
class DialectTest {

    private final Dialect postgres = Dialect.of("jdbc:postgresql://localhost/keyway");
    private final Dialect h2 = Dialect.of("jdbc:h2:mem:x");

    @Test
    void theUrlChoosesTheDialectAndAnUnsupportedDatabaseIsRefusedNamingTheSupportedOnes() {
        assertInstanceOf(PostgresDialect.class, postgres);
        assertInstanceOf(H2Dialect.class, h2);
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> StoreOptions.of("jdbc:oracle:thin:@db:1521/x", "u", "p"));
        assertEquals("jdbcUrl must be a PostgreSQL (jdbc:postgresql:..) or H2 (jdbc:h2:..) URL, but was"
                + " jdbc:oracle:thin:@db:1521/x", refused.getMessage());
    }

    @Test
    void eachSessionGetsItsDatabasesTimeouts() {
        DbTimeouts t = new DbTimeouts(Duration.ofMillis(2_000), Duration.ofMillis(60_000), Duration.ofMillis(120_000));
        assertEquals("SET lock_timeout = 2000; SET statement_timeout = 60000; SET idle_in_transaction_session_timeout"
                + " = 120000", postgres.sessionSettings(t));
        assertEquals("SET LOCK_TIMEOUT 2000; SET QUERY_TIMEOUT 60000", h2.sessionSettings(t));
        assertEquals("SET LOCAL lock_timeout = 8000", postgres.transactionLockTimeout(8_000).orElseThrow());
        assertTrue(h2.transactionLockTimeout(8_000).isEmpty(), "H2's lock timeout is the session's");
        assertEquals("false", postgres.dataSourceProperties().get("binaryTransfer"));
    }

    @Test
    void errorsAreClassifiedByEachDatabasesOwnStates() {
        Sql pg = new Sql(postgres);
        Sql embedded = new Sql(h2);
        assertInstanceOf(LockTimeoutException.class, pg.failure("lock", new SQLException("x", "55P03")));
        assertInstanceOf(LockTimeoutException.class, embedded.failure("lock", new SQLException("x", "HYT00")));
        assertInstanceOf(StatementTimeoutException.class, pg.failure("slow", new SQLException("x", "57014")));
        assertInstanceOf(StatementTimeoutException.class, embedded.failure("slow", new SQLException("x", "57014")));
        assertInstanceOf(RetriableStoreException.class, pg.failure("idle", new SQLException("x", "25P03")));
        assertInstanceOf(RetriableStoreException.class, pg.failure("shutdown", new SQLException("x", "57P01")));
        assertInstanceOf(RetriableStoreException.class, embedded.failure("closed", new SQLException("x", "90098")));
        assertInstanceOf(RetriableStoreException.class, pg.failure("deadlock", new SQLException("x", "40P01")));
        assertEquals(StoreException.class, pg.failure("duplicate", new SQLException("x", "23505")).getClass());
        assertTrue(pg.isDuplicateKey(new SQLException("x", "23505")));
        assertTrue(embedded.isDuplicateKey(new SQLException("x", "23505")));
        assertEquals(Dialect.Failure.ALREADY_CREATED, postgres.classify(new SQLException("x", "42P07")));
        assertTrue(postgres.isRejectedValue(new SQLException("x", "42804")));
        assertFalse(h2.isRejectedValue(new SQLException("x", "42804")));
    }

    @Test
    void onlyPostgresqlNamesTheRefusedUpdateOfABatchSamplesRowsAndReadsHealth() {
        BatchUpdateException e = new BatchUpdateException("Batch entry 2 UPDATE \"items\" SET .. was aborted", "22P02",
                new int[0]);
        assertEquals(2, postgres.failedBatchEntry(e));
        assertEquals(-1, h2.failedBatchEntry(e));
        assertEquals("TABLESAMPLE BERNOULLI (0.5000)", postgres.rowSample(0.5).orElseThrow());
        assertTrue(h2.rowSample(0.5).isEmpty());
        assertTrue(postgres.replicaLag().isPresent() && postgres.lockWait().isPresent());
        assertTrue(h2.replicaLag().isEmpty() && h2.lockWait().isEmpty());
    }
}
