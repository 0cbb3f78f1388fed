package dev.storagelab.workbench.arena;

import dev.storagelab.wal.SyncMode;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A production peer the arena can hold to its terms. Peers are compiled only under the Maven
 * profile {@code peers} and register through {@link java.util.ServiceLoader}, so the default build
 * neither links nor needs them ({@link ArenaEntrants}). A peer opens on the arena's directory
 * (not on its {@link DeviceStorage}: it does its own file I/O), splits {@link Terms#budget()}
 * among its own caches, forces its log as {@link Terms#sync()} asks, reads with direct I/O when
 * {@link Terms#direct()}, and counts the bytes it writes and reads itself
 * ({@link ArenaOpened#engineBytesWritten()}).
 */
public interface ArenaPeer {

    /** The name on the command line ({@code --engines rocksdb}). */
    String id();

    /** The smallest budget it opens with. */
    long minBudget();

    /**
     * Opens it under {@code terms}.
     *
     * @throws IllegalArgumentException naming the fix, if one of the terms cannot be met here
     */
    ArenaOpened open(Terms terms) throws IOException;

    /**
     * The arena's terms for one engine.
     *
     * @param dir        the directory its files go in (empty, deleted after)
     * @param budget     the bytes its caches may hold in all
     * @param sync       when a write's log record must be forced
     * @param direct     whether reads must bypass the page cache
     * @param entryBytes the workload's mean key and value size
     * @param dataBytes  the data the arena will load
     */
    record Terms(Path dir, long budget, SyncMode sync, boolean direct, int entryBytes, long dataBytes) {}
}
