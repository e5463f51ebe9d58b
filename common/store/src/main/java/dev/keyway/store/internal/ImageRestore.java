package dev.keyway.store.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.keyway.store.RestoreOutcome;
import dev.keyway.store.RowImage;
import dev.keyway.store.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;

/** Puts one row back as its before-image says, in an undo batch's transaction ({@code BatchTransaction.restore}). */
final class ImageRestore {

    private ImageRestore() {
    }

    static RestoreOutcome restore(Connection c, Sql sql, JdbcStore store, JdbcDb db, RowImage image, boolean force) {
        TableInfo t = store.table(image.table(), c);
        JsonNode id = id(t, store.columnTypes(t, c), image.key());
        ObjectNode current = read(c, sql, t, id, true);
        ObjectNode before = image.before() == null ? null : row(image);
        String hash = current == null ? null : RowHash.of(current);
        if (Objects.equals(hash, before == null ? null : RowHash.of(before))) {
            return RestoreOutcome.RESTORED; // as it was already (restored before, or changed back): nothing to write
        }
        boolean conflict = !Objects.equals(hash, image.afterHash());
        if (conflict && !force) {
            return RestoreOutcome.CONFLICT;
        }
        if (before == null) {
            db.delete(image.table(), id);
        } else if (current == null) {
            db.insertAsItWas(t, before);
        } else {
            db.replace(image.table(), id, before);
        }
        return conflict ? RestoreOutcome.FORCED : RestoreOutcome.RESTORED;
    }

    private static ObjectNode row(RowImage image) {
        JsonNode before = Sql.parseJson(image.before(), JdbcStore.IMAGES + ".before_image");
        if (before instanceof ObjectNode row) {
            return row;
        }
        throw new StoreException("the before-image of " + image.table() + " row " + image.key() + " in "
                + JdbcStore.IMAGES + " is not a JSON object: " + ColumnValues.shown(before), null);
    }

    /** The hash of the row as it is now (not locked), or null when it is not there. */
    static String currentHash(Connection c, Sql sql, TableInfo t, TableColumns types, String key) {
        ObjectNode row = read(c, sql, t, id(t, types, key), false);
        return row == null ? null : RowHash.of(row);
    }

    /**
     * The id of a key's text ({@code Db.idText}): a composite key's JSON array as it is, a one-column key's text as a
     * value of its column's kind (a number for a number column: {@code 42}, not {@code "42"}).
     */
    static JsonNode id(TableInfo t, TableColumns types, String key) {
        if (t.isComposite()) {
            return Sql.parseJson(key, JdbcStore.IMAGES + ".doc_key");
        }
        Column column = types.get(t.key().get(0));
        Column.Kind kind = column == null ? Column.Kind.TEXT : column.kind();
        return switch (kind) {
            case INTEGER, DECIMAL, FLOAT, BOOLEAN -> ColumnValues.fromText(key, kind, column.name());
            default -> TextNode.valueOf(key);
        };
    }

    private static ObjectNode read(Connection c, Sql sql, TableInfo t, JsonNode id, boolean lock) {
        try {
            return RowsById.one(c, sql, t, id, lock);
        } catch (SQLException e) {
            throw sql.failure("cannot read row " + t.keyDescription() + "=" + id + " of " + t.describe()
                    + " to compare it with its image", e);
        }
    }
}
