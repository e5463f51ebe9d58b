package dev.keyway.it.bench;

import dev.keyway.it.support.MariaDbServers;
import dev.keyway.it.support.Sql;
import dev.keyway.it.support.TestDatabase;
import dev.keyway.store.StoreOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * The database {@code bin/bench} runs on, a fresh one of its kind ({@link TestDatabase#of}), and how its CPU time is
 * read from {@code /proc}: on PostgreSQL every {@code postgres} process (a backend per session), on MariaDB the
 * primary's one {@code mariadbd} process (a thread per session), found through its {@code @@pid_file}, and apart from
 * it the replica's {@code mariadbd}, which applies the benchmark's writes on the same machine. Closing drops the
 * database.
 */
final class BenchDatabase implements AutoCloseable {

    private final TestDatabase db;
    private final String description;
    private final long primaryPid;
    private final long replicaPid;

    private BenchDatabase(TestDatabase db, String description, long primaryPid, long replicaPid) {
        this.db = db;
        this.description = description;
        this.primaryPid = primaryPid;
        this.replicaPid = replicaPid;
    }

    /** A fresh database of {@code kind}: {@code "postgres"} or {@code "mariadb"}. */
    static BenchDatabase open(String kind) throws SQLException {
        if (kind.equals("postgres")) {
            TestDatabase pg = TestDatabase.postgres();
            return new BenchDatabase(pg, "PostgreSQL " + pg.jdbcUrl(), -1, -1);
        }
        if (!kind.equals("mariadb")) {
            throw new IllegalArgumentException("--db must be postgres or mariadb, but was " + kind);
        }
        TestDatabase maria = TestDatabase.mariadb();
        try (Connection c = new Sql(Sql.options(maria)).connect(); Connection replica = MariaDbServers.replica()) {
            String version = single(c, "SELECT @@version");
            return new BenchDatabase(maria, "MariaDB " + version + " " + maria.jdbcUrl(), pid(c), pid(replica));
        } catch (SQLException | RuntimeException e) {
            maria.close();
            throw e;
        }
    }

    boolean isMariaDb() {
        return db.isMariaDb();
    }

    StoreOptions options() {
        return Sql.options(db);
    }

    /** The server's name, version (MariaDB) and URL, for the report. */
    String description() {
        return description;
    }

    /** CPU milliseconds so far of the database's processes, by pid ({@link CpuTime#between}). */
    Map<Long, Long> cpu() {
        return db.isMariaDb() ? CpuTime.ofServer(primaryPid) : CpuTime.ofPostgres();
    }

    /** CPU milliseconds so far of the MariaDB replica's process; empty on PostgreSQL. */
    Map<Long, Long> replicaCpu() {
        return db.isMariaDb() ? CpuTime.ofServer(replicaPid) : Map.of();
    }

    @Override
    public void close() {
        db.close();
    }

    /** The server's pid from its pid file (the same machine), or -1 when it cannot be read: no CPU figures then. */
    private static long pid(Connection c) throws SQLException {
        String file = single(c, "SELECT @@pid_file");
        try {
            return Long.parseLong(Files.readString(Path.of(file)).trim());
        } catch (IOException | RuntimeException e) {
            System.err.println("bench: cannot read MariaDB's pid file " + file + " (" + e + "): no CPU figures for it");
            return -1;
        }
    }

    private static String single(Connection c, String query) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
