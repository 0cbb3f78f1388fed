package dev.storagelab.kvstore;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.wal.SyncMode;
import dev.storagelab.wal.WalOptions;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-06 T3: an engine under the write-ahead log. Writes are in the log before the
 * engine; a reopen without a checkpoint replays them; a checkpoint covers an LSN, removes the log
 * below it and shortens the next replay; a power loss keeps every acknowledged write and every
 * batch whole; a damaged checkpoint record is named. The engine under the log is
 * {@link MapFileEngine}, which needs nothing of lab-04 or lab-05, so these tests run while those
 * labs are unfinished (the hidden tests put the log over the B+tree and the LSM tree too).
 */
class WriteAheadStoreTest {

    private final FaultInjectingStorage storage = new FaultInjectingStorage(6);

    private static Bytes key(int i) {
        return Bytes.of(String.format("key%05d", i));
    }

    private static Bytes value(int i, int version) {
        return Bytes.of("value-" + i + "-v" + version);
    }

    private WriteAheadStore open(SyncMode mode) throws IOException {
        return WriteAheadStore.open(
                storage,
                MapFileEngine.open(storage),
                WalOptions.defaults().withSyncMode(mode).withSegmentBytes(64 << 10),
                null);
    }

    @Test
    void writesAreReadBackAndAReopenWithoutACheckpointReplaysThem() throws IOException {
        try (WriteAheadStore store = open(SyncMode.GROUP)) {
            for (int i = 0; i < 300; i++) {
                store.put(key(i), value(i, 1));
            }
            store.delete(key(7));
            assertThat("a write is visible once it returns", store.get(key(5)), equalTo(Optional.of(value(5, 1))));
            assertThat("a delete is visible once it returns", store.get(key(7)), equalTo(Optional.empty()));
            assertThat("301 writes are 301 log records", store.wal().lastLsn(), equalTo(301L));
        }
        try (WriteAheadStore store = open(SyncMode.GROUP)) {
            assertThat(
                    "close takes no checkpoint, so the reopen replays every record",
                    store.replayedRecords(),
                    equalTo(301L));
            assertThat(store.get(key(299)), equalTo(Optional.of(value(299, 1))));
            assertThat(store.get(key(7)), equalTo(Optional.empty()));
        }
    }

    @Test
    void aCheckpointCoversItsLsnRemovesTheLogBelowItAndShortensReplay() throws IOException {
        int segmentsBefore;
        try (WriteAheadStore store = open(SyncMode.NONE)) {
            for (int i = 0; i < 3000; i++) {
                store.put(key(i % 500), value(i, i / 500));
            }
            segmentsBefore = store.wal().segmentNames().size();
            long covered = store.checkpoint(() -> new byte[] {42});
            assertThat("the checkpoint covers every applied record", covered, equalTo(3000L));
            assertThat(
                    "segments wholly below the checkpoint are removed",
                    store.wal().segmentNames().size(),
                    lessThan(segmentsBefore));
            for (int i = 0; i < 10; i++) {
                store.put(key(i), value(i, 99));
            }
        }
        try (WriteAheadStore store = open(SyncMode.NONE)) {
            assertThat("only the records after the checkpoint are replayed", store.replayedRecords(), equalTo(10L));
            assertThat(
                    "the checkpoint's meta bytes come back",
                    store.recoveredCheckpoint().meta(),
                    equalTo(new byte[] {42}));
            assertThat(store.get(key(3)), equalTo(Optional.of(value(3, 99))));
            assertThat(store.get(key(499)), equalTo(Optional.of(value(2999, 5))));
        }
    }

    @Test
    void aPowerLossKeepsEveryAcknowledgedWriteAndEveryBatchWhole() throws IOException {
        WriteAheadStore crashed = open(SyncMode.GROUP);
        for (int i = 0; i < 100; i++) {
            crashed.write(List.of(Entry.put(key(i), value(i, 1)), Entry.put(key(i + 1000), value(i, 1))));
        }
        crashed.checkpoint(() -> null);
        for (int i = 0; i < 50; i++) {
            crashed.write(List.of(Entry.put(key(i), value(i, 2)), Entry.tombstone(key(i + 1000))));
        }
        storage.powerLoss(); // `crashed` is never closed
        try (WriteAheadStore store = open(SyncMode.GROUP)) {
            for (int i = 0; i < 100; i++) {
                boolean second = i < 50;
                assertThat(
                        "acknowledged under GROUP: key " + i,
                        store.get(key(i)),
                        equalTo(Optional.of(value(i, second ? 2 : 1))));
                assertThat(
                        "the batch's other half: key " + (i + 1000),
                        store.get(key(i + 1000)),
                        equalTo(second ? Optional.empty() : Optional.of(value(i, 1))));
            }
        }
    }

    @Test
    void aDamagedCheckpointRecordIsNamedNotIgnored() throws IOException {
        try (WriteAheadStore store = open(SyncMode.NONE)) {
            store.put(key(1), value(1, 1));
            store.checkpoint(() -> new byte[] {1, 2, 3});
        }
        storage.flipBit(CheckpointFile.NAME, 14, 3); // inside the covered LSN
        CorruptionException e = assertThrows(CorruptionException.class, () -> open(SyncMode.NONE));
        assertThat(e.getMessage(), containsString(CheckpointFile.NAME));
        assertThat(
                "the message says what failed: " + e.getMessage(),
                e.getMessage().contains("checksum"),
                is(true));
    }
}
