package dev.keyway.store.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.keyway.message.Excerpt;
import dev.keyway.store.QuarantinedDocument;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/**
 * A table of documents set aside by the batches of a migration's runs, one row per document, written in the
 * transaction of the batch that met it (with its ledger row), so a replayed batch writes none; a later run walks them
 * in the order of their keys' JSON text and takes each out in the batch that migrates it. Two such tables:
 * {@link #QUARANTINE} ({@code keyway_quarantine}: documents whose {@code migrateOne} failed, and why) and
 * {@link #VERIFY} ({@code keyway_verify}: documents a verify found {@code migrateOne} would still change, and how);
 * and {@link #UNDO_CONFLICTS} ({@code keyway_undo_conflicts}: rows an undo left as they are, because the application
 * changed them since the run it takes back), which nothing walks.
 *
 * @param table the table's name
 * @param text the column of why the document is listed (an error, a would-be change)
 * @param at the column of when it was listed
 */
record DocumentList(String table, String text, String at) {

    static final DocumentList QUARANTINE = new DocumentList(JdbcStore.QUARANTINE, "error", "quarantined_at");
    static final DocumentList VERIFY = new DocumentList(JdbcStore.VERIFY, "would_change", "found_at");
    static final DocumentList UNDO_CONFLICTS = new DocumentList(JdbcStore.UNDO_CONFLICTS, "conflict", "found_at");

    void record(Connection c, Sql sql, List<QuarantinedDocument> documents) {
        if (documents.isEmpty()) {
            return;
        }
        String q = "INSERT INTO " + table
                + " (migration, run_id, segment, doc_key, " + text + ", document) VALUES (?, ?, ?, ?, ?, ?)";
        try (PreparedStatement ps = c.prepareStatement(q)) {
            for (QuarantinedDocument d : documents) {
                ps.setString(1, d.migration());
                ps.setString(2, d.runId());
                ps.setInt(3, d.segment());
                ps.setString(4, d.key());
                ps.setString(5, Excerpt.of(d.error(), QuarantinedDocument.MAX_ERROR));
                ps.setString(6, bounded(d.document()));
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            throw sql.failure("cannot record documents in " + table, e);
        }
    }

    /** The document's JSON, or when longer than the bound a JSON string of its beginning (still JSON). */
    static String bounded(String json) {
        if (json == null || json.length() <= QuarantinedDocument.MAX_DOCUMENT) {
            return json;
        }
        return JsonNodeFactory.instance.textNode(Excerpt.of(json, QuarantinedDocument.MAX_DOCUMENT / 2)).toString();
    }

    /** The migration's quarantined keys after {@code cursor} (null = from the first), in order, at most {@code limit}. */
    List<String> keysAfter(Connection c, Sql sql, String migration, String cursor, int limit) {
        String q = "SELECT DISTINCT doc_key FROM " + table + " WHERE migration = ?"
                + (cursor == null ? "" : " AND doc_key > ?") + " ORDER BY doc_key LIMIT ?";
        try (PreparedStatement ps = c.prepareStatement(q)) {
            int i = 1;
            ps.setString(i++, migration);
            if (cursor != null) {
                ps.setString(i++, cursor);
            }
            ps.setInt(i, limit);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw sql.failure("cannot read the keys of " + migration + " in " + table + " (is it created?)", e);
        }
    }

    /** Deletes the migration's rows of these keys (of every run). */
    void release(Connection c, Sql sql, String migration, List<String> keys) {
        String q = "DELETE FROM " + table + " WHERE migration = ? AND doc_key IN ("
                + String.join(", ", java.util.Collections.nCopies(keys.size(), "?")) + ")";
        try (PreparedStatement ps = c.prepareStatement(q)) {
            ps.setString(1, migration);
            for (int i = 0; i < keys.size(); i++) {
                ps.setString(i + 2, keys.get(i));
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw sql.failure("cannot take documents of " + migration + " out of " + table, e);
        }
    }

    /** Deletes every row of the migration; returns how many. */
    int clear(Connection c, Sql sql, String migration) {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE migration = ?")) {
            ps.setString(1, migration);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw sql.failure("cannot clear the documents of " + migration + " in " + table, e);
        }
    }

    List<QuarantinedDocument> list(Connection c, Sql sql, String migration, int max) {
        String q = "SELECT migration, run_id, segment, doc_key, " + text + ", document, " + at + " FROM "
                + table + " WHERE migration = ? ORDER BY " + at + ", run_id, segment, doc_key";
        try (PreparedStatement ps = c.prepareStatement(q)) {
            ps.setString(1, migration);
            ps.setMaxRows(max);
            List<QuarantinedDocument> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Timestamp at = rs.getTimestamp(7);
                    out.add(new QuarantinedDocument(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), at == null ? 0 : at.getTime()));
                }
            }
            return out;
        } catch (SQLException e) {
            throw sql.failure("cannot read " + table + " (is it created?)", e);
        }
    }
}
