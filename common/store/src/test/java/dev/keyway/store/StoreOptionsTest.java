package dev.keyway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StoreOptionsTest {

    @Test
    void redactsPasswordsInEveryFormAJdbcUrlCanCarryThem() {
        assertEquals("jdbc:postgresql://app:***@db.internal:5432/shop",
                StoreOptions.redact("jdbc:postgresql://app:s3cr3t@db.internal:5432/shop"));
        assertEquals("jdbc:postgresql://db:5432/shop?user=app&password=***&ssl=true",
                StoreOptions.redact("jdbc:postgresql://db:5432/shop?user=app&password=s3cr3t&ssl=true"));
        assertEquals("jdbc:postgresql://db/shop?sslpassword=***",
                StoreOptions.redact("jdbc:postgresql://db/shop?sslpassword=k3y"));
        assertEquals("jdbc:h2:file:./data/keyway;AUTO_SERVER=TRUE;PASSWORD=***",
                StoreOptions.redact("jdbc:h2:file:./data/keyway;AUTO_SERVER=TRUE;PASSWORD=s3cr3t"));
        assertEquals("jdbc:postgresql://localhost:5432/shop", StoreOptions.redact("jdbc:postgresql://localhost:5432/shop"));
        assertEquals("jdbc:postgresql://app:***@db/shop", StoreOptions.redact("jdbc:postgresql://app:p@ss:w0rd@db/shop"),
                "a password may hold @ and :");
        assertEquals("jdbc:postgresql://db1:5432,db2:5433/shop?PassWord=***;x",
                StoreOptions.redact("jdbc:postgresql://db1:5432,db2:5433/shop?PassWord=s3cr3t;x"));
        assertEquals("jdbc:h2:tcp://localhost/./db;USER=sa;pwd=***", StoreOptions.redact("jdbc:h2:tcp://localhost/./db;USER=sa;pwd=s3cr3t"));
    }

    @Test
    void neverPrintsThePasswordOrTheUrlsSecrets() {
        StoreOptions o = StoreOptions.of("jdbc:postgresql://db/shop?password=other", "app", "pw");
        assertFalse(o.toString().contains("other"), o.toString());
        assertFalse(o.toString().contains("pw"), o.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StoreOptions.of("jdbc:mysql://app:s3cr3t@db/shop", "app", "pw"));
        assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
    }

    @Test
    void refusesCredentialsBeforeTheHostWhichTheDriversWouldPrintAsAHostName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StoreOptions.of("jdbc:postgresql://app:s3cr3t@db/shop", "app", "pw"));
        assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
        assertTrue(e.getMessage().contains("jdbc:postgresql://app:***@db/shop") && e.getMessage().contains("JDBC_PASSWORD"),
                e.getMessage());
    }

    @Test
    void readsTheTimeoutsFromTheEnvironmentAndRefusesNonsense() {
        StoreOptions o = StoreOptions.fromEnv(Map.of("DB_LOCK_TIMEOUT_MS", "750", "DB_STATEMENT_TIMEOUT_MS", "9000"));
        assertEquals(750, o.timeouts().lock().toMillis());
        assertEquals(9000, o.timeouts().statement().toMillis());
        assertEquals(DbTimeouts.DEFAULT_IDLE_MS, o.timeouts().idleInTransaction().toMillis());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> StoreOptions.fromEnv(Map.of("DB_LOCK_TIMEOUT_MS", "soon"))).getMessage().contains("DB_LOCK_TIMEOUT_MS"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> StoreOptions.fromEnv(Map.of("DB_LOCK_TIMEOUT_MS", "0"))).getMessage().contains("between 1 ms and 24 h"));
    }
}
