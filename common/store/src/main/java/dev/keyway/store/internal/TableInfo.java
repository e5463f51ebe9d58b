package dev.keyway.store.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.migration.Db;
import dev.keyway.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A table's resolved name, primary key and columns, read once from the database's catalog ({@link TableCatalog}).
 *
 * <p>A document's id: for a one-column key, the key's value; for a composite key, the JSON array of the key's
 * values in key order ({@code [3, 17]}). Where an id comes in ({@code ctx.db()}), a composite key's id may also be
 * an object naming every key column ({@code {"actor_id": 3, "film_id": 17}}).
 *
 * @param name how the migration wrote it
 * @param schema the schema it resolved to
 * @param table the table's own name in that schema
 * @param key the primary key's columns, in key order (at least one)
 * @param columns every column, in table order
 * @param generated the columns the database computes and refuses to take a value for: {@code GENERATED ALWAYS AS
 *     (..) STORED} and {@code GENERATED ALWAYS AS IDENTITY} (but not {@code BY DEFAULT})
 */
record TableInfo(TableName name, String schema, String table, List<String> key, List<String> columns,
                 Set<String> generated) {

    TableInfo {
        key = List.copyOf(key);
        columns = List.copyOf(columns);
        generated = Set.copyOf(generated);
    }

    /** The qualified, quoted name every statement uses. */
    String sqlName() {
        return Sql.quote(schema) + "." + Sql.quote(table);
    }

    /** The table for messages, as the migration wrote it. */
    String describe() {
        return name.describe();
    }

    boolean isComposite() {
        return key.size() > 1;
    }

    /** The key's columns for messages: {@code id}, or {@code (actor_id, film_id)}. */
    String keyDescription() {
        return isComposite() ? "(" + String.join(", ", key) + ")" : key.get(0);
    }

    /** The document's id (see the class comment); null when the document lacks a key column. */
    JsonNode idOf(ObjectNode doc) {
        return Db.idOf(key, doc);
    }

    /**
     * The key's values, in key order, of an id given as a value (one-column key), an array of the key's values or
     * an object with every key column (composite key); a {@link StoreException} says which form the table takes.
     */
    List<JsonNode> keyValues(JsonNode id) {
        if (id == null || id.isNull() || id.isMissingNode()) {
            throw badId(id, "no id");
        }
        if (!isComposite()) {
            if (id.isContainerNode()) {
                throw badId(id, "an array or object where the value of " + key.get(0) + " belongs");
            }
            return List.of(id);
        }
        List<JsonNode> values = new ArrayList<>(key.size());
        if (id.isArray() && id.size() == key.size()) {
            id.forEach(values::add);
        } else if (id.isObject()) {
            for (String c : key) {
                JsonNode v = id.get(c);
                if (v == null) {
                    throw badId(id, "no " + c);
                }
                values.add(v);
            }
        } else {
            throw badId(id, "not an array of " + key.size() + " values or an object with every key column");
        }
        return values;
    }

    /** {@code "k1" = ? AND "k2" = ?}: one row by its key, bound with {@link #keyValues}. */
    String keyCondition() {
        return key.stream().map(c -> Sql.quote(c) + " = ?").collect(Collectors.joining(" AND "));
    }

    /**
     * Throws when {@code columns} names a generated column: the database computes it, a write cannot set it.
     *
     * @param what the write, for the message ("the patch of document id=3")
     * @param outcome what became of the work, appended to the message ("the batch was rolled back")
     */
    void refuseGenerated(Iterable<String> columns, String what, String outcome) {
        for (String c : columns) {
            if (generated.contains(c)) {
                throw new StoreException(what + " of " + describe() + " sets column " + c + ", which the database"
                        + " generates (GENERATED ALWAYS): leave it out, the database computes it; " + outcome, null);
            }
        }
    }

    private StoreException badId(JsonNode id, String what) {
        String form = isComposite()
                ? "a JSON array of the values of " + keyDescription() + " in that order, or an object with each of them"
                : "the value of " + key.get(0);
        return new StoreException("id " + id + " does not address a row of " + describe() + " (" + what + "): its id is "
                + form, null);
    }
}
