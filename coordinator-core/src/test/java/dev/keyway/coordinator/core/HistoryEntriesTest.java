package dev.keyway.coordinator.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.FailedBatch;
import dev.keyway.message.HistoryEntry;
import dev.keyway.message.LastCommand;
import dev.keyway.message.Limits;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.SegmentStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What each status change means for the audit trail, decided from two statuses and the command alone. */
class HistoryEntriesTest {

    private static final long T0 = 1_000_000;

    private static MigrationStatus running() {
        return MigrationStatus.unknown("a", 10).started("run-1", List.of(SegmentStatus.fresh(0, null, null),
                        SegmentStatus.fresh(1, "[50]", null)), 10, List.of("b"), "ann", 100L, T0)
                .change().notifyTargets(List.of("ops")).limits(new Limits(500)).build();
    }

    private static HistoryEntry only(List<HistoryEntry> entries) {
        assertEquals(1, entries.size(), entries.toString());
        return entries.get(0);
    }

    @Test
    void aNewRunIsStartedByWhoeverRanItWithItsParameters() {
        HistoryEntry e = only(HistoryEntries.between(null, running(), Command.Run.of("a").withRequestedBy("ann"), T0));
        assertEquals(HistoryEntry.STARTED, e.kind());
        assertEquals("run-1", e.runId());
        assertEquals("ann", e.by());
        assertEquals("run", e.command());
        assertEquals(new HistoryEntry.Parameters(null, 10, new Limits(500), 2, List.of("b"), List.of("ops")),
                e.parameters());
        assertEquals("then b", e.detail());
    }

    @Test
    void aRunOverTheQuarantineSaysSoAndItsEndCountsWhatItSetAside() {
        MigrationStatus retry = running().change().next(List.of()).onlyQuarantined(true).build();
        assertEquals("the documents in quarantine", only(HistoryEntries.between(null, retry,
                Command.Run.of("a").withOnlyQuarantined(true), T0)).detail());
        MigrationStatus done = running().change().quarantined(7).state(MigrationState.SUCCESS).latestEnd(T0 + 10).build();
        assertEquals(7, only(HistoryEntries.between(running(), done, null, T0 + 10)).outcome().quarantined());
    }

    @Test
    void theNextOfASeriesIsStartedByTheBatchThatEndedThePreviousOneInTheNameOfWhoStartedTheSeries() {
        HistoryEntry e = only(HistoryEntries.between(MigrationStatus.unknown("a", 10), running(), null, T0));
        assertEquals(HistoryEntry.STARTED, e.kind());
        assertEquals("ann", e.by());
        assertNull(e.command());
    }

    @Test
    void aBatchThatMovesACursorIsNoEntry() {
        MigrationStatus before = running();
        MigrationStatus after = before.withSegments(List.of(new SegmentStatus(0, null, "[50]", "[10]", 10, false, null),
                SegmentStatus.fresh(1, "[50]", null)));
        assertTrue(HistoryEntries.between(before, after, null, T0 + 5).isEmpty());
    }

    @Test
    void anOperatorsPauseAndResumeNameTheOperatorAndHealthsNameTheSignal() {
        MigrationStatus paused = running().pausedAt(T0 + 10, MigrationStatus.PAUSED_BY_OPERATOR);
        HistoryEntry p = only(HistoryEntries.between(running(), paused, new Command.Pause("a", "bob"), T0 + 10));
        assertEquals(HistoryEntry.PAUSED, p.kind());
        assertEquals("bob", p.by());
        assertEquals(0, p.outcome().rows());
        HistoryEntry r = only(HistoryEntries.between(paused, paused.resumedAt(T0 + 20), new Command.Resume("a", "cy"),
                T0 + 20));
        assertEquals(HistoryEntry.RESUMED, r.kind());
        assertEquals("cy", r.by());

        MigrationStatus byHealth = running().pausedAt(T0 + 30, MigrationStatus.PAUSED_BY_HEALTH).change()
                .throttledBy("replica lag 12 s > 5 s").build();
        HistoryEntry h = only(HistoryEntries.between(running(), byHealth, null, T0 + 30));
        assertEquals(MigrationStatus.PAUSED_BY_HEALTH, h.by());
        assertEquals("replica lag 12 s > 5 s", h.detail());
        HistoryEntry back = only(HistoryEntries.between(byHealth, byHealth.resumedAt(T0 + 40), null, T0 + 40));
        assertEquals(HistoryEntry.RESUMED, back.kind());
        assertEquals(MigrationStatus.PAUSED_BY_HEALTH, back.by());
    }

    @Test
    void aConfigureIsOneEntryWhenItsCommandIsRecordedWithTheLimitsItSet() {
        Command.Configure c = new Command.Configure("a", null, 200, null, null, "dee");
        MigrationStatus limited = running().change().limits(new Limits(200)).build();
        assertTrue(HistoryEntries.between(running(), limited, c, T0 + 5).isEmpty(), "not before it is recorded");
        MigrationStatus recorded = limited.change().lastCommand(new LastCommand("configure", "dee", T0 + 5)).build();
        HistoryEntry e = only(HistoryEntries.between(limited, recorded, c, T0 + 5));
        assertEquals(HistoryEntry.CONFIGURED, e.kind());
        assertEquals("dee", e.by());
        assertEquals("maxRowsPerSecond=200", e.detail());
        assertEquals(new Limits(200), e.parameters().limits());
    }

    @Test
    void anEndCarriesRowsDurationAndForAFailureTheErrorAndTheDocument() {
        MigrationStatus failed = running().withState(MigrationState.FAILED, "segment 0, cursor [3]: boom", T0 + 900)
                .withFailedBatch(new FailedBatch(0, "[3]", "4", null));
        HistoryEntry f = only(HistoryEntries.between(running(), failed, null, T0 + 900));
        assertEquals(HistoryEntry.FAILED, f.kind());
        assertEquals(new HistoryEntry.Outcome(0, 900L, "segment 0, cursor [3]: boom", "4"), f.outcome());
        assertTrue(f.ends());

        HistoryEntry retried = only(HistoryEntries.between(failed, failed.started("run-1", failed.progress().segments(),
                10, List.of(), "eve", 100L, T0 + 1000), Command.Run.of("a").withRequestedBy("eve"), T0 + 1000));
        assertEquals(HistoryEntry.RETRIED, retried.kind());
        assertEquals("eve", retried.by());

        HistoryEntry canceled = only(HistoryEntries.between(running(), running().withState(MigrationState.CANCELED,
                null, T0 + 50), new Command.CancelAll("fay"), T0 + 50));
        assertEquals(HistoryEntry.CANCELED, canceled.kind());
        assertEquals("fay", canceled.by());
        assertEquals("cancelAll", canceled.command());

        HistoryEntry done = only(HistoryEntries.between(running(), running().withState(MigrationState.SUCCESS, null,
                T0 + 70), null, T0 + 70));
        assertEquals(HistoryEntry.SUCCEEDED, done.kind());
        assertEquals(70L, done.outcome().durationMillis());
    }

    @Test
    void aRunThatGoesOnAndFindsNothingLeftIsResumedOrRetriedThenSucceeded() {
        MigrationStatus paused = running().pausedAt(T0 + 10, MigrationStatus.PAUSED_BY_OPERATOR);
        List<HistoryEntry> resumed = HistoryEntries.between(paused, paused.withState(MigrationState.SUCCESS, null,
                T0 + 20), new Command.Resume("a", "ivy"), T0 + 20);
        assertEquals(List.of("resumed/ivy", "succeeded/ivy"), resumed.stream().map(h -> h.kind() + "/" + h.by()).toList());
        MigrationStatus canceled = running().withState(MigrationState.CANCELED, null, T0 + 30);
        List<HistoryEntry> retried = HistoryEntries.between(canceled, canceled.withState(MigrationState.SUCCESS, null,
                T0 + 40), Command.Run.of("a").withRequestedBy("jo"), T0 + 40);
        assertEquals(List.of("retried/jo", "succeeded/jo"), retried.stream().map(h -> h.kind() + "/" + h.by()).toList());
    }

    @Test
    void aNewRunThatEndsInItsFirstRecordIsStartedThenEnded() {
        MigrationStatus before = running().withState(MigrationState.SUCCESS, null, T0);
        MigrationStatus again = before.started("run-2", List.of(SegmentStatus.fresh(0, "[9]", null)), 10, List.of(),
                "kim", null, T0 + 5).withState(MigrationState.SUCCESS, null, T0 + 5);
        assertEquals(List.of(HistoryEntry.STARTED, HistoryEntry.SUCCEEDED), HistoryEntries.between(before, again,
                Command.Run.of("a").withStartAt(Command.StartAt.after("[9]")), T0 + 5).stream()
                .map(HistoryEntry::kind).toList());
    }

    @Test
    void aCommandForAnotherMigrationIsNotItsCause() {
        MigrationStatus paused = running().pausedAt(T0 + 10, MigrationStatus.PAUSED_BY_OPERATOR);
        HistoryEntry p = only(HistoryEntries.between(running(), paused, new Command.Pause("b", "bob"), T0 + 10));
        assertNull(p.by());
        assertNull(p.command());
    }

    @Test
    void aDryRunIsAnEntryOfItsOwn() {
        MigrationStatus dry = MigrationStatus.unknown("a", 10).withDryRun("dry-1", null);
        HistoryEntry e = only(HistoryEntries.between(null, dry, Command.Run.of("a").withDryRun(true)
                .withRequestedBy("gus"), T0));
        assertEquals(HistoryEntry.DRY_RUN, e.kind());
        assertEquals("dry-1", e.runId());
        assertEquals("gus", e.by());
    }

    @Test
    void aRefusedCommandSaysWhoTriedWhatAndWhy() {
        HistoryEntry e = HistoryEntries.rejected(new Event.CommandRejected("a", "pause", "migration a is not running"),
                new Command.Pause("a", "hal"), null, T0);
        assertEquals(new HistoryEntry(HistoryEntry.REJECTED, "a", null, T0, "hal", "pause",
                "migration a is not running", null, null), e);
    }
}
