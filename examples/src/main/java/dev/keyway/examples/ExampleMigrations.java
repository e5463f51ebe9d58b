package dev.keyway.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.migration.CustomRange;
import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationProvider;
import java.util.List;

/**
 * The reference migration patterns, over the tables of {@link ExampleSchema}. Registered through
 * {@code META-INF/services/dev.keyway.migration.MigrationProvider}, as a user's own jar would be.
 */
public final class ExampleMigrations implements MigrationProvider {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** users.role := "user" where it is missing. */
    public static final Migration SET_DEFAULT_VALUE = Migration.define("setDefaultValue", "users",
            (ctx, user) -> user.has("role") ? null : ctx.newObject().put("role", "user"));

    /** The shorthand: return a patch; a JSON null clears the column (users.nickname). */
    public static final Migration CLEAR_FIELD = Migration.define("clearField", "users",
            (ctx, user) -> ctx.newObject().putNull("nickname"));

    /** Only the rows whose indexed requiredField is empty (customRange over an index). */
    public static final Migration VALIDATE_REQUIRED_FIELD = Migration.define("validateRequiredField", "users",
                    (ctx, user) -> ctx.newObject().put("requiredField", "<unknown>"))
            .withCustomRange(CustomRange.eq("requiredField", ""));

    /** teams.isPro boolean becomes plan "pro" / "basic"; isPro is cleared. */
    public static final Migration CONVERT_TO_ENUM = Migration.define("convertToEnum", "teams", (ctx, team) -> {
        if (team.has("plan")) {
            return null;
        }
        ObjectNode patch = ctx.newObject().put("plan", team.path("isPro").asBoolean(false) ? "pro" : "basic");
        return patch.putNull("isPro");
    });

    /** users.preferences (JSON text) becomes a row of userPreferences; idempotent. */
    public static final Migration EXTRACT_PREFERENCES = Migration.define("extractPreferences", "users",
            (ctx, user) -> {
                if (!user.has("preferences")) {
                    return null;
                }
                JsonNode id = ctx.id(user);
                if (ctx.db().query("userPreferences").eq("userId", id).first().isEmpty()) {
                    ObjectNode row = ctx.newObject();
                    row.set("userId", id);
                    row.setAll((ObjectNode) JSON.readTree(user.get("preferences").asText()));
                    ctx.db().insert("userPreferences", row);
                }
                return ctx.newObject().putNull("preferences");
            }).withBatchSize(200);

    /** Deletes embeddings that no chunk references. */
    public static final Migration DELETE_ORPHANED_EMBEDDINGS = Migration.define("deleteOrphanedEmbeddings", "embeddings",
            (ctx, doc) -> {
                if (ctx.db().query("chunks").eq("embeddingId", ctx.id(doc)).first().isEmpty()) {
                    ctx.db().delete("embeddings", ctx.id(doc));
                }
                return null;
            });

    /** The demo series, in order. */
    public static final List<Migration> SERIES = List.of(SET_DEFAULT_VALUE, CLEAR_FIELD, VALIDATE_REQUIRED_FIELD,
            CONVERT_TO_ENUM, EXTRACT_PREFERENCES, DELETE_ORPHANED_EMBEDDINGS);

    @Override
    public List<Migration> migrations() {
        return SERIES;
    }
}
