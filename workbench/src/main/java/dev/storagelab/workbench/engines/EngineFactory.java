package dev.storagelab.workbench.engines;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Something that opens an engine by name. The workspace's own engines are the {@link Engine}
 * constants; production peers (RocksDB, LevelDB, H2 MVStore), compiled only under the Maven
 * profile {@code peers}, register themselves through {@link java.util.ServiceLoader}, so the
 * default build never downloads or links them.
 */
public interface EngineFactory {

    /** The engine's name on the command line. */
    String id();

    /** One line on what it is. */
    String description();

    /** Whether it keeps its data in files in the directory it is opened on. */
    boolean onDisk();

    /**
     * Whether the store it opens is a {@link dev.storagelab.mvcc.TransactionalStore}: the shell's
     * {@code begin}, {@code commit} and {@code abort} and the {@code bank} workload need one.
     */
    default boolean transactional() {
        return false;
    }

    /** Opens the engine on {@code dir} (created if need be; ignored by in-memory engines). */
    Engine.Handle open(Path dir) throws IOException;
}
