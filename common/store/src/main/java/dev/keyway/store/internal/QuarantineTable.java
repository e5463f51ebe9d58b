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
 * The quarantine table {@code keyway_quarantine}: one row per document a run set aside, written in the transaction of
 * the batch that met it (with its ledger row), so a replayed batch writes none.
 */
final class QuarantineTable {

    private QuarantineTable() {
    }

    static void record(Connection c, Sql sql, List<QuarantinedDocument> documents) {
        if (documents.isEmpty()) {
            return;
        }
        String q = "INSERT INTO " + JdbcStore.QUARANTINE
                + " (migration, run_id, segment, doc_key, error, document) VALUES (?, ?, ?, ?, ?, ?)";
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
            throw sql.failure("cannot record quarantined documents in " + JdbcStore.QUARANTINE, e);
        }
    }

    /** The document's JSON, or when longer than the bound a JSON string of its beginning (still JSON). */
    static String bounded(String json) {
        if (json == null || json.length() <= QuarantinedDocument.MAX_DOCUMENT) {
            return json;
        }
        return JsonNodeFactory.instance.textNode(Excerpt.of(json, QuarantinedDocument.MAX_DOCUMENT / 2)).toString();
    }

    static List<QuarantinedDocument> list(Connection c, Sql sql, String migration, int max) {
        String q = "SELECT migration, run_id, segment, doc_key, error, document, quarantined_at FROM "
                + JdbcStore.QUARANTINE + " WHERE migration = ? ORDER BY quarantined_at, run_id, segment";
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
            throw sql.failure("cannot read " + JdbcStore.QUARANTINE + " (is it created?)", e);
        }
    }
}
