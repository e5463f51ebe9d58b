package dev.keyway.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** A store that cannot open says why without printing the URL's secrets, in its message or its causes. */
class StoreOpenSecretsTest {

    private static String printed(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    @Test
    void aUrlTheDriverRefusesIsNamedWithoutThePasswordOfItsParameters() {
        StoreOptions o = StoreOptions.of("jdbc:postgresql://localhost:port/shop?password=s3cr3t", "app", "pw");
        StoreException e = assertThrows(StoreException.class, () -> Store.open(o));
        assertFalse(printed(e).contains("s3cr3t"), printed(e));
        assertTrue(e.getMessage().contains("password=***") && e.getMessage().contains("JDBC_URL"), e.getMessage());
        assertFalse(StoreException.isRetriable(e), "waiting does not mend a URL");
    }

    @Test
    void anUnreachableDatabaseIsNamedWithoutThePasswordOfTheUrlsParameters() {
        StoreOptions o = StoreOptions.of("jdbc:postgresql://localhost:1/shop?user=app&password=s3cr3t&connectTimeout=1", "app", "pw")
                .withPoolSize(1);
        StoreException e = assertThrows(StoreException.class, () -> Store.open(o));
        assertFalse(printed(e).contains("s3cr3t"), printed(e));
        assertTrue(e.getMessage().contains("password=***"), e.getMessage());
        assertTrue(StoreException.isRetriable(e), "a database that is down may come up");
    }
}
