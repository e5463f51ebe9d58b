package dev.keyway.migration;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The user's per-document function, applied to every row of a migration's table.
 *
 * <p>It runs inside the batch's database transaction: every call on {@code ctx.db()} and the
 * returned patch commit or roll back together with the whole batch. Returning a non-null object
 * is the shorthand for {@code ctx.db().patch(ctx.table(), id, patch)}; returning {@code null}
 * changes nothing. Throwing fails the batch (it is rolled back) and the migration, with an error
 * naming the document id; running the migration again resumes from that batch.
 */
@FunctionalInterface
public interface MigrateOne {

    /**
     * @param ctx the batch's context (database access in the batch's transaction)
     * @param doc the row as a JSON object: column name to value; SQL NULL columns are absent
     * @return a patch to apply to this row, or {@code null}
     */
    ObjectNode migrateOne(MigrationContext ctx, ObjectNode doc) throws Exception;
}
