package dev.storagelab.kvstore;

import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.io.Storage;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import java.io.IOException;

/** The two engines the lab's tests run under the log, opened small so that tests stay fast. */
enum Engines {
    BTREE {
        @Override
        Engine open(Storage storage) throws IOException {
            return Engine.of(BPlusTree.open(storage, BTreeOptions.defaults().withPageSize(1024).withPoolFrames(64)));
        }
    },
    LSM {
        @Override
        Engine open(Storage storage) throws IOException {
            return Engine.of(LsmStore.open(storage, LsmOptions.tiny().withoutWal()));
        }
    };

    abstract Engine open(Storage storage) throws IOException;
}
