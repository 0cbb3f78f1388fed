/**
 * The production peers (RocksDB, the pure-Java LevelDB port, H2 MVStore, LMDB), compiled only under
 * the Maven profile {@code peers}: each registers as an {@code engines.EngineFactory} (and, held to
 * the arena's terms, an {@code arena.ArenaPeer}) through {@link java.util.ServiceLoader}.
 */
package dev.storagelab.workbench.peers;
