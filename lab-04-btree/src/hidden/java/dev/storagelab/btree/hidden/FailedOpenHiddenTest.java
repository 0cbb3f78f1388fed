package dev.storagelab.btree.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import dev.storagelab.btree.BPlusTree;
import dev.storagelab.io.CorruptionSweep;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.lab.Graded;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An open of the B+tree either succeeds at an acknowledged checkpoint, or fails with a clear error
 * and changes nothing (the leftover of a crashed creation is deleted only by an open that
 * succeeds). Every byte of the page file and of the leftover is inverted in turn.
 *
 * <p>A damaged meta page is what a checkpoint torn by a crash looks like, so a damaged byte in
 * either meta slot may send the open to the previous checkpoint; the tree must then be wholly that
 * checkpoint's. Anywhere else the tree opens at the last checkpoint, a damaged page being
 * reported when it is read, never returned as data.
 */
@Tag("hidden")
class FailedOpenHiddenTest {

    @Test
    @Graded(
            task = "T3",
            points = 4,
            concept = "a failed open of the B+tree changes the files it refused, or a successful one "
                    + "returns a state no checkpoint had")
    void anOpenThatFailsLeavesEveryFileAsItWas() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        Map<Bytes, Bytes> previous = new TreeMap<>();
        Map<Bytes, Bytes> last = new TreeMap<>();
        try (BPlusTree tree = BPlusTree.open(storage, Trees.SMALL_LRU)) {
            for (int i = 0; i < 60; i++) {
                tree.put(Trees.key(i), Trees.value(i, 12));
                previous.put(Trees.key(i), Trees.value(i, 12));
            }
            tree.checkpoint();
            last.putAll(previous);
            for (int i = 40; i < 90; i++) {
                tree.put(Trees.key(i), Trees.value(1000 + i, 20));
                last.put(Trees.key(i), Trees.value(1000 + i, 20));
            }
        }
        storage.plant(BPlusTree.FILE_NAME + ".tmp", new byte[512]); // a creation that crashed before its rename
        int pageSize = Trees.SMALL_LRU.pageSize();

        CorruptionSweep.Result result = CorruptionSweep.run(CorruptionSweep.image(storage), 200, (damaged, damage) -> {
            boolean metaPage = damage.file().equals(BPlusTree.FILE_NAME) && damage.offset() < 2L * pageSize;
            try (BPlusTree tree = BPlusTree.open(damaged, Trees.SMALL_LRU)) {
                Map<Bytes, Optional<Bytes>> read = new TreeMap<>();
                for (Bytes key : last.keySet()) {
                    try {
                        read.put(key, tree.get(key));
                    } catch (CorruptionException reported) {
                        read.put(key, null); // reported when read: never returned as data
                    }
                }
                if (metaPage) {
                    assertThat(
                            "with " + damage + " (a meta page) inverted the tree is wholly the last checkpoint "
                                    + "or the one before it",
                            readable(read),
                            anyOf(
                                    equalTo(readable(expected(read, last))),
                                    equalTo(readable(expected(read, previous)))));
                } else {
                    assertThat(
                            "with " + damage + " inverted the tree is the last checkpoint, damaged pages reported",
                            readable(read),
                            equalTo(readable(expected(read, last))));
                }
            }
        });
        assertThat(
                "some damage must be refused (the meta pages and page table are checked on open)",
                result.refused(),
                greaterThan(0));
        assertThat(
                "some damage must open (free space and the leftover matter to no one)",
                result.opened(),
                greaterThan(0));
    }

    /** The keys read without a reported corruption, with what they read. */
    private static Map<Bytes, Optional<Bytes>> readable(Map<Bytes, Optional<Bytes>> read) {
        Map<Bytes, Optional<Bytes>> ok = new TreeMap<>();
        read.forEach((k, v) -> {
            if (v != null) {
                ok.put(k, v);
            }
        });
        return ok;
    }

    /** What {@code read}'s keys would read in {@code state}, a key reported corrupt left reported. */
    private static Map<Bytes, Optional<Bytes>> expected(Map<Bytes, Optional<Bytes>> read, Map<Bytes, Bytes> state) {
        Map<Bytes, Optional<Bytes>> want = new TreeMap<>();
        read.forEach((k, v) -> want.put(k, v == null ? null : Optional.ofNullable(state.get(k))));
        return want;
    }
}
