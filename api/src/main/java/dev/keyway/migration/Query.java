package dev.keyway.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * An equality query over one table, ordered by primary key (Convex {@code withIndex(.., q => q.eq(..))}).
 * Each {@link #eq} returns a new query; the receiver is unchanged.
 */
public interface Query {

    /** A query that also requires {@code column = value}. */
    Query eq(String column, JsonNode value);

    /** Convenience for text values. */
    Query eq(String column, String value);

    /** The first matching document, if any. */
    Optional<ObjectNode> first();

    /** Up to {@code n} matching documents. */
    List<ObjectNode> take(int n);
}
