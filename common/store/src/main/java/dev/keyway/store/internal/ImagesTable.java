package dev.keyway.store.internal;

import dev.keyway.message.BatchKey;
import dev.keyway.store.ImagePage;
import dev.keyway.store.ImagesOfRun;
import dev.keyway.store.RowImage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The before-images table {@code keyway_images}: one row per row a run changed (docs/CONTRACTS.md), written in the
 * transaction of the batch that changed it ({@link ImageRecorder}), walked in the order of its ids (the hash of the
 * table and the key: {@link RowHash#imageId}), and purged per run. Ids and hashes are 32 bytes in the table, hex in
 * the store's values.
 */
final class ImagesTable {

    /** The columns every dialect's {@link Dialect#recordImage} statement sets, in the order of its parameters. */
    static final String COLUMNS = "migration, run_id, image_id, segment, table_name, doc_key, op, before_image, after_hash";

    private static final HexFormat HEX = HexFormat.of();

    private ImagesTable() {
    }

    /**
     * The op of an image that meets one the run wrote before (a row changed by two batches of the run): the earlier
     * before-image stays, the later after-hash replaces the earlier.
     *
     * @param earlierBefore the SQL of the earlier row's {@code before_image}
     * @param laterAfter the SQL of the later row's {@code after_hash}
     */
    static String mergedOp(String earlierBefore, String laterAfter) {
        return "CASE WHEN " + earlierBefore + " IS NULL THEN 'insert' WHEN " + laterAfter + " IS NULL THEN 'delete'"
                + " ELSE 'update' END";
    }

    /** Writes a batch's images as one JDBC batch ({@link Dialect#recordImage}: a row the run imaged already is merged). */
    static void record(Connection c, Sql sql, BatchKey batch, Map<String, ImageRecorder.Image> images) {
        if (images.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(sql.dialect().recordImage())) {
            for (Map.Entry<String, ImageRecorder.Image> e : images.entrySet()) {
                ImageRecorder.Image image = e.getValue();
                ps.setString(1, batch.migration());
                ps.setString(2, batch.runId());
                ps.setBytes(3, idBytes(e.getKey()));
                ps.setInt(4, batch.segment());
                ps.setString(5, image.table());
                ps.setString(6, image.key());
                ps.setString(7, RowImage.Op.of(image.before() != null, image.afterHash() != null).sqlName());
                ps.setString(8, image.before());
                ps.setBytes(9, image.afterHash() == null ? null : HEX.parseHex(image.afterHash()));
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            throw sql.failure("cannot record the before-images of the batch in " + JdbcStore.IMAGES + " (is it created?)",
                    e);
        }
    }

    /** The run's images after {@code cursor} (exclusive, null = the first) up to {@code end} (inclusive, null = the last). */
    static ImagePage page(Connection c, Sql sql, String migration, String runId, String cursor, String end, int limit) {
        String q = "SELECT image_id, table_name, doc_key, op, before_image, after_hash FROM " + JdbcStore.IMAGES
                + " WHERE migration = ? AND run_id = ?" + (cursor == null ? "" : " AND image_id > ?")
                + (end == null ? "" : " AND image_id <= ?") + " ORDER BY image_id LIMIT ?";
        try (PreparedStatement ps = c.prepareStatement(q)) {
            int i = bindRun(ps, migration, runId, cursor, end);
            ps.setInt(i, limit);
            List<RowImage> images = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byte[] after = rs.getBytes(6);
                    images.add(new RowImage(HEX.formatHex(rs.getBytes(1)), rs.getString(2), rs.getString(3),
                            RowImage.Op.fromSql(rs.getString(4)), rs.getString(5), after == null ? null : HEX.formatHex(after)));
                }
            }
            String next = images.isEmpty() ? cursor : images.get(images.size() - 1).id();
            return new ImagePage(images, next, images.size() < limit);
        } catch (SQLException e) {
            throw sql.failure("cannot read the before-images of " + migration + " run " + runId + " after " + cursor
                    + " (is " + JdbcStore.IMAGES + " created?)", e);
        }
    }

    /** What one transaction of a purge deleted: how many rows, and up to which id (null: the run's last). */
    record Purged(long rows, String end) {
    }

    /** Deletes the run's next {@code chunk} images after {@code cursor} (null = from the first). */
    static Purged purgeChunk(Connection c, Sql sql, String migration, String runId, String cursor, int chunk) {
        String last = "SELECT image_id FROM " + JdbcStore.IMAGES + " WHERE migration = ? AND run_id = ?"
                + (cursor == null ? "" : " AND image_id > ?") + " ORDER BY image_id LIMIT 1 OFFSET ?";
        try {
            String end;
            try (PreparedStatement ps = c.prepareStatement(last)) {
                ps.setInt(bindRun(ps, migration, runId, cursor, null), chunk - 1);
                try (ResultSet rs = ps.executeQuery()) {
                    end = rs.next() ? HEX.formatHex(rs.getBytes(1)) : null;
                }
            }
            String delete = "DELETE FROM " + JdbcStore.IMAGES + " WHERE migration = ? AND run_id = ?"
                    + (cursor == null ? "" : " AND image_id > ?") + (end == null ? "" : " AND image_id <= ?");
            try (PreparedStatement ps = c.prepareStatement(delete)) {
                bindRun(ps, migration, runId, cursor, end);
                return new Purged(ps.executeUpdate(), end);
            }
        } catch (SQLException e) {
            throw sql.failure("cannot purge the before-images of " + migration + " run " + runId + " after " + cursor
                    + " (purge again to delete the rest)", e);
        }
    }

    /** The migration's runs with images: how many, their before-images' bytes, first and last; the oldest first. */
    static List<ImagesOfRun> runs(Connection c, Sql sql, String migration) {
        String q = "SELECT run_id, COUNT(*), SUM(COALESCE(OCTET_LENGTH(before_image), 0)), MIN(recorded_at),"
                + " MAX(recorded_at) FROM " + JdbcStore.IMAGES + " WHERE migration = ? GROUP BY run_id"
                + " ORDER BY MIN(recorded_at), run_id";
        try (PreparedStatement ps = c.prepareStatement(q)) {
            ps.setString(1, migration);
            List<ImagesOfRun> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new ImagesOfRun(rs.getString(1), rs.getLong(2), rs.getLong(3), millis(rs.getTimestamp(4)),
                            millis(rs.getTimestamp(5))));
                }
            }
            return out;
        } catch (SQLException e) {
            throw sql.failure("cannot list the before-images of " + migration + " (is " + JdbcStore.IMAGES
                    + " created?)", e);
        }
    }

    /** Binds the migration, the run and the range's ends that are given, from parameter 1; returns the next index. */
    private static int bindRun(PreparedStatement ps, String migration, String runId, String cursor, String end)
            throws SQLException {
        int i = 1;
        ps.setString(i++, migration);
        ps.setString(i++, runId);
        if (cursor != null) {
            ps.setBytes(i++, idBytes(cursor));
        }
        if (end != null) {
            ps.setBytes(i++, idBytes(end));
        }
        return i;
    }

    /** An image id's hex as its 32 bytes; an {@link IllegalArgumentException} for anything else. */
    static byte[] idBytes(String hex) {
        if (hex.length() != RowImage.HASH_HEX_DIGITS) {
            throw new IllegalArgumentException("an image cursor must be " + RowImage.HASH_HEX_DIGITS
                    + " hex digits (an image's id), but was " + hex);
        }
        return HEX.parseHex(hex);
    }

    private static long millis(Timestamp t) {
        return t == null ? 0 : t.getTime();
    }
}
