package dev.storagelab.lsm;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a read holds (RocksDB's {@code SuperVersion}): the active memtable, the frozen ones waiting
 * for their flush and the version of one moment, reference-counted. A get or a scan takes the
 * store's current one without a lock and reads at a sequence number; the tables its version names
 * are deleted only once every reader has let go ({@link LiveFiles}).
 */
final class SuperVersion {

    final MemTable mem;
    /** The frozen memtables waiting for their flush, newest first (at most {@link LsmOptions#maxImmutableMemtables}). */
    final List<MemTable> imm;

    final Version version;
    final AtomicInteger refs = new AtomicInteger(1);
    private final List<MemTable> memtables;

    SuperVersion(MemTable mem, List<MemTable> imm, Version version) {
        this.mem = mem;
        this.imm = List.copyOf(imm);
        this.version = version;
        List<MemTable> all = new ArrayList<>(imm.size() + 1);
        all.add(mem);
        all.addAll(imm);
        this.memtables = List.copyOf(all);
    }

    /** Every memtable, newest first: the active one, then the frozen ones. */
    List<MemTable> memtables() {
        return memtables;
    }

    /** The oldest frozen memtable, the next to flush, or null. */
    MemTable oldestFrozen() {
        return imm.isEmpty() ? null : imm.get(imm.size() - 1);
    }
}
