package dev.keyway.coordinator.core;

import dev.keyway.message.MigrationStatus;
import dev.keyway.migration.MigrationCatalog;
import java.util.Objects;

/**
 * The coordinator's core, a function from (state, input) to (state, effects): {@link #step}. It reads no clock, draws
 * no random number, and reaches neither the broker nor the database: the time and the seed of new ids come with its
 * inputs, and what it must know of the database (a fence written, a table checked, the ledger read) it asks for as
 * an {@link Effect} and is told as an {@link Input}. The shell ({@code dev.keyway.coordinator.Coordinator}) receives
 * records, steps the core, carries its effects out and feeds their results back.
 *
 * <p>Thread-safe (it holds only the catalog and the settings); the states it is given and returns are values.
 */
public final class CoordinatorCore {

    private final MigrationCatalog catalog;
    private final CoreSettings settings;

    /** @param catalog the migrations this coordinator defines */
    public CoordinatorCore(MigrationCatalog catalog, CoreSettings settings) {
        this.catalog = Objects.requireNonNull(catalog, "catalog must not be null");
        this.settings = Objects.requireNonNull(settings, "settings must not be null");
    }

    /** The state after {@code input}, and what the shell must do for it; {@code state} is left as it was. */
    public Step step(CoordinatorState state, Input input) {
        RunBook book = new RunBook(state, catalog, input.now(), settings.slowStart());
        MigrationControl control = new MigrationControl(book, settings);
        EventChecks checks = new EventChecks(book, control, settings.healthWatchId());
        Effects fx = new Effects();
        if (input instanceof Input.CommandReceived c) {
            control.onCommand(c.command(), null, fx);
        } else if (input instanceof Input.TablesChecked t) {
            control.onCommand(t.asked().command(), TableAnswers.of(t), fx);
        } else if (input instanceof Input.EventReceived e) {
            checks.received(e.event(), fx);
        } else if (input instanceof Input.LedgerRead l) {
            checks.ledgerRead(l.asked(), l.chain(), fx);
        } else if (input instanceof Input.FenceRead f) {
            checks.fenceRead(f.asked(), f.fence(), fx);
        } else if (input instanceof Input.FenceWritten w) {
            checks.fenceWritten(w.asked().fence(), w.written(), fx);
        } else if (input instanceof Input.TookOver t) {
            control.tookOver(t.changelog(), t.seed(), fx);
        } else if (input instanceof Input.DatabaseKnown d) {
            control.useDatabase(d.database());
        }
        return new Step(book.state(), fx.list());
    }

    /**
     * How many of a migration's segments go on at once in {@code state}: those that may have a task out under its
     * concurrency limit, a slow start and the health watch's share; 0 unless it is in progress. For metrics: it reads
     * the state and changes nothing.
     */
    public int segmentsInFlight(CoordinatorState state, MigrationStatus status) {
        if (!status.state().running()) {
            return 0;
        }
        return new Pacing(state.pace(), 0, settings.slowStart()).active(status).size();
    }
}
