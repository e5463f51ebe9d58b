package dev.keyway.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.message.BatchKey;
import dev.keyway.migration.Db;
import dev.keyway.store.BatchTransaction;
import dev.keyway.store.LedgerEntry;
import dev.keyway.store.Page;
import dev.keyway.store.RejectedValueException;
import dev.keyway.store.RunFence;
import dev.keyway.store.SegmentFence;
import dev.keyway.store.Store;
import dev.keyway.store.StoreException;
import dev.keyway.store.TableWalk;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * An in-memory store of one table {@code items(id, counter)} with ids 1..n, a fence and a ledger. A
 * transaction works on copies and publishes them on commit; {@link #failReadsWith} makes page reads throw.
 */
final class FakeStore implements Store {

    final TreeMap<Long, ObjectNode> rows = new TreeMap<>();
    final Map<String, SegmentFence> fences = new HashMap<>();
    final Map<BatchKey, LedgerEntry> ledger = new HashMap<>();
    int commits;
    int abandoned;
    private Supplier<RuntimeException> readFailure;
    /** A patch holding this text fails as a value the database refuses (see {@link #refuseValue}). */
    private String refusedValue;
    private int failOver;

    FakeStore(int n) {
        for (long id = 1; id <= n; id++) {
            rows.put(id, JsonNodeFactory.instance.objectNode().put("id", id).put("counter", 0));
        }
    }

    void failReadsWith(Supplier<RuntimeException> failure) {
        failReadsOver(0, failure);
    }

    /** Page reads of more than {@code rows} rows throw. */
    /** Page reads of more than {@code rows} rows throw what {@code failure} gives (none when it gives null). */
    void failReadsOver(int rows, Supplier<RuntimeException> failure) {
        this.readFailure = failure;
        this.failOver = rows;
    }

    /** Patches whose JSON contains {@code text} fail like a value a column cannot take. */
    void refuseValue(String text) {
        this.refusedValue = text;
    }

    void fence(String migration, int segment, SegmentFence f) {
        fences.put(migration + "/" + segment, f);
    }

    @Override
    public void ensureBookkeeping() {
    }

    @Override
    public RunFence writeFence(RunFence fence) {
        throw new UnsupportedOperationException("workers never write fences");
    }

    @Override
    public RunFence writeFence(RunFence fence, dev.keyway.store.CoordinatorEpoch epoch) {
        throw new UnsupportedOperationException("workers never write fences");
    }

    @Override
    public dev.keyway.store.CoordinatorEpoch takeOver(String group) {
        throw new UnsupportedOperationException("workers never take over");
    }

    @Override
    public java.util.Optional<RunFence> readFence(String migration) {
        throw new UnsupportedOperationException("workers never read a whole fence");
    }

    @Override
    public List<LedgerEntry> followLedger(BatchKey start, String until, int max) {
        List<LedgerEntry> chain = new ArrayList<>();
        LedgerEntry e = ledger.get(start);
        while (e != null && chain.size() < max) {
            chain.add(e);
            if (e.done() || java.util.Objects.equals(e.nextCursor(), until)) {
                break;
            }
            e = ledger.get(new BatchKey(start.migration(), start.runId(), start.segment(), e.nextCursor()));
        }
        return chain;
    }

    @Override
    public BatchTransaction begin(TableWalk walk) {
        return new Tx();
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
        return rows.size();
    }

    @Override
    public List<String> splitPoints(TableWalk walk, long rows, int segments) {
        return List.of();
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

    private final class Tx implements BatchTransaction {
        private final Map<Long, ObjectNode> patched = new HashMap<>();
        private final Map<String, SegmentFence> fenceChanges = new HashMap<>();
        private final List<LedgerEntry> entries = new ArrayList<>();

        @Override
        public List<String> primaryKey() {
            return List.of("id");
        }

        @Override
        public Optional<SegmentFence> lockFence(String migration, int segment) {
            return Optional.ofNullable(fences.get(migration + "/" + segment));
        }

        @Override
        public void advanceFence(String migration, int segment, String position, boolean done) {
            SegmentFence f = fences.get(migration + "/" + segment);
            fenceChanges.put(migration + "/" + segment, new SegmentFence(f.runId(), position, f.end(), f.batchSize(),
                    done ? SegmentFence.State.DONE : f.state()));
        }

        @Override
        public Optional<LedgerEntry> findLedger(BatchKey key) {
            return Optional.ofNullable(ledger.get(key));
        }

        @Override
        public Page readPage(String cursor, String end, int limit) {
            if (readFailure != null && limit > failOver) {
                RuntimeException failure = readFailure.get();
                if (failure != null) {
                    throw failure;
                }
            }
            long after = cursor == null ? Long.MIN_VALUE : Long.parseLong(cursor.replaceAll("[\\[\\]]", ""));
            List<ObjectNode> page = new ArrayList<>();
            for (ObjectNode row : rows.tailMap(after, false).values()) {
                if (page.size() == limit) {
                    break;
                }
                page.add(row.deepCopy());
            }
            return new Page(page, page.isEmpty() ? cursor : cursorOf(page.get(page.size() - 1)), page.size() < limit);
        }

        private static String cursorOf(ObjectNode doc) {
            return "[" + doc.get("id").asLong() + "]";
        }

        @Override
        public Map<String, ObjectNode> readByIds(List<JsonNode> ids) {
            Map<String, ObjectNode> out = new HashMap<>();
            for (JsonNode id : ids) {
                ObjectNode row = patched.getOrDefault(id.asLong(), rows.get(id.asLong()));
                out.put(id.asText(), row);
            }
            return out;
        }

        /** None: the migrations of these tests only return patches. */
        @Override
        public Db db() {
            return null;
        }

        @Override
        public void patchAll(Map<JsonNode, ObjectNode> patches) {
            patches.forEach((id, patch) -> {
                if (refusedValue != null && patch.toString().contains(refusedValue)) {
                    throw new RejectedValueException("cannot write document id=" + id.asText() + " of items: the"
                            + " database refused the patch " + patch, id.asText(), null);
                }
                ObjectNode row = rows.get(id.asLong()).deepCopy();
                row.setAll(patch);
                patched.put(id.asLong(), row);
            });
        }

        @Override
        public boolean recordLedger(LedgerEntry entry) {
            if (ledger.containsKey(entry.key())) {
                return false;
            }
            entries.add(entry);
            return true;
        }

        @Override
        public void commit() {
            rows.putAll(patched);
            fences.putAll(fenceChanges);
            entries.forEach(e -> ledger.put(e.key(), e));
            commits++;
        }

        @Override
        public void abandon() {
            abandoned++;
        }

        @Override
        public void close() {
        }
    }

    /** A store error that needs a fix, for tests that check it ends a batch. */
    static StoreException broken(String message) {
        return new StoreException(message, null);
    }
}
