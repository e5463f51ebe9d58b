package dev.keyway.message;

import java.util.List;
import java.util.Objects;

/**
 * Commands on the {@code commands} topic, the runner's arguments of the Convex component.
 * JSON: {@code {"type":"run","fn":"setDefaultValue","next":["clearField"],"cursor":null,
 * "batchSize":500,"dryRun":false}}, {@code {"type":"cancel","fn":".."}}, {@code {"type":"cancelAll"}},
 * {@code {"type":"pause","fn":".."}}, {@code {"type":"resume","fn":".."}}, {@code {"type":"list","requestId":".."}}.
 */
public sealed interface Command permits Command.Run, Command.Cancel, Command.CancelAll, Command.Pause, Command.Resume,
        Command.Configure, Command.ListMigrations {

    /** The largest command record read, in bytes; a larger one is rejected unread. */
    int MAX_BYTES = 65_536;
    /** The longest {@code fn} or {@code next} name: a migration name (letters, digits, {@code _ - . :}). */
    int MAX_NAME = 200;
    /** The most names in {@code next}. */
    int MAX_NEXT = 100;
    /** The longest {@code cursor}: the ledger and the fence store cursors of up to this many characters. */
    int MAX_CURSOR = 4_000;
    /** The longest {@code requestedBy}. */
    int MAX_REQUESTED_BY = 200;
    /** The longest {@code requestId} of a {@link ListMigrations}. */
    int MAX_REQUEST_ID = 64;

    /** The migration the command is about, or {@code null} for {@link CancelAll}. */
    String fn();

    /**
     * Who asked (user, service): recorded in the status with the command ({@code lastCommand}). Self-declared:
     * anyone who may write the commands topic may write any name, unless ACLs restrict who writes it. May be null.
     */
    String requestedBy();

    /**
     * The command's type: its {@code "type"} on the wire, and the {@code command} of the coordinator's answer to it
     * ({@link Event.CommandAccepted}, {@link Event.CommandRejected}). Each record names its own in {@code TYPE}.
     */
    String type();

    /**
     * Run {@code fn}, then each of {@code next} in order, stopping at the first failure or cancel.
     *
     * @param startAt where to start: {@code null} (JSON: no {@code cursor} field) resumes a failed or
     *     canceled run and skips a completed one; {@link StartAt#beginning()} ({@code "cursor": null})
     *     starts over; {@link StartAt#after(String)} starts after that cursor
     * @param batchSize overrides the definition's batch size for this run; {@code null} keeps it
     * @param dryRun run one batch, roll it back and report the before/after of changed documents
     * @param segments overrides how many segments the run is split into; {@code null} keeps the default
     * @param requestedBy who asked (user, service), recorded in the status; may be null
     * @param limits limits for this run (rows per second, batch duration target); {@code null} keeps a resumed
     *     run's, else none
     * @param notify names of the coordinator's notification targets ({@code NOTIFY_URL_<NAME>}) told about this run
     *     besides the default; never URLs (the topic is readable by every client). Empty keeps a resumed run's
     * @param maxQuarantined how many documents the run may set aside (quarantine) before it fails, a count or a
     *     percentage of the run's rows; 0 turns quarantine off; {@code null} keeps a resumed run's, else the
     *     definition's ({@code withMaxQuarantined})
     * @param onlyQuarantined a run over just the documents in quarantine ({@code retry FN --quarantined}): each
     *     leaves quarantine in the transaction that migrates it. Only after a run that succeeded (or to resume such a
     *     run); {@code next}, {@code cursor} and {@code segments} do not apply
     * @param kind what the run does with its rows (JSON {@code "kind"}, absent = migrate): {@link RunKind#VERIFY}
     *     checks a migration that succeeded without writing ({@code bin/migrate verify}); {@link RunKind#FIX} migrates
     *     the rows the last verify found ({@code verify --fix}). Neither takes {@code next}, {@code dryRun},
     *     {@code maxQuarantined}, {@code onlyQuarantined} or a cursor other than {@code null} (from the start);
     *     {@link RunKind#UNDO} restores what the run {@code undoOf} names changed ({@code bin/migrate undo})
     * @param undoOf for an undo: the run it takes back and whether it forces; null for any other kind
     * @param keepImages the run keeps a before-image of each row it changes ({@code keyway_images}), so that an undo can
     *     take it back ({@code run --keep-before-images}); the definition's {@code withBeforeImages()} asks it too
     */
    record Run(String fn, List<String> next, StartAt startAt, Integer batchSize, boolean dryRun,
               Integer segments, String requestedBy, Limits limits, List<String> notifyTargets,
               QuarantineLimit maxQuarantined, boolean onlyQuarantined, RunKind kind, UndoOf undoOf,
               boolean keepImages) implements Command {
        public static final String TYPE = "run";

        @Override
        public String type() {
            return TYPE;
        }

        public Run {
            Objects.requireNonNull(fn, "fn must not be null");
            next = next == null ? List.of() : List.copyOf(next);
            notifyTargets = notifyTargets == null ? List.of() : List.copyOf(notifyTargets);
            kind = kind == null ? RunKind.MIGRATE : kind;
        }

        /** A run of any kind that says nothing of it: it migrates. */
        public Run(String fn, List<String> next, StartAt startAt, Integer batchSize, boolean dryRun,
                   Integer segments, String requestedBy, Limits limits, List<String> notifyTargets,
                   QuarantineLimit maxQuarantined, boolean onlyQuarantined) {
            this(fn, next, startAt, batchSize, dryRun, segments, requestedBy, limits, notifyTargets, maxQuarantined,
                    onlyQuarantined, RunKind.MIGRATE, null, false);
        }

        /** A run that says nothing about quarantine. */
        public Run(String fn, List<String> next, StartAt startAt, Integer batchSize, boolean dryRun,
                   Integer segments, String requestedBy, Limits limits, List<String> notifyTargets) {
            this(fn, next, startAt, batchSize, dryRun, segments, requestedBy, limits, notifyTargets, null, false);
        }

        /** A run that names no notification target. */
        public Run(String fn, List<String> next, StartAt startAt, Integer batchSize, boolean dryRun,
                   Integer segments, String requestedBy, Limits limits) {
            this(fn, next, startAt, batchSize, dryRun, segments, requestedBy, limits, List.of());
        }

        public static Run of(String fn) {
            return new Run(fn, List.of(), null, null, false, null, null, null);
        }

        public Run withNext(List<String> next) {
            return with(r -> r.next = next);
        }

        public Run withStartAt(StartAt startAt) {
            return with(r -> r.startAt = startAt);
        }

        public Run withBatchSize(Integer batchSize) {
            return with(r -> r.batchSize = batchSize);
        }

        public Run withDryRun(boolean dryRun) {
            return with(r -> r.dryRun = dryRun);
        }

        public Run withSegments(Integer segments) {
            return with(r -> r.segments = segments);
        }

        public Run withRequestedBy(String requestedBy) {
            return with(r -> r.requestedBy = requestedBy);
        }

        public Run withLimits(Limits limits) {
            return with(r -> r.limits = limits);
        }

        public Run withNotifyTargets(List<String> notifyTargets) {
            return with(r -> r.notifyTargets = notifyTargets);
        }

        public Run withOnlyQuarantined(boolean onlyQuarantined) {
            return with(r -> r.onlyQuarantined = onlyQuarantined);
        }

        public Run withKind(RunKind kind) {
            return with(r -> r.kind = kind);
        }

        /** An undo of that run (kind undo). */
        public Run withUndoOf(UndoOf undoOf) {
            return with(r -> {
                r.kind = RunKind.UNDO;
                r.undoOf = undoOf;
            });
        }

        public Run withKeepImages(boolean keepImages) {
            return with(r -> r.keepImages = keepImages);
        }

        /** A count of documents; null keeps a resumed run's, else the definition's. */
        public Run withMaxQuarantined(Long count) {
            return withMaxQuarantined(count == null ? null : QuarantineLimit.count(count));
        }

        public Run withMaxQuarantined(QuarantineLimit maxQuarantined) {
            return with(r -> r.maxQuarantined = maxQuarantined);
        }

        /** A copy of this run with what {@code change} sets on its parts ({@link Parts}). */
        private Run with(java.util.function.Consumer<Parts> change) {
            Parts r = new Parts(this);
            change.accept(r);
            return new Run(fn, r.next, r.startAt, r.batchSize, r.dryRun, r.segments, r.requestedBy, r.limits,
                    r.notifyTargets, r.maxQuarantined, r.onlyQuarantined, r.kind, r.undoOf, r.keepImages);
        }

        /** A run's parts while a copy of it is made: each {@code with} method sets one. */
        private static final class Parts {
            List<String> next;
            StartAt startAt;
            Integer batchSize;
            boolean dryRun;
            Integer segments;
            String requestedBy;
            Limits limits;
            List<String> notifyTargets;
            QuarantineLimit maxQuarantined;
            boolean onlyQuarantined;
            RunKind kind;
            UndoOf undoOf;
            boolean keepImages;

            Parts(Run run) {
                next = run.next;
                startAt = run.startAt;
                batchSize = run.batchSize;
                dryRun = run.dryRun;
                segments = run.segments;
                requestedBy = run.requestedBy;
                limits = run.limits;
                notifyTargets = run.notifyTargets;
                maxQuarantined = run.maxQuarantined;
                onlyQuarantined = run.onlyQuarantined;
                kind = run.kind;
                undoOf = run.undoOf;
                keepImages = run.keepImages;
            }
        }
    }

    /** Stop {@code fn} after its in-flight batches. */
    record Cancel(String fn, String requestedBy) implements Command {
        public static final String TYPE = "cancel";

        @Override
        public String type() {
            return TYPE;
        }

        public Cancel {
            Objects.requireNonNull(fn, "fn must not be null");
        }

        public Cancel(String fn) {
            this(fn, null);
        }
    }

    /**
     * Stop {@code fn} after its in-flight batches, keeping its run: state {@code paused}, no batch of it
     * applies until {@link Resume}. It stays paused across restarts of the coordinator and the workers.
     */
    record Pause(String fn, String requestedBy) implements Command {
        public static final String TYPE = "pause";

        @Override
        public String type() {
            return TYPE;
        }

        public Pause {
            Objects.requireNonNull(fn, "fn must not be null");
        }

        public Pause(String fn) {
            this(fn, null);
        }
    }

    /** Go on with a paused {@code fn} from each segment's cursor, in the same run. */
    record Resume(String fn, String requestedBy) implements Command {
        public static final String TYPE = "resume";

        @Override
        public String type() {
            return TYPE;
        }

        public Resume {
            Objects.requireNonNull(fn, "fn must not be null");
        }

        public Resume(String fn) {
            this(fn, null);
        }
    }

    /**
     * Change the limits of a running or paused {@code fn}, in force from its next batches. Batches in flight
     * finish with the size they started with.
     *
     * @param batchSize the new batch size, 1 to {@code Migration.MAX_BATCH_SIZE}; null keeps it
     * @param maxRowsPerSecond the new rate limit; 0 removes it; null keeps it
     * @param targetBatchMillis the new batch duration target (batches sized to take about this long, up to the batch
     *     size); 0 goes back to batches of the batch size; null keeps it
     * @param maxConcurrency the most segments with a task in flight at once; 0 = all; null keeps it
     */
    record Configure(String fn, Integer batchSize, Integer maxRowsPerSecond, Integer targetBatchMillis,
                     Integer maxConcurrency, String requestedBy) implements Command {
        public static final String TYPE = "configure";

        @Override
        public String type() {
            return TYPE;
        }

        public Configure {
            Objects.requireNonNull(fn, "fn must not be null");
        }

        /** New batch size and rate limit only. */
        public Configure(String fn, Integer batchSize, Integer maxRowsPerSecond) {
            this(fn, batchSize, maxRowsPerSecond, null, null, null);
        }

        /** New batch size, rate limit and batch duration target. */
        public Configure(String fn, Integer batchSize, Integer maxRowsPerSecond, Integer targetBatchMillis) {
            this(fn, batchSize, maxRowsPerSecond, targetBatchMillis, null, null);
        }

        /** New limits, asked by nobody in particular. */
        public Configure(String fn, Integer batchSize, Integer maxRowsPerSecond, Integer targetBatchMillis,
                         Integer maxConcurrency) {
            this(fn, batchSize, maxRowsPerSecond, targetBatchMillis, maxConcurrency, null);
        }
    }

    /** Stop every running migration after its in-flight batches. */
    record CancelAll(String requestedBy) implements Command {
        public static final String TYPE = "cancelAll";

        @Override
        public String type() {
            return TYPE;
        }

        public CancelAll() {
            this(null);
        }

        @Override
        public String fn() {
            return null;
        }
    }

    /**
     * Asks which migrations the coordinator defines (the user's migrations jar is loaded by the coordinator, not by
     * the command line). Read-only: it changes no status; the answer is an {@link Event.MigrationsListed} carrying
     * the same {@code requestId}, so that a client takes its own answer and no other.
     *
     * @param requestId chosen by the client, echoed in the answer; may be null
     */
    record ListMigrations(String requestId, String requestedBy) implements Command {
        public static final String TYPE = "list";

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public String fn() {
            return null;
        }
    }

    /** Where a run starts; see {@link Run#startAt()}. {@code cursor == null} means the beginning. */
    record StartAt(String cursor) {
        public static StartAt beginning() {
            return new StartAt(null);
        }

        public static StartAt after(String cursor) {
            return new StartAt(cursor);
        }
    }
}
