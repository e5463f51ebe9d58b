package com.example.migrations;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.migration.Migration;
import dev.keyway.migration.MigrationContext;
import dev.keyway.migration.MigrationProvider;
import java.util.List;
import java.util.Locale;

/** This jar's migrations, found through META-INF/services/dev.keyway.migration.MigrationProvider. */
public final class UserMigrations implements MigrationProvider {

    /**
     * Fills {@code users.email_lower} from {@code email} and adds one to the row's {@code version}, as the
     * application does on every write (its optimistic locking then sees the change).
     */
    public static final Migration LOWERCASE_EMAIL =
            Migration.define("users.lowercaseEmail", "users", UserMigrations::lowercaseEmail);

    @Override
    public List<Migration> migrations() {
        return List.of(LOWERCASE_EMAIL);
    }

    static ObjectNode lowercaseEmail(MigrationContext ctx, ObjectNode user) {
        if (!user.hasNonNull("email")) {
            return null; // a NULL column is absent from the document; null changes nothing
        }
        return ctx.newObject()
                .put("email_lower", user.get("email").asText().toLowerCase(Locale.ROOT))
                .put("version", user.get("version").asInt() + 1);
    }
}
