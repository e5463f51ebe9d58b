package dev.keyway.message;

/** The component's migration states; JSON uses {@link #json()}. */
public enum MigrationState {
    IN_PROGRESS("inProgress"),
    /** Stopped by {@code pause} after its batches in flight; {@code resume} goes on from each segment's cursor. */
    PAUSED("paused"),
    SUCCESS("success"),
    FAILED("failed"),
    CANCELED("canceled"),
    UNKNOWN("unknown");

    private final String json;

    MigrationState(String json) {
        this.json = json;
    }

    public String json() {
        return json;
    }

    public static MigrationState fromJson(String s) {
        for (MigrationState st : values()) {
            if (st.json.equals(s)) {
                return st;
            }
        }
        throw new IllegalArgumentException("unknown migration state '" + s
                + "': expected inProgress, paused, success, failed, canceled or unknown");
    }
}
