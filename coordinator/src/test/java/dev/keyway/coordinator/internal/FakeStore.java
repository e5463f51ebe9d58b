package dev.keyway.coordinator.internal;

import dev.keyway.store.BatchTransaction;
import dev.keyway.store.Store;
import dev.keyway.store.TableWalk;
import java.util.ArrayList;
import java.util.List;

/** A store of {@code rows} rows with ids 1..rows, for planning only. */
class FakeStore implements Store {
    private final long rows;

    FakeStore(long rows) {
        this.rows = rows;
    }

    @Override
    public void ensureLedger() {
    }

    @Override
    public BatchTransaction begin(TableWalk walk) {
        throw new UnsupportedOperationException("the coordinator never runs batches");
    }

    @Override
    public long countRows(TableWalk walk) {
        return rows;
    }

    @Override
    public List<String> splitPoints(TableWalk walk, long rows, int segments) {
        List<String> points = new ArrayList<>();
        for (int k = 1; k < segments; k++) {
            points.add("[" + (k * rows / segments) + "]");
        }
        return points;
    }

    @Override
    public String describe() {
        return "fake";
    }

    @Override
    public void close() {
    }
}
