package dev.storagelab.workbench.arena;

import dev.storagelab.bounds.OrderedStore;
import java.io.IOException;
import java.util.Map;

/**
 * An engine open in the arena: its store, how it split the budget, and what it can say about
 * itself while the arena runs it. The course's engines ({@link ArenaEngine}) write through the
 * arena's {@link DeviceStorage}, which counts their bytes at the device; a production peer
 * ({@link ArenaPeer}) writes its own files, so it counts its bytes itself
 * ({@link #engineBytesWritten()}, {@link #engineBytesRead()}) and says which counters those are
 * ({@link #ownCounters()}).
 */
public abstract class ArenaOpened {

    private final OrderedStore store;
    private final String split;

    protected ArenaOpened(OrderedStore store, String split) {
        this.store = store;
        this.split = split;
    }

    public final OrderedStore store() {
        return store;
    }

    /** How the engine split the budget, in words. */
    public final String split() {
        return split;
    }

    /** The bytes the engine's caches hold now, by cache. */
    public abstract Map<String, Long> memory();

    /** Whether its background work has caught up (no queued moves, compaction within a level's size). */
    public boolean settled() {
        return true;
    }

    /** The engine's own counts worth reporting (the hybrid's moves and cache hits). */
    public Map<String, Long> counts() {
        return Map.of();
    }

    /** The engine's state worth reporting at the end of a run (where the hybrid keeps its keys, its ranges' compaction styles). */
    public Map<String, String> state() {
        return Map.of();
    }

    /**
     * The bytes the engine has written to its files since it opened, by its own counters; -1 when
     * it writes through the arena's {@link DeviceStorage}, which counts them at the device.
     */
    public long engineBytesWritten() {
        return -1;
    }

    /** The bytes the engine has read from its files since it opened, by its own counters; -1 as for writes. */
    public long engineBytesRead() {
        return -1;
    }

    /**
     * Which figures of the result come from the engine's own counters rather than the device, and
     * from which counters ({@code writeBytesPerOp}: the tickers summed, ...); empty when every
     * figure is the device's.
     */
    public Map<String, String> ownCounters() {
        return Map.of();
    }

    public abstract void close() throws IOException;
}
