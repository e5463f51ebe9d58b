package dev.keyway.message;

/** The component's migration states; JSON uses {@link #json()}. */
public enum MigrationState {
    IN_PROGRESS("inProgress"),
    /** Stopped by {@code pause} after its batches in flight; {@code resume} goes on from each segment's cursor. */
    PAUSED("paused"),
    SUCCESS("success"),
    FAILED("failed"),
    CANCELED("canceled"),
    UNKNOWN("unknown"),
    /** A verify runs ({@link RunKind#VERIFY}): the migration's run succeeded, and its rows are being checked. */
    VERIFYING("verifying"),
    /** The last verify walked every row and found none that {@code migrateOne} would still change. */
    VERIFIED("verified"),
    /**
     * The last verify found rows that {@code migrateOne} would still change ({@code verify --fix} migrates them), or
     * could not finish (an error, a cancel): {@code error} says which; {@code verify} resumes an unfinished one.
     */
    VERIFY_FAILED("verifyFailed");

    private final String json;

    MigrationState(String json) {
        this.json = json;
    }

    public String json() {
        return json;
    }

    /** Whether a run of this state goes on: its segments get tasks (a migrating run, a verify). */
    public boolean running() {
        return this == IN_PROGRESS || this == VERIFYING;
    }

    public static MigrationState fromJson(String s) {
        for (MigrationState st : values()) {
            if (st.json.equals(s)) {
                return st;
            }
        }
        throw new IllegalArgumentException("unknown migration state '" + s
                + "': expected inProgress, paused, success, failed, canceled, unknown,"
                + " verifying, verified or verifyFailed");
    }
}
