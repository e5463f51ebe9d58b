package dev.keyway.it.support;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/**
 * What the it-tests that run services as processes share: a fresh database of the kind a test asks for, its
 * {@link Sql}, and a {@link ProcessCluster} on the shared broker whose logs go to {@code target/it-logs/TEST-KIND};
 * both closed after each test.
 */
public abstract class ProcessClusterTest {

    protected TestDatabase db;
    protected Sql sql;
    protected ProcessCluster cluster;
    private String testName;

    @BeforeEach
    void name(TestInfo test) {
        testName = test.getTestMethod().orElseThrow().getName();
    }

    /** Opens a fresh database of this kind and a cluster on it (no process started yet). */
    protected void start(TestDatabase.Kind database) {
        db = database.open();
        sql = new Sql(Sql.options(db));
        cluster = new ProcessCluster(KafkaTestCluster.shared().bootstrapServers(), Sql.options(db),
                Path.of("target", "it-logs", testName + "-" + database));
    }

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (db != null) {
            db.close();
        }
    }
}
