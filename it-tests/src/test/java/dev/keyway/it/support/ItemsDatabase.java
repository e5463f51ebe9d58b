package dev.keyway.it.support;

import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationCatalog;
import dev.keyway.store.StoreOptions;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For each test, a fresh database (PostgreSQL unless a {@link TestDatabase.Kind} is given) with the {@code items} table
 * ({@link Sql#items}), and the in-process services the test starts on it; all closed after the test. Register it with
 * {@code @RegisterExtension final ItemsDatabase items = new ItemsDatabase(1_000);}; in a test parameterized by
 * database, {@code ItemsDatabase.opened(1_000)}, and the test calls {@link #open} first.
 */
public final class ItemsDatabase implements BeforeEachCallback, AfterEachCallback {

    private final int rows;
    private final TestDatabase.Kind kind;
    private TestDatabase db;
    private Sql sql;
    private ServiceHarness services;

    public ItemsDatabase(int rows) {
        this(rows, TestDatabase.Kind.POSTGRES);
    }

    public ItemsDatabase(int rows, TestDatabase.Kind kind) {
        this.rows = rows;
        this.kind = kind;
    }

    /** Made by the test's first call to {@link #open}: for a test whose parameter is the database. */
    public static ItemsDatabase opened(int rows) {
        return new ItemsDatabase(rows, null);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (kind != null) {
            open(kind);
        }
    }

    /** A fresh database of this kind with the items table, for this test (closed after it). */
    public ItemsDatabase open(TestDatabase.Kind database) throws Exception {
        if (db != null) {
            throw new IllegalStateException("this test's database is open already: " + db);
        }
        db = database.open();
        sql = new Sql(Sql.options(db));
        sql.items(rows);
        return this;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (services != null) {
            services.close();
            services = null;
        }
        if (db != null) {
            db.close();
            db = null;
        }
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
