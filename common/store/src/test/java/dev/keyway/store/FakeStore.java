package dev.keyway.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyway.message.BatchKey;
import dev.keyway.migration.Db;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * An in-memory {@link Store} for the unit tests of the store's users (the batch path, the coordinator), shipped in the
 * store's test jar ({@code keyway-store:tests}). It holds one table {@code items(id, counter)} with ids 1 to
 * {@code rows} and every counter 0 (made as they are read: a million rows cost nothing until a batch changes one), a
 * fence, a ledger, the coordinators' epochs and before-images (hashed as the row's JSON text, not as the JDBC store
 * hashes). A batch's transaction works on copies and publishes them on commit.
 * Planning sees the rows counted and split points at every {@code rows / segments}-th id; the health readings are 0.
 * Subclass it to change one answer. Not thread-safe beyond what one batch at a time needs.
 */
public class FakeStore implements Store {

    private final long rows;
    /** The rows a committed batch changed; the others are as made. */
    private final TreeMap<Long, ObjectNode> written = new TreeMap<>();
    /** Fence rows by "migration/segment", as the coordinator wrote them and batches moved them. */
    private final Map<String, SegmentFence> fences = new HashMap<>();
    private final Map<BatchKey, LedgerEntry> ledger = new HashMap<>();
    private final Map<String, Long> epochs = new HashMap<>();
    private final List<QuarantinedDocument> quarantine = new ArrayList<>();
    private final List<QuarantinedDocument> found = new ArrayList<>();
    private final List<QuarantinedDocument> conflicts = new ArrayList<>();
    /** Before-images by "migration/run", each run's by image id (in id order). */
    private final Map<String, TreeMap<String, RowImage>> images = new HashMap<>();
    private int commits;
    private int abandoned;
    private Supplier<RuntimeException> readFailure;
    private int failOver;
    /** A patch holding this text fails as a value the database refuses (see {@link #refuseValue}). */
    private String refusedValue;

    public FakeStore(long rows) {
        this.rows = rows;
    }

    // --- what a test sets up and looks at

    /** The table's rows in id order, as the committed batches left them. */
    public List<ObjectNode> rows() {
        List<ObjectNode> all = new ArrayList<>();
        for (long id = 1; id <= rows; id++) {
            all.add(row(id));
        }
        return all;
    }

    /** Sets one fence row, as if the coordinator had written it. */
    public void fence(String migration, int segment, SegmentFence fence) {
        fences.put(migration + "/" + segment, fence);
    }

    /** The fence row of a segment as it stands; null when there is none. */
    public SegmentFence fence(String migration, int segment) {
        return fences.get(migration + "/" + segment);
    }

    /** Every committed ledger entry, by its batch. */
    public Map<BatchKey, LedgerEntry> ledger() {
        return Collections.unmodifiableMap(ledger);
    }

    /** Every committed quarantined document, in the order they were recorded. */
    public List<QuarantinedDocument> quarantine() {
        return Collections.unmodifiableList(quarantine);
    }

    /** Every committed verify finding, in the order they were recorded. */
    public List<QuarantinedDocument> verifyFindings() {
        return Collections.unmodifiableList(found);
    }

    /** How many batch transactions committed. */
    public int commits() {
        return commits;
    }

    /** How many batch transactions were abandoned (past their deadline). */
    public int abandoned() {
        return abandoned;
    }

    /** Page reads throw what {@code failure} gives. */
    public void failReadsWith(Supplier<RuntimeException> failure) {
        failReadsOver(0, failure);
    }

    /** Page reads of more than {@code rows} rows throw what {@code failure} gives (none when it gives null). */
    public void failReadsOver(int rows, Supplier<RuntimeException> failure) {
        this.readFailure = failure;
        this.failOver = rows;
    }

    /** Patches whose JSON contains {@code text} fail like a value a column cannot take. */
    public void refuseValue(String text) {
        this.refusedValue = text;
    }

    /** Sets a row as the application would, outside any batch (an undo then sees a conflict). */
    public void write(ObjectNode row) {
        written.put(row.get("id").asLong(), row.deepCopy());
    }

    private ObjectNode row(long id) {
        ObjectNode row = written.get(id);
        return row != null ? row : JsonNodeFactory.instance.objectNode().put("id", id).put("counter", 0);
    }

    // --- RunLedger

    @Override
    public void ensureBookkeeping() {
    }

    @Override
    public String databaseId() {
        return "fake-database";
    }

    /** Sets the migration's run rows to exactly this fence, as if the coordinator had written it and batches had then moved it there. */
    public void fenced(RunFence fence) {
        runRows(fence.migration()).keySet().forEach(segment -> fences.remove(fence.migration() + "/" + segment));
        for (RunFence.Segment s : fence.segments()) {
            fence(fence.migration(), s.index(), new SegmentFence(fence.runId(), s.position(), s.end(), fence.batchSize(),
                    s.done() ? SegmentFence.State.DONE : fence.open() ? SegmentFence.State.OPEN : SegmentFence.State.CLOSED));
        }
    }

    /** Replaces the migration's run rows (or its dry-run row); a segment of the same run keeps a position it reached. */
    @Override
    public RunFence writeFence(RunFence fence) {
        if (fence.isDryRun()) {
            RunFence.Segment s = fence.segments().get(0);
            fence(fence.migration(), RunFence.DRY_RUN, new SegmentFence(fence.runId(), s.position(), null,
                    fence.batchSize(), fence.open() ? SegmentFence.State.OPEN : SegmentFence.State.DONE));
            return fence;
        }
        Map<Integer, SegmentFence> before = runRows(fence.migration());
        before.keySet().forEach(segment -> fences.remove(fence.migration() + "/" + segment));
        List<RunFence.Segment> segments = new ArrayList<>();
        for (RunFence.Segment s : fence.segments()) {
            SegmentFence old = before.get(s.index());
            boolean sameRun = old != null && old.runId().equals(fence.runId());
            String position = sameRun ? old.position() : s.position();
            boolean done = s.done() || (sameRun && old.state() == SegmentFence.State.DONE);
            fence(fence.migration(), s.index(), new SegmentFence(fence.runId(), position, s.end(), fence.batchSize(),
                    done ? SegmentFence.State.DONE : fence.open() ? SegmentFence.State.OPEN : SegmentFence.State.CLOSED));
            segments.add(new RunFence.Segment(s.index(), position, s.end(), done));
        }
        return new RunFence(fence.migration(), fence.runId(), fence.batchSize(), fence.open(), segments);
    }

    @Override
    public RunFence writeFence(RunFence fence, CoordinatorEpoch epoch) {
        long current = epochs.getOrDefault(epoch.group(), 0L);
        if (current != epoch.epoch()) {
            throw new CoordinatorFencedException("epoch " + epoch.epoch() + " of " + epoch.group() + " was taken over"
                    + " (epoch " + current + ")");
        }
        return writeFence(fence);
    }

    @Override
    public CoordinatorEpoch takeOver(String group) {
        return new CoordinatorEpoch(group, epochs.merge(group, 1L, Long::sum));
    }

    @Override
    public Optional<RunFence> readFence(String migration) {
        List<RunFence.Segment> segments = new ArrayList<>();
        SegmentFence any = null;
        boolean open = false;
        for (Map.Entry<Integer, SegmentFence> row : runRows(migration).entrySet()) {
            SegmentFence f = row.getValue();
            any = f;
            open |= f.state() == SegmentFence.State.OPEN;
            segments.add(new RunFence.Segment(row.getKey(), f.position(), f.end(), f.state() == SegmentFence.State.DONE));
        }
        return any == null ? Optional.empty()
                : Optional.of(new RunFence(migration, any.runId(), any.batchSize(), open, segments));
    }

    /** The migration's run rows (not its dry run's) by segment, in segment order. */
    private Map<Integer, SegmentFence> runRows(String migration) {
        Map<Integer, SegmentFence> out = new TreeMap<>();
        fences.forEach((key, f) -> {
            int slash = key.lastIndexOf('/');
            int segment = Integer.parseInt(key.substring(slash + 1));
            if (key.substring(0, slash).equals(migration) && segment >= 0) {
                out.put(segment, f);
            }
        });
        return out;
    }

    @Override
    public List<LedgerEntry> followLedger(BatchKey start, String until, int max) {
        List<LedgerEntry> chain = new ArrayList<>();
        LedgerEntry e = ledger.get(start);
        while (e != null && chain.size() < max) {
            chain.add(e);
            if (e.done() || Objects.equals(e.nextCursor(), until)) {
                break;
            }
            e = ledger.get(new BatchKey(start.migration(), start.runId(), start.segment(), e.nextCursor()));
        }
        return chain;
    }

    @Override
    public List<QuarantinedDocument> quarantined(String migration, int max) {
        return quarantine.stream().filter(d -> d.migration().equals(migration)).limit(max).toList();
    }

    @Override
    public List<QuarantinedDocument> verifyFindings(String migration, int max) {
        return found.stream().filter(d -> d.migration().equals(migration)).limit(max).toList();
    }

    @Override
    public List<QuarantinedDocument> undoConflicts(String migration, int max) {
        return conflicts.stream().filter(d -> d.migration().equals(migration)).limit(max).toList();
    }

    @Override
    public int clearVerifyFindings(String migration) {
        int before = found.size();
        found.removeIf(d -> d.migration().equals(migration));
        return before - found.size();
    }

    // --- RunImages

    @Override
    public ImagePage images(String migration, String runId, String cursor, int limit) {
        return imagePage(migration, runId, cursor, null, limit);
    }

    private ImagePage imagePage(String migration, String runId, String cursor, String end, int limit) {
        List<RowImage> page = images.getOrDefault(migration + "/" + runId, new TreeMap<>()).values().stream()
                .filter(i -> cursor == null || i.id().compareTo(cursor) > 0)
                .filter(i -> end == null || i.id().compareTo(end) <= 0).limit(limit).toList();
        return new ImagePage(page, page.isEmpty() ? cursor : page.get(page.size() - 1).id(), page.size() < limit);
    }

    @Override
    public Optional<String> currentHash(String table, String key) {
        long id = Long.parseLong(key);
        return id >= 1 && id <= rows ? Optional.of(hash(row(id))) : Optional.empty();
    }

    @Override
    public List<ImagesOfRun> imageRuns(String migration) {
        List<ImagesOfRun> out = new ArrayList<>();
        images.forEach((run, byId) -> {
            if (run.startsWith(migration + "/")) {
                long bytes = byId.values().stream().mapToLong(i -> i.before() == null ? 0 : i.before().length()).sum();
                out.add(new ImagesOfRun(run.substring(migration.length() + 1), byId.size(), bytes, 0, 0));
            }
        });
        return out;
    }

    @Override
    public long purgeImages(String migration, String runId) {
        TreeMap<String, RowImage> run = images.remove(migration + "/" + runId);
        return run == null ? 0 : run.size();
    }

    /** The SHA-256 of a text, as hex. */
    private static String hash(Object text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // --- TablePlanner

    @Override
    public void checkWalk(TableWalk walk, List<String> cursors) {
    }

    @Override
    public List<String> keyColumns(TableWalk walk) {
        return List.of("id");
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

    // --- HealthProbe

    @Override
    public long replicaLagBytes() {
        return 0;
    }

    @Override
    public long lockWaitMillis() {
        return 0;
    }

    @Override
    public long readNumber(String sql) {
        return 0;
    }

    // --- BatchStore

    @Override
    public BatchTransaction begin(TableWalk walk) {
        return new Tx();
    }

    @Override
    public String describe() {
        return "fake";
    }

    @Override
    public void close() {
    }

    private static long idOf(String cursor) {
        return Long.parseLong(cursor.replaceAll("[\\[\\]]", ""));
    }

    private final class Tx implements BatchTransaction {
        private final Map<Long, ObjectNode> patched = new HashMap<>();
        private final Map<String, SegmentFence> fenceChanges = new HashMap<>();
        private final List<LedgerEntry> entries = new ArrayList<>();
        private final List<QuarantinedDocument> setAside = new ArrayList<>();
        private final List<QuarantinedDocument> findings = new ArrayList<>();
        private final List<QuarantinedDocument> leftAlone = new ArrayList<>();
        private Map<Long, ObjectNode> savedPatches;
        private final List<String> released = new ArrayList<>();
        private final List<String> fixed = new ArrayList<>();
        private BatchKey imaged;
        /** The rows of the items table as the batch first changed them, by id. */
        private final Map<Long, ObjectNode> before = new HashMap<>();
        private Map<Long, ObjectNode> savedBefore;

        @Override
        public List<String> primaryKey() {
            return List.of("id");
        }

        @Override
        public Optional<SegmentFence> lockFence(String migration, int segment) {
            return Optional.ofNullable(fence(migration, segment));
        }

        @Override
        public void advanceFence(String migration, int segment, String position, boolean done) {
            SegmentFence f = fence(migration, segment);
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
            long last = end == null ? rows : Math.min(rows, idOf(end));
            List<ObjectNode> page = new ArrayList<>();
            for (long id = cursor == null ? 1 : idOf(cursor) + 1; id <= last && page.size() < limit; id++) {
                page.add(row(id).deepCopy());
            }
            String next = page.isEmpty() ? cursor : "[" + page.get(page.size() - 1).get("id").asLong() + "]";
            return new Page(page, next, page.size() < limit);
        }

        @Override
        public Page readPageWithoutLocks(String cursor, String end, int limit) {
            return readPage(cursor, end, limit);
        }

        @Override
        public Page takeQuarantined(String migration, String cursor, int limit) {
            return take(quarantine, released, migration, cursor, limit);
        }

        @Override
        public Page takeVerifyFindings(String migration, String cursor, int limit) {
            return take(found, fixed, migration, cursor, limit);
        }

        private Page take(List<QuarantinedDocument> list, List<String> taken, String migration, String cursor,
                          int limit) {
            List<String> keys = list.stream().filter(d -> d.migration().equals(migration))
                    .map(QuarantinedDocument::key).filter(k -> cursor == null || k.compareTo(cursor) > 0)
                    .distinct().sorted().limit(limit).toList();
            if (keys.isEmpty()) {
                return new Page(List.of(), cursor, true);
            }
            taken.addAll(keys.stream().map(k -> migration + "/" + k).toList());
            List<ObjectNode> page = keys.stream().map(k -> row(Long.parseLong(k)).deepCopy()).toList();
            return new Page(page, keys.get(keys.size() - 1), keys.size() < limit);
        }

        @Override
        public Map<String, ObjectNode> readByIds(List<JsonNode> ids) {
            Map<String, ObjectNode> out = new HashMap<>();
            for (JsonNode id : ids) {
                out.put(id.asText(), patched.getOrDefault(id.asLong(), row(id.asLong())));
            }
            return out;
        }

        @Override
        public void keepImages(BatchKey key) {
            imaged = key;
        }

        @Override
        public ImagePage readImages(String migration, String runId, String cursor, String end, int limit) {
            return imagePage(migration, runId, cursor, end, limit);
        }

        @Override
        public RestoreOutcome restore(RowImage image, boolean force) {
            long id = Long.parseLong(image.key());
            ObjectNode current = patched.getOrDefault(id, row(id));
            ObjectNode before;
            try {
                before = (ObjectNode) new ObjectMapper().readTree(image.before());
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            if (hash(current).equals(hash(before))) {
                return RestoreOutcome.RESTORED; // as it was already
            }
            boolean conflict = !hash(current).equals(image.afterHash());
            if (conflict && !force) {
                return RestoreOutcome.CONFLICT;
            }
            patched.put(id, before);
            return conflict ? RestoreOutcome.FORCED : RestoreOutcome.RESTORED;
        }

        /** None: the migrations of the tests that use it only return patches. */
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
                ObjectNode row = patched.getOrDefault(id.asLong(), row(id.asLong())).deepCopy();
                if (imaged != null) {
                    before.putIfAbsent(id.asLong(), row.deepCopy());
                }
                row.setAll(patch);
                patched.put(id.asLong(), row);
            });
        }

        @Override
        public void savepoint() {
            savedPatches = new HashMap<>(patched);
            savedBefore = new HashMap<>(before);
        }

        @Override
        public void rollbackToSavepoint() {
            patched.clear();
            patched.putAll(savedPatches);
            before.clear();
            before.putAll(savedBefore);
        }

        @Override
        public void quarantine(List<QuarantinedDocument> documents) {
            setAside.addAll(documents);
        }

        @Override
        public void recordUndoConflicts(List<QuarantinedDocument> documents) {
            leftAlone.addAll(documents);
        }

        @Override
        public void recordVerifyFindings(List<QuarantinedDocument> documents) {
            findings.addAll(documents);
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
            written.putAll(patched);
            before.forEach((id, row) -> {
                TreeMap<String, RowImage> run = images.computeIfAbsent(imaged.migration() + "/" + imaged.runId(),
                        r -> new TreeMap<>());
                String imageId = hash("items\u0000" + id);
                RowImage earlier = run.get(imageId);
                run.put(imageId, new RowImage(imageId, "items", String.valueOf(id), RowImage.Op.UPDATE,
                        earlier == null ? row.toString() : earlier.before(), hash(patched.get(id))));
            });            fences.putAll(fenceChanges);
            entries.forEach(e -> ledger.put(e.key(), e));
            quarantine.removeIf(d -> released.contains(d.migration() + "/" + d.key()));
            setAside.forEach(d -> quarantine.add(new QuarantinedDocument(d.migration(), d.runId(), d.segment(), d.key(),
                    d.error(), d.document(), quarantine.size() + 1)));
            found.removeIf(d -> fixed.contains(d.migration() + "/" + d.key()));
            found.addAll(findings);
            conflicts.addAll(leftAlone);
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
}
