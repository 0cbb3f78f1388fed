package dev.storagelab.lsm;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-05 T7, the LSM store: the write path (log, then memtable), the read path (memtable,
 * frozen memtable, level 0 newest first, then one table per level), flushes, the compaction picker
 * and the compaction's drop rules, snapshots, and reopening. The stores here use
 * {@link LsmOptions#tiny()}: 8 KiB memtables, level 0 compacted at 2 tables, 16 KiB level 1, and
 * flushes and compactions on the writing thread, so every run is the same.
 */
class LsmStoreTest {

    private final FaultInjectingStorage storage = new FaultInjectingStorage(1);

    private static Bytes key(int i) {
        return Bytes.of(String.format("key%06d", i));
    }

    private static Bytes value(int i, int version) {
        return Bytes.of("value-" + i + "-v" + version + "-" + "x".repeat(40));
    }

    private LsmStore open() throws IOException {
        return LsmStore.open(storage, LsmOptions.tiny());
    }

    private static List<Entry> drain(EntryIterator it) {
        List<Entry> out = new ArrayList<>();
        try (it) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    private static List<Entry> entries(TreeMap<Bytes, Bytes> model) {
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<Bytes, Bytes> e : model.entrySet()) {
            out.add(Entry.put(e.getKey(), e.getValue()));
        }
        return out;
    }

    @Test
    void aGetSeesTheLatestPutAndNothingAfterADelete() throws IOException {
        try (LsmStore store = open()) {
            store.put(key(1), value(1, 1));
            store.put(key(1), value(1, 2));
            store.put(key(2), value(2, 1));
            store.delete(key(2));
            assertThat("the second put replaces the first", store.get(key(1)), equalTo(Optional.of(value(1, 2))));
            assertThat("a deleted key is absent", store.get(key(2)), equalTo(Optional.empty()));
            assertThat("a key never written is absent", store.get(key(3)), equalTo(Optional.empty()));
        }
    }

    @Test
    void writesThatFillManyMemtablesLandInTablesAndReadBackFromThem() throws IOException {
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        try (LsmStore store = open()) {
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 600; i++) {
                    int k = (i * 7919 + round) % 800;
                    store.put(key(k), value(k, round));
                    model.put(key(k), value(k, round));
                }
            }
            LsmStore.Stats stats = store.stats();
            assertThat(
                    "3 x 600 puts of ~70 bytes fill 8 KiB memtables many times: flushes happened",
                    stats.metrics().flushes(),
                    greaterThan(10L));
            assertThat(
                    "and tables exist below level 0", stats.tableBytes() - stats.bytesPerLevel()[0], greaterThan(0L));
            for (Map.Entry<Bytes, Bytes> e : model.entrySet()) {
                assertThat(
                        "get(" + e.getKey() + ") after flushes and compactions",
                        store.get(e.getKey()),
                        equalTo(Optional.of(e.getValue())));
            }
        }
    }

    @Test
    void levelZeroNeverHoldsMoreTablesThanItsTriggerAfterACompaction() throws IOException {
        try (LsmStore store = open()) {
            for (int i = 0; i < 3000; i++) {
                store.put(key(i % 1000), value(i, i / 1000));
            }
            store.compactAll();
            LsmStore.Stats stats = store.stats();
            assertThat(
                    "compactAll leaves level 0 under its trigger of 2 tables", stats.filesPerLevel()[0], lessThan((long)
                            LsmOptions.tiny().l0CompactionTrigger()));
            for (int level = 1; level < stats.bytesPerLevel().length - 1; level++) {
                assertThat(
                        "level " + level + " is within its target size after compactAll",
                        stats.bytesPerLevel()[level],
                        lessThanOrEqualTo(LsmOptions.tiny().levelTargetBytes(level)));
            }
        }
    }

    @Test
    void compactionDropsOverwrittenVersionsAndDeletedKeys() throws IOException {
        try (LsmStore store = open()) {
            for (int round = 0; round < 5; round++) {
                for (int i = 0; i < 500; i++) {
                    store.put(key(i), value(i, round));
                }
            }
            store.compactAll();
            long withOneVersion = store.stats().tableBytes();
            for (int i = 0; i < 500; i++) {
                store.delete(key(i));
            }
            store.compactAll();
            assertThat(
                    "after compactAll, 500 keys written 5 times take about one version's space: " + withOneVersion
                            + " bytes for ~500 x 70 bytes",
                    withOneVersion,
                    lessThan(2L * 500 * 90));
            assertThat(
                    "every key deleted and compacted: the deletions themselves are gone too (bytes in tables)",
                    store.stats().tableBytes(),
                    lessThan(withOneVersion / 10));
            assertThat(store.get(key(7)), equalTo(Optional.empty()));
        }
    }

    @Test
    void aSnapshotKeepsSeeingWhatWasThereWhenItWasTakenThroughCompactions() throws IOException {
        try (LsmStore store = open()) {
            for (int i = 0; i < 300; i++) {
                store.put(key(i), value(i, 1));
            }
            try (Snapshot snap = store.snapshot()) {
                for (int i = 0; i < 300; i++) {
                    store.put(key(i), value(i, 2));
                }
                store.delete(key(5));
                store.compactAll();
                assertThat("the snapshot sees version 1", store.get(key(9), snap), equalTo(Optional.of(value(9, 1))));
                assertThat(
                        "the snapshot still sees the key deleted after it",
                        store.get(key(5), snap),
                        equalTo(Optional.of(value(5, 1))));
                assertThat("the store sees version 2", store.get(key(9)), equalTo(Optional.of(value(9, 2))));
                assertThat("and the deletion", store.get(key(5)), equalTo(Optional.empty()));
                assertThat(
                        "a scan at the snapshot sees the 300 keys of version 1",
                        drain(store.scan(null, null, snap)).size(),
                        equalTo(300));
            }
        }
    }

    @Test
    void scansForwardAndBackwardMatchASortedMap() throws IOException {
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        try (LsmStore store = open()) {
            for (int i = 0; i < 1500; i++) {
                int k = (i * 31) % 700;
                if (i % 5 == 4) {
                    store.delete(key(k));
                    model.remove(key(k));
                } else {
                    store.put(key(k), value(k, i));
                    model.put(key(k), value(k, i));
                }
            }
            assertThat("a full scan is the model in order", drain(store.scan(null, null)), equalTo(entries(model)));
            Bytes from = key(100);
            Bytes to = key(400);
            List<Entry> forward = drain(store.scan(from, to));
            assertThat("scan [key000100, key000400)", forward, equalTo(entries(new TreeMap<>(model.subMap(from, to)))));
            List<Entry> backward = drain(store.scanReverse(from, to));
            List<Entry> reversed = new ArrayList<>(forward);
            java.util.Collections.reverse(reversed);
            assertThat("scanReverse gives the same keys, largest first", backward, equalTo(reversed));
        }
    }

    @Test
    void everythingIsThereAfterCloseAndReopen() throws IOException {
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        try (LsmStore store = open()) {
            for (int i = 0; i < 1200; i++) {
                store.put(key(i % 900), value(i, 0));
                model.put(key(i % 900), value(i, 0));
            }
        }
        try (LsmStore store = open()) {
            assertThat(
                    "after reopening (tables from the MANIFEST, the last memtable from the log)",
                    drain(store.scan(null, null)),
                    equalTo(entries(model)));
            store.put(key(1), value(1, 99));
        }
        try (LsmStore store = open()) {
            assertThat(
                    "a write after a reopen survives the next one",
                    store.get(key(1)),
                    equalTo(Optional.of(value(1, 99))));
        }
    }

    @Test
    void aSyncedWriteSurvivesAPowerLossAndABatchIsAllOrNothing() throws IOException {
        LsmStore crashed = open();
        crashed.write(new WriteBatch().put(key(1), value(1, 1)).put(key(2), value(2, 1)));
        crashed.sync();
        crashed.write(new WriteBatch().put(key(1), value(1, 2)).delete(key(2)));
        storage.powerLoss(); // the second batch was never forced: gone, or whole, never half; `crashed` is never closed
        try (LsmStore store = open()) {
            Optional<Bytes> one = store.get(key(1));
            Optional<Bytes> two = store.get(key(2));
            boolean firstOnly = one.equals(Optional.of(value(1, 1))) && two.equals(Optional.of(value(2, 1)));
            boolean both = one.equals(Optional.of(value(1, 2))) && two.isEmpty();
            assertThat(
                    "after power loss: the synced batch, and the unsynced one whole or not at all; got key1=" + one
                            + ", key2=" + two,
                    firstOnly || both,
                    is(true));
        }
    }

    @Test
    void sizeTieredCompactionWritesLessThanLeveledAndKeepsMoreRuns() throws IOException {
        long[] compactionBytes = new long[2];
        long[] runs = new long[2];
        for (LsmOptions.CompactionStyle style : LsmOptions.CompactionStyle.values()) {
            FaultInjectingStorage fresh = new FaultInjectingStorage(2);
            TreeMap<Bytes, Bytes> model = new TreeMap<>();
            try (LsmStore store = LsmStore.open(fresh, LsmOptions.tiny().withCompaction(style))) {
                for (int i = 0; i < 6000; i++) {
                    int k = (i * 7919) % 3000;
                    store.put(key(k), value(k, i));
                    model.put(key(k), value(k, i));
                }
                assertThat(
                        style + ": a full scan is the model", drain(store.scan(null, null)), equalTo(entries(model)));
                LsmStore.Stats stats = store.stats();
                compactionBytes[style.ordinal()] = stats.compactionBytesWritten();
                long r = stats.filesPerLevel()[0];
                for (int level = 1; level < stats.filesPerLevel().length; level++) {
                    r += stats.filesPerLevel()[level] > 0 ? 1 : 0;
                }
                runs[style.ordinal()] = r;
            }
        }
        int leveled = LsmOptions.CompactionStyle.LEVELED.ordinal();
        int tiered = LsmOptions.CompactionStyle.TIERED.ordinal();
        assertThat(
                "the same 6,000 puts: tiered compactions write fewer bytes than leveled ones ("
                        + compactionBytes[tiered] + " against " + compactionBytes[leveled] + ")",
                compactionBytes[tiered],
                lessThan(compactionBytes[leveled]));
        assertThat("and leveled compaction rewrote a lot", compactionBytes[leveled], greaterThan(0L));
    }

    /** Puts keys 0 to 99 (version 0) and flushes them: the tiny store's memtables reach tables. */
    private static void putOneHundredKeysAndFlush(LsmStore store) throws IOException {
        for (int i = 0; i < 100; i++) {
            store.put(key(i), value(i, 0));
        }
        store.flush();
    }

    /** Gets key 42 (written by {@link #putOneHundredKeysAndFlush}) and checks it read one block from {@code counted}. */
    private static void assertTheFirstGetReadsOneBlock(LsmStore store, CountingStorage counted, String why)
            throws IOException {
        long before = counted.reads();
        assertThat(store.get(key(42)), equalTo(Optional.of(value(42, 0))));
        assertThat(why, counted.reads() - before, equalTo(1L));
    }

    @Test
    void aFlushOpensItsTableSoThatTheFirstGetReadsOnlyTheDataBlock() throws IOException {
        CountingStorage counted = new CountingStorage(storage);
        try (LsmStore store = LsmStore.open(counted, LsmOptions.tiny())) {
            putOneHundredKeysAndFlush(store);
            assertTheFirstGetReadsOneBlock(
                    store,
                    counted,
                    "the flush opened its new table (footer, index, filter and properties read in the background):"
                            + " the first get of it reads one data block, on the reader's time");
        }
    }

    @Test
    void aReopenedStoreOpensItsTablesSoThatTheFirstGetReadsOnlyTheDataBlock() throws IOException {
        try (LsmStore store = open()) {
            putOneHundredKeysAndFlush(store);
        }
        CountingStorage counted = new CountingStorage(storage);
        try (LsmStore store = LsmStore.open(counted, LsmOptions.tiny())) {
            assertTheFirstGetReadsOneBlock(
                    store,
                    counted,
                    "the open opened every table of the version (footer, index, filter and properties):"
                            + " the first get after it reads one data block");
        }
    }

    @Test
    void aDamagedTableLetsTheStoreOpenAndItsFirstGetSaysWhatIsWrong() throws IOException {
        try (LsmStore store = open()) {
            putOneHundredKeysAndFlush(store);
        }
        List<String> tables = new ArrayList<>();
        for (String name : storage.list()) {
            LsmFileNames.Parsed p = LsmFileNames.parse(name);
            if (p != null && p.type() == LsmFileNames.Type.TABLE) {
                tables.add(name);
            }
        }
        assertThat("the puts reached tables", tables, not(empty()));
        for (String table : tables) {
            storage.flipBit(table, storage.size(table) - 1, 0); // the footer's magic number
        }
        try (LsmStore store = open()) {
            CorruptionException e = assertThrows(CorruptionException.class, () -> store.get(key(42)));
            assertThat(
                    "the error names a damaged table: " + e.getMessage(),
                    tables.stream().anyMatch(e.getMessage()::contains),
                    is(true));
            assertThat("a key no table holds is still read", store.get(key(5000)), equalTo(Optional.empty()));
        }
    }

    @Test
    void sequentialInsertsMoveTablesDownWithoutRewritingThem() throws IOException {
        try (LsmStore store = open()) {
            for (int i = 0; i < 4000; i++) {
                store.put(key(i), value(i, 0)); // ascending: no table overlaps the next level
            }
            store.waitForCompactions();
            LsmStore.Stats stats = store.stats();
            assertThat(
                    "tables of ascending keys overlap nothing below: compactions move them (trivial moves)",
                    stats.trivialMoves(),
                    greaterThan(0L));
            assertThat(
                    "each flush of ascending keys is a level-0 table beside the others and beside the base level:"
                            + " level 0's tables move down together, and no compaction rewrites a byte",
                    stats.compactionBytesWritten(),
                    equalTo(0L));
            for (int i = 0; i < 4000; i += 97) {
                assertThat(store.get(key(i)), equalTo(Optional.of(value(i, 0))));
            }
        }
    }

    @Test
    void withoutItsOwnLogTheStoreIsDurableOnlyOnceFlushedAndCloseFlushes() throws IOException {
        LsmOptions noWal = LsmOptions.tiny().withoutWal();
        try (LsmStore store = LsmStore.open(storage, noWal)) {
            store.put(key(1), value(1, 1));
        } // close flushes the memtable: the only copy of the write
        LsmStore crashed = LsmStore.open(storage, noWal);
        assertThat(
                "a write from before a clean close is in a table",
                crashed.get(key(1)),
                equalTo(Optional.of(value(1, 1))));
        crashed.put(key(2), value(2, 1));
        crashed.sync(); // without the log, sync flushes
        crashed.put(key(3), value(3, 1));
        for (String name : storage.list()) {
            if (LsmFileNames.parse(name) != null && LsmFileNames.parse(name).type() == LsmFileNames.Type.LOG) {
                assertThat(
                        "no record reaches a log when the options turn it off: " + name,
                        storage.size(name),
                        equalTo((long) RecordLogFormat.FILE_HEADER_SIZE));
            }
        }
        storage.powerLoss(); // key 3 was only in the memtable
        try (LsmStore store = LsmStore.open(storage, noWal)) {
            assertThat(
                    "a write that sync flushed survives a power loss",
                    store.get(key(2)),
                    equalTo(Optional.of(value(2, 1))));
            assertThat(
                    "an unflushed write without a log is lost in a power loss (the layer above must log it)",
                    store.get(key(3)),
                    equalTo(Optional.empty()));
        }
    }

    @Test
    void aCompactionFilterDropsTheValuesItChoosesAndSeesOnlyWhatNoSnapshotNeeds() throws IOException {
        List<Boolean> bottommost = new ArrayList<>();
        LsmOptions options = LsmOptions.tiny().withCompactionFilter((level, bottom) -> {
            bottommost.add(bottom);
            return (userKey, value) -> new String(value, java.nio.charset.StandardCharsets.UTF_8).startsWith("drop");
        });
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        try (LsmStore store = LsmStore.open(storage, options)) {
            Snapshot snapshot = null;
            for (int i = 0; i < 400; i++) {
                Bytes v = i % 3 == 0 ? Bytes.of("drop-" + i + "-" + "x".repeat(40)) : value(i, 1);
                store.put(key(i), v);
                model.put(key(i), v);
                if (i == 0) {
                    snapshot = store.snapshot(); // key 0's value is readable at it; the 399 writes after it are not
                }
            }
            store.compactAll();
            assertThat(
                    "a value a snapshot still reads is never shown to the filter",
                    store.get(key(0), snapshot),
                    equalTo(Optional.of(model.get(key(0)))));
            snapshot.close();
            store.put(key(1000), value(1000, 1)); // a compaction after the snapshot is released may drop
            store.compactAll();
            model.values().removeIf(v -> v.toUtf8().startsWith("drop"));
            model.put(key(1000), value(1000, 1));
            assertThat(
                    "the filter dropped exactly the values it chose",
                    drain(store.scan(null, null)),
                    equalTo(entries(model)));
            assertThat("the stats count the dropped values", store.stats().filteredValues(), equalTo(134L));
            assertThat(
                    "compactAll's last compaction writes the bottommost level",
                    bottommost.get(bottommost.size() - 1),
                    is(true));
        }
    }

    @Test
    void writesWaitForCompactionWhenTooManyBytesArePendingAndGoOnOnceItCatchesUp() throws IOException {
        LsmOptions.Builder b = LsmOptions.tiny().withBackgroundWork(true).toBuilder();
        b.l0SlowdownTrigger = 1_000; // level 0's own triggers out of the way: only the byte limits act
        b.l0StopTrigger = 1_000;
        b.softPendingCompactionBytes = 1;
        b.hardPendingCompactionBytes = 1; // any pending byte stops a writer while a compaction can run
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        try (LsmStore store = LsmStore.open(storage, b.build())) {
            for (int i = 0; i < 3_000; i++) {
                store.put(key(i % 700), value(i % 700, i));
                model.put(key(i % 700), value(i % 700, i));
            }
            assertThat(
                    "writers stalled on the pending bytes",
                    store.stats().metrics().writeStalls(),
                    greaterThan(0L));
            assertThat(
                    "level 0 never ran far ahead of its compactions",
                    store.stats().filesPerLevel()[0],
                    lessThanOrEqualTo(3L));
            store.compactAll();
            assertThat("nothing pending once compaction caught up", store.pendingCompactionBytes(), equalTo(0L));
            assertThat(drain(store.scan(null, null)), equalTo(entries(model)));
        }
    }

    @Test
    void waitForCompactionsReturnsOnceNothingIsDueAndTheDataIsIntact() throws IOException {
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        try (LsmStore store = LsmStore.open(storage, LsmOptions.tiny().withBackgroundWork(true))) {
            for (int i = 0; i < 4_000; i++) {
                store.put(key(i % 900), value(i % 900, i));
                model.put(key(i % 900), value(i % 900, i));
            }
            store.waitForCompactions();
            assertThat(
                    "level 0 is below its trigger once compaction settles",
                    store.stats().filesPerLevel()[0],
                    lessThan((long) LsmOptions.tiny().l0CompactionTrigger()));
            assertThat("no level is over its target", store.pendingCompactionBytes(), equalTo(0L));
            assertThat(
                    "levels below 0 hold the data",
                    store.stats().bytesPerLevel()[1]
                            + store.stats().bytesPerLevel()[2]
                            + store.stats().bytesPerLevel()[3],
                    greaterThan(0L));
            assertThat(drain(store.scan(null, null)), equalTo(entries(model)));
        }
    }

    @Test
    void aReaderThatLetsGoOfAReplacedVersionLastDeletesNoFile() throws IOException, InterruptedException {
        Map<String, String> deletedBy = new java.util.concurrent.ConcurrentHashMap<>();
        dev.storagelab.io.Storage recording = new dev.storagelab.io.ForwardingStorage(storage) {
            @Override
            public void delete(String name) throws IOException {
                deletedBy.put(name, Thread.currentThread().getName());
                super.delete(name);
            }
        };
        try (LsmStore store = LsmStore.open(recording, LsmOptions.tiny().withBackgroundWork(true))) {
            for (int i = 0; i < 2_000; i++) {
                store.put(key(i % 300), value(i % 300, i));
            }
            store.waitForCompactions();
            EntryIterator scan = store.scan(null, null); // holds the version that names every table of `before`
            // The version's tables, not the directory's: a table a finished compaction replaced may still
            // be in the directory, and be deleted by the background thread before the scan lets go.
            List<String> before = store.currentVersion().liveFiles().stream()
                    .map(LsmFileNames::table)
                    .toList();
            assertThat(scan.hasNext(), is(true));
            store.compactAll(); // rewrites them: the scan is now their only holder
            deletedBy.clear();
            scan.close(); // the last reference: the tables of `before` are obsolete now
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!deletedBy.keySet().containsAll(before) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(
                    "the replaced tables " + before + " are deleted",
                    deletedBy.keySet().containsAll(before),
                    is(true));
            String reader = Thread.currentThread().getName();
            for (String name : before) {
                assertThat(
                        name + " is deleted by the store's background thread, not by the reader that let go last",
                        deletedBy.get(name).equals(reader),
                        is(false));
            }
        }
    }

    @Test
    void flushesAndCompactionsUnlinkNoFileWhileHoldingTheStoresMutex() throws IOException {
        java.util.concurrent.atomic.AtomicReference<LsmStore> opened =
                new java.util.concurrent.atomic.AtomicReference<>();
        List<String> deleted = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> underMutex = new java.util.concurrent.CopyOnWriteArrayList<>();
        dev.storagelab.io.Storage recording = new dev.storagelab.io.ForwardingStorage(storage) {
            @Override
            public void delete(String name) throws IOException {
                LsmStore s = opened.get();
                if (s != null && s.mutex.isHeldByCurrentThread()) {
                    underMutex.add(name + " by " + Thread.currentThread().getName());
                }
                deleted.add(name);
                super.delete(name);
            }
        };
        // No reader holds a version, so each flush and compaction lets go of the one it replaces
        // last, under the mutex the writer takes for every put.
        try (LsmStore store = LsmStore.open(recording, LsmOptions.tiny().withBackgroundWork(true))) {
            opened.set(store);
            for (int i = 0; i < 3_000; i++) {
                store.put(key(i % 400), value(i % 400, i));
            }
            store.waitForCompactions();
            assertThat(
                    "compactions replaced tables, and their files were deleted",
                    deleted.stream().anyMatch(n -> n.endsWith(".sst")),
                    is(true));
        }
        assertThat("files unlinked while the deleting thread held the store's mutex", underMutex, empty());
    }

    /** A storage that creates a table file only when a permit was given for it: flushes wait for {@link #let}. */
    @Test
    void fullMemtablesQueueBehindASlowFlushAreReadAndSurviveAPowerLoss() throws IOException, InterruptedException {
        HeldFlushes held = new HeldFlushes(storage);
        LsmOptions.Builder b = LsmOptions.tiny().withBackgroundWork(true).toBuilder();
        b.maxImmutableMemtables = 3;
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        LsmStore crashed = LsmStore.open(held, b.build());
        // About 70 puts fill a memtable of 8 KiB: 250 fill three, which wait for their flush, and
        // start a fourth; one more full memtable than the queue holds would stop the writer.
        for (int i = 0; i < 250; i++) {
            crashed.put(key(i), value(i, 1));
            model.put(key(i), value(i, 1));
            if (i == 180) { // in the third memtable, over keys of the first
                crashed.put(key(3), value(3, 2));
                model.put(key(3), value(3, 2));
                crashed.delete(key(4));
                model.remove(key(4));
            }
        }
        crashed.delete(key(5)); // in the active memtable
        model.remove(key(5));
        assertThat(
                "no flush could finish: every write is in a memtable",
                crashed.stats().metrics().flushes(),
                equalTo(0L));
        for (int i = 0; i < 250; i++) {
            assertThat(
                    "read through the memtables newest first: " + key(i),
                    crashed.get(key(i)),
                    equalTo(Optional.ofNullable(model.get(key(i)))));
        }
        assertThat(drain(crashed.scan(null, null)), equalTo(entries(model)));
        List<Entry> reverse = drain(crashed.scanReverse(null, null));
        java.util.Collections.reverse(reverse);
        assertThat(reverse, equalTo(entries(model)));
        crashed.sync();
        held.let(1); // the oldest memtable's flush, and only it: the newer ones' logs must stay until theirs
        for (int waited = 0; crashed.stats().metrics().flushes() == 0 && waited < 10_000; waited++) {
            Thread.sleep(1);
        }
        assertThat("the oldest memtable was flushed", crashed.stats().metrics().flushes(), equalTo(1L));
        crashed.put(key(9_999), value(9_999, 1));
        crashed.sync();
        model.put(key(9_999), value(9_999, 1));
        storage.powerLoss(); // `crashed` is never closed
        held.let(1_000);
        try (LsmStore store = open()) {
            assertThat(
                    "every synced write, whichever memtable held it",
                    drain(store.scan(null, null)),
                    equalTo(entries(model)));
        }
    }
}
