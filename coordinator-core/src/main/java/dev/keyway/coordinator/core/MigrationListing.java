package dev.keyway.coordinator.core;

import dev.keyway.message.Command;
import dev.keyway.message.Event;
import dev.keyway.message.Excerpt;
import dev.keyway.migration.CustomRange;
import dev.keyway.migration.Migration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Answers {@code list}: the migrations this coordinator defines (the catalog of the jars it loaded), by name, as a
 * run that gives no options of its own walks and sizes them. Read-only: it changes no status, fence or task. The
 * answer is bounded ({@link Event.MigrationsListed#MAX_LISTED} definitions, each text cut short), so that it fits in
 * one event whatever the catalog holds.
 */
final class MigrationListing {

    /** The longest table name, range or key column an answer shows. */
    static final int MAX_TEXT = 200;
    /** The most key columns an answer shows for one migration. */
    static final int MAX_KEY_COLUMNS = 8;

    private final RunBook book;
    private final RunStarts starts;

    MigrationListing(RunBook book, RunStarts starts) {
        this.book = book;
        this.starts = starts;
    }

    /**
     * Answers {@code list}: {@code tables} gives each walk's key columns, when the database can be asked; when it is
     * null (not asked yet), asks for the key columns of the definitions the answer shows instead.
     */
    void answer(Command.ListMigrations list, TableAnswers tables, Effects fx) {
        List<Migration> all = book.catalog().all().stream().sorted(Comparator.comparing(Migration::name)).toList();
        List<Migration> shown = all.stream().limit(Event.MigrationsListed.MAX_LISTED).toList();
        if (tables == null) {
            fx.ask(new Effect.CheckTables(list, List.of(), shown));
            return;
        }
        fx.event(new Event.MigrationsListed("*", list.requestId(),
                shown.stream().map(m -> definition(m, tables.keyColumns(m.name()))).toList(), all.size() - shown.size()));
    }

    private Event.Definition definition(Migration m, Optional<List<String>> keys) {
        List<String> keyColumns = keys.map(k -> k.stream().limit(MAX_KEY_COLUMNS).map(c -> Excerpt.of(c, MAX_TEXT))
                .toList()).orElse(null);
        return new Event.Definition(m.name(), Excerpt.of(m.table(), MAX_TEXT), keyColumns, starts.sizing(m),
                m.customRange() == null ? null : Excerpt.of(range(m.customRange()), MAX_TEXT), m.parallelize(),
                m.segments());
    }

    /** {@code status = open}, {@code id from 1 to 500}, {@code id from 1}, {@code id up to 500}. */
    static String range(CustomRange r) {
        if (r.isEquality()) {
            return r.column() + " = " + r.from();
        }
        if (r.from() == null && r.to() == null) {
            return r.column() + ", all of it";
        }
        return r.column() + (r.from() == null ? "" : " from " + r.from()) + (r.to() == null ? "" : " up to " + r.to());
    }
}
