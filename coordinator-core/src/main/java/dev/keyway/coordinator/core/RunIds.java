package dev.keyway.coordinator.core;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * Where the ids of new runs, dry runs and plans come from: the {@code issued}-th id of a {@code seed} the shell drew
 * at random ({@link Input.TookOver}) is a name-based UUID of both, so that the same state gives the same ids and two
 * coordinators (two seeds) never give the same one.
 */
public record RunIds(String seed, long issued) {

    public RunIds {
        Objects.requireNonNull(seed, "seed must not be null");
        if (issued < 0) {
            throw new IllegalArgumentException("issued must be 0 or more, but was " + issued);
        }
    }

    public static RunIds from(String seed) {
        return new RunIds(seed, 0);
    }

    /** The next id (a UUID's text, as run ids always were). */
    String id() {
        return UUID.nameUUIDFromBytes((seed + "/" + issued).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The ids after {@link #id()} was taken. */
    RunIds next() {
        return new RunIds(seed, issued + 1);
    }
}
