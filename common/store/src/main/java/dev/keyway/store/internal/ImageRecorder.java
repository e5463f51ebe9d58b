package dev.keyway.store.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.message.BatchKey;
import dev.keyway.migration.Db;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The before-images of one batch ({@code BatchTransaction.keepImages}): one per table and key the batch changed, with
 * the row as the batch's first change found it and the hash of the row as its last change left it, kept in memory and
 * written to {@code keyway_images} when the batch commits ({@link #flush}). Keys are the rows' own ({@link Db#idText}
 * of the id read back), never the ids a migration passed, so that two forms of one id are one image. A row whose
 * change left it as it was (the same hash) gets no image. Methods are synchronized: {@code ctx.db()} calls of
 * {@code parallelize} share the batch's connection.
 */
final class ImageRecorder {

    /** A row's image so far: {@code before} is null when the row was not there, {@code afterHash} when it is gone. */
    record Image(String table, String key, String before, String afterHash) {
    }

    /** A row as read before a change: its JSON and its hash. */
    record Before(String json, String hash) {
        static Before of(ObjectNode row) {
            return row == null ? null : new Before(Sql.jsonText(row), RowHash.of(row));
        }
    }

    private final BatchKey batch;
    private final Connection connection;
    private final Sql sql;
    /** By image id ({@link RowHash#imageId}), in the order captured. */
    private final Map<String, Image> images = new LinkedHashMap<>();
    /** The rows of the walk's table the batch read and locked, by key: the before-images of the patched ones. */
    private final Map<String, Before> page = new HashMap<>();
    private String pageTable;
    /** The images as they were at the savepoint, of those changed since (null: none then). */
    private final Map<String, Image> atSavepoint = new HashMap<>();

    ImageRecorder(BatchKey batch, Connection connection, Sql sql) {
        this.batch = batch;
        this.connection = connection;
        this.sql = sql;
    }

    /** Keeps the rows of a page the batch read and locked, as the before-images of those it will patch. */
    synchronized void rememberPage(TableInfo t, List<ObjectNode> rows) {
        pageTable = t.sqlName();
        for (ObjectNode row : rows) {
            page.put(Db.idText(t.idOf(row)), Before.of(row));
        }
    }

    /** Reads and locks the row a single write is about to change ({@code ctx.db()}); null when it is not there. */
    synchronized ObjectNode lock(TableInfo t, JsonNode id) {
        return readOne(t, id, true);
    }

    /** After a single write of the row {@code id}: reads it back and records its image (before: {@link #lock}'s row). */
    synchronized void written(TableInfo t, JsonNode id, ObjectNode before) {
        ObjectNode after = readOne(t, id, false);
        ObjectNode any = after != null ? after : before;
        if (any != null) {
            record(t, Db.idText(t.idOf(any)), Before.of(before), after);
        }
    }

    /**
     * The before-images of the rows {@code patchAll} is about to update, by key: the page's rows, and the others read
     * and locked in one statement.
     */
    synchronized Map<String, Before> beforePatches(TableInfo t, List<JsonNode> ids) {
        Map<String, Before> out = new HashMap<>();
        List<JsonNode> unread = new ArrayList<>();
        for (JsonNode id : ids) {
            Before known = t.sqlName().equals(pageTable) ? page.get(keyText(t, id)) : null;
            if (known != null) {
                out.put(keyText(t, id), known);
            } else {
                unread.add(id);
            }
        }
        if (!unread.isEmpty()) {
            rows(t, unread, true).forEach((key, row) -> out.put(key, Before.of(row)));
        }
        return out;
    }

    /** After {@code patchAll} updated the rows {@code ids}: reads them back in one statement and records their images. */
    synchronized void patched(TableInfo t, List<JsonNode> ids, Map<String, Before> before) {
        Map<String, ObjectNode> after = rows(t, ids, false);
        Set<String> keys = new LinkedHashSet<>(before.keySet());
        keys.addAll(after.keySet());
        for (String key : keys) {
            record(t, key, before.get(key), after.get(key));
        }
    }

    /** The first before-image and the last after-hash of each row; nothing for a row left as it was. */
    private void record(TableInfo t, String key, Before before, ObjectNode after) {
        String afterHash = after == null ? null : RowHash.of(after);
        String id = RowHash.imageId(t.sqlName(), key);
        Image old = images.get(id);
        if (old == null) {
            if (before == null ? after == null : before.hash().equals(afterHash)) {
                return;
            }
            atSavepoint.putIfAbsent(id, null);
            images.put(id, new Image(t.sqlName(), key, before == null ? null : before.json(), afterHash));
        } else if (!Objects.equals(old.afterHash(), afterHash)) {
            if (!atSavepoint.containsKey(id)) {
                atSavepoint.put(id, old);
            }
            images.put(id, new Image(old.table(), old.key(), old.before(), afterHash));
        }
    }

    /** The images as they are now are what {@link #rollbackToSavepoint} goes back to. */
    synchronized void savepoint() {
        atSavepoint.clear();
    }

    /** Forgets what was captured since {@link #savepoint} (the database undid those writes). */
    synchronized void rollbackToSavepoint() {
        atSavepoint.forEach((id, image) -> {
            if (image == null) {
                images.remove(id);
            } else {
                images.put(id, image);
            }
        });
        atSavepoint.clear();
    }

    /** Writes the images to {@code keyway_images}, in the batch's transaction (before it commits). */
    synchronized void flush() {
        ImagesTable.record(connection, sql, batch, images);
    }

    /** The images so far, by id (for tests). */
    synchronized Map<String, Image> images() {
        return Map.copyOf(images);
    }

    /** An id's text as a row's key reads: a composite id given as an object becomes its array. */
    private static String keyText(TableInfo t, JsonNode id) {
        return t.isComposite() && id instanceof ObjectNode named ? Db.idText(Db.idOf(t.key(), named)) : Db.idText(id);
    }

    private ObjectNode readOne(TableInfo t, JsonNode id, boolean lock) {
        try {
            return RowsById.one(connection, sql, t, id, lock);
        } catch (SQLException e) {
            throw readFailure(t, lock, e);
        }
    }

    private Map<String, ObjectNode> rows(TableInfo t, List<JsonNode> ids, boolean lock) {
        try {
            return RowsById.read(connection, sql, t, ids, lock);
        } catch (SQLException e) {
            throw readFailure(t, lock, e);
        }
    }

    private RuntimeException readFailure(TableInfo t, boolean lock, SQLException e) {
        return sql.failure("cannot read the " + (lock ? "before-images" : "after-images") + " of rows of " + t.describe()
                + " (the batch keeps before-images)", e);
    }
}
