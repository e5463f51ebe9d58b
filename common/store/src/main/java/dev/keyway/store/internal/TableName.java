package dev.keyway.store.internal;

import dev.keyway.store.StoreException;
import java.util.ArrayList;
import java.util.List;

/**
 * A table name as a migration writes it: {@code table}, {@code schema.table}, or with quoted parts such as
 * {@code "Sales"."OrderItems"}. A quoted part may hold dots, and {@code ""} in it stands for one quote; an unquoted
 * part is used exactly as given (case-sensitive, like a quoted one: Keyway quotes every identifier it sends). A name
 * without a schema is resolved later, the way the database would ({@link TableCatalog}).
 *
 * @param written the name as the migration wrote it, for messages
 * @param schema the schema part, or null when the name has none
 * @param table the table part
 */
record TableName(String written, String schema, String table) {

    /** Parses a migration's table name; a {@link StoreException} says what is wrong with it and how to write it. */
    static TableName parse(String written) {
        List<String> parts = new ArrayList<>();
        int i = 0;
        int n = written.length();
        while (true) {
            StringBuilder part = new StringBuilder();
            if (i < n && written.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= n) {
                        throw invalid(written, "a quoted part has no closing quote");
                    }
                    char c = written.charAt(i++);
                    if (c == '"') {
                        if (i < n && written.charAt(i) == '"') {
                            part.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        part.append(c);
                    }
                }
                if (i < n && written.charAt(i) != '.') {
                    throw invalid(written, "a quoted part must be followed by a dot or end the name");
                }
            } else {
                while (i < n && written.charAt(i) != '.') {
                    char c = written.charAt(i++);
                    if (c == '"') {
                        throw invalid(written, "a quote inside an unquoted part (quote the whole part)");
                    }
                    part.append(c);
                }
            }
            if (part.length() == 0) {
                throw invalid(written, "an empty part");
            }
            parts.add(part.toString());
            if (i >= n) {
                break;
            }
            i++; // the dot
            if (i >= n) {
                throw invalid(written, "it ends with a dot");
            }
        }
        if (parts.size() > 2) {
            throw invalid(written, parts.size() + " parts (a database name cannot be given; connect to it with JDBC_URL)");
        }
        return parts.size() == 1 ? new TableName(written, null, parts.get(0))
                : new TableName(written, parts.get(0), parts.get(1));
    }

    /** The name for messages: as written, in quotes unless it has quotes of its own. */
    String describe() {
        return written.indexOf('"') >= 0 ? written : '"' + written + '"';
    }

    private static StoreException invalid(String written, String what) {
        return new StoreException("table name " + written + " is not valid: " + what + ". Write table, schema.table,"
                + " or quote parts that hold dots or quotes: \"Sales\".\"Order.Items\" (\"\" inside quotes is one quote)",
                null);
    }
}
