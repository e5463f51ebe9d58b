package dev.keyway.store.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * The columns of one table by name, with the types a patch's values are written as. Read from the metadata of an
 * empty {@code SELECT *}, so a column is described exactly as it is when a page is read (a domain as its base type).
 */
final class TableColumns {

    private final Map<String, Column> byName;

    private TableColumns(Map<String, Column> byName) {
        this.byName = byName;
    }

    /**
     * Reads the columns of the table named {@code sqlName} (qualified and quoted, {@link TableInfo#sqlName}) on
     * {@code c} (in the caller's transaction; nothing is locked).
     */
    static TableColumns read(Connection c, String sqlName, Dialect dialect) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT * FROM " + sqlName + " WHERE 1 = 0")) {
            Map<String, Column> columns = new HashMap<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                Column column = dialect.column(rs.getMetaData(), i);
                columns.put(column.name(), column);
            }
            return new TableColumns(Map.copyOf(columns));
        }
    }

    /** The column, or null when the table has no column of that name (the statement then fails naming it). */
    Column get(String name) {
        return byName.get(name);
    }
}
