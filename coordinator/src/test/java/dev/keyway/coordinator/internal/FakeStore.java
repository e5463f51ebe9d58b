package dev.keyway.coordinator.internal;

import dev.keyway.message.BatchKey;
import dev.keyway.store.BatchTransaction;
import dev.keyway.store.LedgerEntry;
import dev.keyway.store.RunFence;
import dev.keyway.store.Store;
import dev.keyway.store.TableWalk;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A store of {@code rows} rows with ids 1..rows, for planning only; its fences are what {@link #fenced} put there. */
public class FakeStore implements Store {
    private final long rows;
    private final java.util.Map<String, RunFence> fences = new java.util.HashMap<>();

    public FakeStore(long rows) {
        this.rows = rows;
    }

    @Override
    public void ensureBookkeeping() {
    }

    @Override
    public RunFence writeFence(RunFence fence) {
        throw new UnsupportedOperationException("the state machine only asks for fences");
    }

    @Override
    public RunFence writeFence(RunFence fence, dev.keyway.store.CoordinatorEpoch epoch) {
        throw new UnsupportedOperationException("the state machine only asks for fences");
    }

    @Override
    public dev.keyway.store.CoordinatorEpoch takeOver(String group) {
        throw new UnsupportedOperationException("the state machine never takes over");
    }

    /** The fence the database holds for its migration from now on, as if the coordinator had written it. */
    public void fenced(RunFence fence) {
        fences.put(fence.migration(), fence);
    }

    @Override
    public Optional<RunFence> readFence(String migration) {
        return Optional.ofNullable(fences.get(migration)).filter(f -> !f.segments().isEmpty());
    }

    @Override
    public java.util.List<LedgerEntry> followLedger(BatchKey start, String until, int max) {
        throw new UnsupportedOperationException("the state machine never reads the ledger");
    }

    @Override
    public BatchTransaction begin(TableWalk walk) {
        throw new UnsupportedOperationException("the coordinator never runs batches");
    }

    @Override
    public void checkWalk(TableWalk walk, java.util.List<String> cursors) {
    }

    @Override
    public java.util.List<String> keyColumns(TableWalk walk) {
        return java.util.List.of("id");
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
    public long replicaLagBytes() {
        return 0;
    }

    @Override
    public String databaseId() {
        return "fake-database";
    }

    @Override
    public long lockWaitMillis() {
        return 0;
    }

    @Override
    public long readNumber(String sql) {
        return 0;
    }

    @Override
    public String describe() {
        return "fake";
    }

    @Override
    public void close() {
    }
}
