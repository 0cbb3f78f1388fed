package dev.storagelab.mvcc.hidden;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.mvcc.MemoryOrderedStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The engines the hidden tests run MVCC over: the in-memory skip list, the lab-04 B+tree (small
 * pages, so the versions spread over many leaves and split them) and the lab-05 LSM tree (tiny
 * memtables, so the versions spread over tables and levels, flushed and compacted on its background
 * thread), both on in-memory storage.
 */
final class Engines {

    enum Kind {
        MEMORY,
        BTREE,
        LSM
    }

    private Engines() {}

    static OrderedStore open(Kind kind) {
        try {
            return switch (kind) {
                case MEMORY -> new MemoryOrderedStore();
                case BTREE ->
                    BPlusTree.open(
                            new FaultInjectingStorage(7),
                            BTreeOptions.defaults().withPageSize(1024).withPoolFrames(64));
                // background work on: with it off, the lab-05 store flushes and compacts on the writing
                // thread, and two writers compacting at once are not supported there
                case LSM ->
                    LsmStore.open(
                            new FaultInjectingStorage(7), LsmOptions.tiny().withBackgroundWork(true));
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Entry> drain(EntryIterator it) {
        List<Entry> out = new ArrayList<>();
        try (it) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    static Bytes key(int i) {
        return Bytes.of(String.format("k%03d", i));
    }
}
