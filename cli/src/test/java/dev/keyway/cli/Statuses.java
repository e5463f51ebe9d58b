package dev.keyway.cli;

import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.SegmentStatus;
import java.util.ArrayList;
import java.util.List;

/** Statuses for the live views' tests: a run of {@code total} rows in {@code segments}, started 10 s before NOW. */
final class Statuses {

    static final long NOW = 1_800_000_000_000L;
    static final long STARTED = NOW - 10_000;

    private Statuses() {
    }

    /** {@code processed} rows of {@code total} over {@code segments} segments, {@code done} of them done. */
    static MigrationStatus running(String name, long processed, long total, int segments, int done) {
        List<SegmentStatus> segs = new ArrayList<>();
        for (int i = 0; i < segments; i++) {
            long share = processed / segments + (i == 0 ? processed % segments : 0);
            segs.add(new SegmentStatus(i, null, null, null, share, i < done, null));
        }
        return MigrationStatus.unknown(name, 100).change().state(MigrationState.IN_PROGRESS).latestStart(STARTED)
                .total(total).updatedAt(NOW).build().withSegments(segs);
    }

    static MigrationStatus in(MigrationStatus s, MigrationState state, long at) {
        return s.withState(state, state == MigrationState.FAILED ? "batch at [42] failed: boom\n\tdetail" : null,
                state == MigrationState.IN_PROGRESS || state == MigrationState.PAUSED ? null : at).withUpdatedAt(at);
    }
}
