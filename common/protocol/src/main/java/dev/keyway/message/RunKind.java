package dev.keyway.message;

/**
 * What a run does with the rows it walks; JSON uses {@link #json()} ({@code "kind"} in a command and a task,
 * {@code "runKind"} in a status; absent means {@link #MIGRATE}).
 */
public enum RunKind {
    /** Applies {@code migrateOne} to each row and writes what it returns: the run of the component. */
    MIGRATE("migrate"),
    /**
     * Applies {@code migrateOne} to each row without writing, and records each row it would still change (a patch that
     * differs from the row, or any write through {@code ctx.db()}) in {@code keyway_verify}: {@code bin/migrate verify}.
     * It reads the application's rows without locking them.
     */
    VERIFY("verify"),
    /**
     * Applies {@code migrateOne} to just the rows the last verify recorded, each leaving {@code keyway_verify} in the
     * transaction that migrates it: {@code bin/migrate verify --fix}.
     */
    FIX("fix"),
    /**
     * Restores the rows a run with before-images changed ({@code keyway_images}) to what they were before it, each
     * exactly once, leaving a row the application changed since as it is (a conflict) unless forced:
     * {@code bin/migrate undo}. It walks the run's images, not the table.
     */
    UNDO("undo");

    private final String json;

    RunKind(String json) {
        this.json = json;
    }

    public String json() {
        return json;
    }

    /** The state of a run of this kind while it runs. */
    public MigrationState running() {
        return this == VERIFY ? MigrationState.VERIFYING : MigrationState.IN_PROGRESS;
    }

    /** The kind a JSON name stands for; null stands for {@link #MIGRATE}. */
    public static RunKind fromJson(String s) {
        if (s == null) {
            return MIGRATE;
        }
        for (RunKind k : values()) {
            if (k.json.equals(s)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown run kind '" + Excerpt.of(s, 40)
                + "': expected migrate, verify, fix or undo");
    }
}
