package dev.keyway.it.support;

import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationCatalog;
import dev.keyway.store.StoreOptions;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For each test, a fresh PostgreSQL database with the {@code items} table ({@link Sql#items}), and the
 * in-process services the test starts on it; all closed after the test. Register it with
 * {@code @RegisterExtension final ItemsDatabase items = new ItemsDatabase(1_000);}, or
 * {@code new ItemsDatabase(1_000, kind)} for a database of another kind ({@link TestDatabase#of}: {@code "postgres"}
 * or {@code "mariadb"}).
 */
public final class ItemsDatabase implements BeforeEachCallback, AfterEachCallback {

    private final int rows;
    private final String kind;
    private TestDatabase db;
    private Sql sql;
    private ServiceHarness services;

    public ItemsDatabase(int rows) {
        this(rows, "postgres");
    }

    /** On a fresh database of {@code kind}: {@code "postgres"} or {@code "mariadb"}. */
    public ItemsDatabase(int rows, String kind) {
        if (!kind.equals("postgres") && !kind.equals("mariadb")) {
            throw new IllegalArgumentException("kind must be postgres or mariadb, but was " + kind);
        }
        this.rows = rows;
        this.kind = kind;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        db = TestDatabase.of(kind, null);
        sql = new Sql(Sql.options(db));
        sql.items(rows);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (services != null) {
            services.close();
            services = null;
        }
        db.close();
    }

    public Sql sql() {
        return sql;
    }

    public StoreOptions options() {
        return Sql.options(db);
    }

    /** A coordinator and {@code workers} workers knowing {@code migrations}, on the shared broker and this database. */
    public ServiceHarness services(int workers, Migration... migrations) {
        services = ServiceHarness.start(KafkaTestCluster.shared().bootstrapServers(), options(),
                MigrationCatalog.of(List.of(migrations)), workers);
        return services;
    }
}
