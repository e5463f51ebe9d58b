package dev.keyway.store.internal;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What the store read from the database's catalog about a table, kept for {@link #FRESH_FOR} and read again after:
 * a batch does not query the catalog, and a long-running worker or coordinator still sees a column added, a key
 * changed or a table replaced between two runs (the usual order: change the schema, then backfill). Thread-safe;
 * two threads that find an entry stale may both read it, the later one's value is kept.
 */
final class MetadataCache<V> {

    /** How long what was read is used without reading it again. */
    static final Duration FRESH_FOR = Duration.ofSeconds(10);

    private record Entry<V>(V value, long readAtNanos) {
    }

    private final Map<String, Entry<V>> entries = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    /** @param nanoTime the clock the age of an entry is measured on ({@code System::nanoTime}) */
    MetadataCache(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** The value kept for {@code key} if it is fresh, else what {@code read} returns now (then kept). */
    V get(String key, Supplier<V> read) {
        long now = nanoTime.getAsLong();
        Entry<V> known = entries.get(key);
        if (known != null && now - known.readAtNanos() < FRESH_FOR.toNanos()) {
            return known.value();
        }
        return refresh(key, read);
    }

    /** What {@code read} returns now, kept from now on (a run that starts reads its table afresh). */
    V refresh(String key, Supplier<V> read) {
        long now = nanoTime.getAsLong();
        V value = read.get();
        entries.put(key, new Entry<>(value, now));
        return value;
    }
}
