package dev.storagelab.lsm.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lab.Graded;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.lsm.Snapshot;
import dev.storagelab.lsm.WriteBatch;
import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of the LSM store's bookkeeping (lab-05 T7), added for survivors of the mutation
 * audit (notes/audit.md): the sequence numbers a batch takes, and a compaction that drops the
 * tombstone of the newest write when no snapshot needs it.
 */
@Tag("hidden")
class LsmStoreBookkeepingHiddenTest {

    @Test
    @Graded(
            task = "T7",
            points = 1,
            concept = "the store's last sequence number does not advance by exactly a batch's operations "
                    + "(numbers skipped or reused between batches)")
    void eachBatchTakesTheNextSequenceNumbers() throws IOException {
        try (LsmStore store = LsmStore.open(new FaultInjectingStorage(21), LsmOptions.tiny())) {
            long start = store.stats().lastSequence();
            store.write(new WriteBatch()
                    .put(Bytes.of("a"), Bytes.of("1"))
                    .put(Bytes.of("b"), Bytes.of("2"))
                    .delete(Bytes.of("c")));
            assertThat("a batch of 3 after " + start, store.stats().lastSequence(), equalTo(start + 3));
            store.put(Bytes.of("d"), Bytes.of("4"));
            assertThat("then a put", store.stats().lastSequence(), equalTo(start + 4));
            store.write(new WriteBatch().put(Bytes.of("e"), Bytes.of("5")).put(Bytes.of("f"), Bytes.of("6")));
            assertThat("then a batch of 2", store.stats().lastSequence(), equalTo(start + 6));
            try (Snapshot snapshot = store.snapshot()) {
                assertThat("and a snapshot reads at it", snapshot.sequence(), equalTo(start + 6));
            }
        }
    }

    @Test
    @Graded(
            task = "T7",
            points = 1,
            concept = "compacting to the bottom level keeps the tombstone of the newest write although no "
                    + "snapshot and no level below needs it")
    void deletingEveryKeyThenCompactingLeavesNoTable() throws IOException {
        try (LsmStore store = LsmStore.open(new FaultInjectingStorage(22), LsmOptions.tiny())) {
            for (int i = 0; i < 200; i++) {
                store.put(Bytes.of(String.format("k%04d", i)), Bytes.of("v" + i));
            }
            store.compactAll();
            for (int i = 0; i < 200; i++) {
                store.delete(Bytes.of(String.format("k%04d", i))); // the last delete is the store's newest write
            }
            store.compactAll();
            for (int i = 0; i < 200; i += 13) {
                assertThat(store.get(Bytes.of(String.format("k%04d", i))), equalTo(Optional.empty()));
            }
            long[] files = store.stats().filesPerLevel();
            assertThat(
                    "tables left per level after every key was deleted: " + Arrays.toString(files),
                    Arrays.stream(files).sum(),
                    equalTo(0L));
        }
    }
}
