package dev.storagelab.lsm.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.lab.Graded;
import dev.storagelab.lsm.HeldFlushes;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.lsm.Snapshot;
import dev.storagelab.lsm.WriteBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of lab-05 T7, the LSM store: random histories of puts, deletes, batches, snapshots,
 * compactions and reopens against a {@link TreeMap} model (jqwik shrinks a failure to a short
 * history); power loss at every stage of flushes and compactions (what was synced survives, a batch
 * is whole or absent, nothing else appears); snapshots through compactions; deletions dropped only
 * where nothing below needs them; obsolete files deleted; corruption reported with the file; and
 * readers beside a writer with background flushes and compactions.
 */
@Tag("hidden")
class LsmStoreHiddenTest {

    private static Bytes key(int i) {
        return Bytes.of(String.format("k%05d", i));
    }

    private static Bytes value(int i, int version) {
        return Bytes.of("v" + i + "." + version + "-" + "p".repeat(i % 50));
    }

    private static List<Entry> drain(EntryIterator it) {
        List<Entry> out = new ArrayList<>();
        try (it) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    private static List<Entry> entries(Map<Bytes, Bytes> model) {
        List<Entry> out = new ArrayList<>();
        model.forEach((k, v) -> out.add(Entry.put(k, v)));
        return out;
    }

    // ------------------------------------------------------------------ model-based histories

    /** One step of a history. */
    sealed interface Op permits Put, Delete, Batch, TakeSnapshot, CompactAll, Reopen {}

    record Put(int key, int version) implements Op {}

    record Delete(int key) implements Op {}

    record Batch(List<Integer> keys, int version) implements Op {}

    record TakeSnapshot() implements Op {}

    record CompactAll() implements Op {}

    record Reopen() implements Op {}

    @Provide
    Arbitrary<List<Op>> histories() {
        Arbitrary<Integer> keys = Arbitraries.integers().between(0, 400);
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                Tuple2Of(
                        60,
                        Combinators.combine(keys, Arbitraries.integers().between(0, 1000))
                                .as(Put::new)),
                Tuple2Of(15, keys.map(Delete::new)),
                Tuple2Of(
                        8,
                        Combinators.combine(
                                        keys.list().ofMinSize(1).ofMaxSize(8),
                                        Arbitraries.integers().between(0, 1000))
                                .as(Batch::new)),
                Tuple2Of(2, Arbitraries.just(new TakeSnapshot())),
                Tuple2Of(1, Arbitraries.just(new CompactAll())),
                Tuple2Of(1, Arbitraries.just(new Reopen())));
        return op.list().ofMinSize(50).ofMaxSize(1500);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static net.jqwik.api.Tuple.Tuple2<Integer, Arbitrary<? extends Op>> Tuple2Of(
            int weight, Arbitrary<? extends Op> a) {
        return net.jqwik.api.Tuple.of(weight, a);
    }

    @Property(tries = 40)
    @Graded(
            task = "T7",
            points = 6,
            concept = "the LSM store loses, resurrects or invents a key over a history of puts, deletes, "
                    + "batches, flushes, compactions and reopens, or a snapshot sees a write made after it")
    void randomHistoriesMatchASortedMap(@ForAll("histories") List<Op> history) throws IOException {
        checkHistory(history, LsmOptions.tiny());
    }

    @Property(tries = 15)
    @Graded(
            task = "T7",
            points = 2,
            concept = "with size-tiered compaction, the LSM store loses, resurrects or invents a key, "
                    + "or a snapshot sees a write made after it")
    void randomHistoriesMatchASortedMapWithSizeTieredCompaction(@ForAll("histories") List<Op> history)
            throws IOException {
        checkHistory(history, LsmOptions.tiny().withCompaction(LsmOptions.CompactionStyle.TIERED));
    }

    private void checkHistory(List<Op> history, LsmOptions options) throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(3);
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        List<Snapshot> snapshots = new ArrayList<>();
        List<TreeMap<Bytes, Bytes>> snapshotModels = new ArrayList<>();
        LsmStore store = LsmStore.open(storage, options);
        try {
            for (Op op : history) {
                if (op instanceof Put p) {
                    store.put(key(p.key()), value(p.key(), p.version()));
                    model.put(key(p.key()), value(p.key(), p.version()));
                } else if (op instanceof Delete d) {
                    store.delete(key(d.key()));
                    model.remove(key(d.key()));
                } else if (op instanceof Batch b) {
                    WriteBatch batch = new WriteBatch();
                    for (int k : b.keys()) {
                        if ((k + b.version()) % 3 == 0) {
                            batch.delete(key(k));
                            model.remove(key(k));
                        } else {
                            batch.put(key(k), value(k, b.version()));
                            model.put(key(k), value(k, b.version()));
                        }
                    }
                    store.write(batch);
                } else if (op instanceof TakeSnapshot) {
                    snapshots.add(store.snapshot());
                    snapshotModels.add(new TreeMap<>(model));
                } else if (op instanceof CompactAll) {
                    store.compactAll();
                } else if (op instanceof Reopen) {
                    snapshots.forEach(Snapshot::close); // snapshots do not outlive the store
                    snapshots.clear();
                    snapshotModels.clear();
                    store.close();
                    store = LsmStore.open(storage, options);
                }
            }
            for (int k = 0; k <= 400; k++) {
                assertThat(
                        "get(" + key(k) + ") at the end of the history",
                        store.get(key(k)),
                        equalTo(Optional.ofNullable(model.get(key(k)))));
            }
            assertThat("a full scan at the end of the history", drain(store.scan(null, null)), equalTo(entries(model)));
            List<Entry> reversed = entries(model);
            Collections.reverse(reversed);
            assertThat(
                    "a full reverse scan at the end of the history",
                    drain(store.scanReverse(null, null)),
                    equalTo(reversed));
            for (int i = 0; i < snapshots.size(); i++) {
                assertThat(
                        "a scan at snapshot " + i + " sees the store as it was when the snapshot was taken",
                        drain(store.scan(null, null, snapshots.get(i))),
                        equalTo(entries(snapshotModels.get(i))));
            }
        } finally {
            snapshots.forEach(Snapshot::close);
            store.close();
        }
    }

    // ------------------------------------------------------------------ crashes

    /**
     * Writes batches, syncing every few, on a storage that loses power before its {@code n}-th
     * mutation; then reopens and checks: every synced batch is there, each later batch is whole or
     * absent, and they survive as a prefix (batch i+1 never without batch i).
     */
    private static void crashAt(long n, List<Long> sweep, FaultInjectingStorage.CrashMode mode) throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(n);
        storage.crashMode(mode);
        storage.crashBeforeMutation(n);
        int synced = -1;
        int written = -1;
        LsmStore store = null;
        try {
            store = LsmStore.open(storage, LsmOptions.tiny());
            for (int b = 0; b < 120; b++) {
                WriteBatch batch = new WriteBatch();
                for (int j = 0; j < 6; j++) {
                    int k = (b * 7 + j * 13) % 150;
                    batch.put(key(k), Bytes.of("b" + b + "-" + "q".repeat(30)));
                }
                batch.put(Bytes.of("last-batch"), Bytes.of(Integer.toString(b)));
                store.write(batch);
                written = b;
                if (b % 10 == 9) {
                    store.sync();
                    synced = b;
                }
            }
            store.sync();
            synced = written;
        } catch (IOException | UncheckedIOException e) {
            if (!storage.isCrashed()) {
                throw e;
            }
        }
        sweep.add(storage.mutationCount());
        storage.powerLoss();
        try (LsmStore reopened = LsmStore.open(storage, LsmOptions.tiny())) {
            Optional<Bytes> last = reopened.get(Bytes.of("last-batch"));
            int survived = last.map(v -> Integer.parseInt(v.toUtf8())).orElse(-1);
            assertThat(
                    "crash before mutation " + n + ": batches up to " + synced + " were synced, but the store "
                            + "reopened with batches up to " + survived,
                    survived >= synced,
                    is(true));
            assertThat(
                    "crash before mutation " + n + ": batch " + survived + " survived, but only " + written
                            + " were written",
                    survived <= written,
                    is(true));
            for (int j = 0; survived >= 0 && j < 6; j++) {
                int k = (survived * 7 + j * 13) % 150;
                Optional<Bytes> v = reopened.get(key(k));
                assertThat(
                        "crash before mutation " + n + ": the last surviving batch " + survived + " is whole: " + key(k)
                                + " = " + v,
                        v.isPresent() && v.get().toUtf8().startsWith("b" + survived + "-"),
                        is(true));
            }
        }
    }

    @Test
    @Graded(
            task = "T7",
            points = 6,
            concept =
                    "after a power loss during writes, flushes or compactions, the LSM store loses a "
                            + "synced write, keeps part of a batch, cannot reopen, or reports corruption instead of a torn tail")
    void powerLossAtEveryStageKeepsSyncedBatchesAndWholeBatches() throws IOException {
        for (FaultInjectingStorage.CrashMode mode : FaultInjectingStorage.CrashMode.values()) {
            List<Long> sweep = new ArrayList<>();
            crashAt(Long.MAX_VALUE, sweep, mode); // no crash: how many mutations a whole run makes
            long total = sweep.get(0);
            assertThat("the workload flushes and compacts (it makes many file operations)", total, greaterThan(200L));
            for (long n = 1; n < total; n++) { // every crash point, in every power-loss mode
                crashAt(n, sweep, mode);
            }
            System.out.println("[lsm crash sweep] " + mode + ": " + (total - 1) + " crash points");
        }
    }

    // ------------------------------------------------------------------ compaction rules

    @Test
    @Graded(
            task = "T7",
            points = 3,
            concept = "compaction drops a deletion while an older value of the key still sits in a "
                    + "deeper level (the old value comes back)")
    void aDeletionIsKeptWhileALevelBelowStillHoldsTheKey() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(4);
        try (LsmStore store = LsmStore.open(storage, LsmOptions.tiny())) {
            for (int round = 0; round < 6; round++) { // deep levels full of old values
                for (int i = 0; i < 400; i++) {
                    store.put(key(i), value(i, round));
                }
            }
            store.compactAll();
            for (int i = 0; i < 400; i += 2) {
                store.delete(key(i));
            }
            for (int i = 0; i < 60; i++) { // a little more data, so only upper levels compact
                store.put(key(1000 + i), value(i, 9));
            }
            for (int i = 0; i < 400; i += 2) {
                assertThat(
                        "deleted " + key(i) + " stays deleted through partial compactions",
                        store.get(key(i)),
                        equalTo(Optional.empty()));
            }
            store.compactAll();
            for (int i = 0; i < 400; i++) {
                assertThat(
                        "after compactAll",
                        store.get(key(i)),
                        equalTo(i % 2 == 0 ? Optional.empty() : Optional.of(value(i, 5))));
            }
        }
    }

    @Test
    @Graded(
            task = "T7",
            points = 3,
            concept = "compaction drops a version that an open snapshot still sees, or keeps every old "
                    + "version forever after the snapshots are gone")
    void compactionKeepsWhatSnapshotsSeeAndOnlyThat() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(5);
        try (LsmStore store = LsmStore.open(storage, LsmOptions.tiny())) {
            for (int i = 0; i < 300; i++) {
                store.put(key(i), value(i, 0));
            }
            Snapshot snap = store.snapshot();
            for (int round = 1; round < 6; round++) {
                for (int i = 0; i < 300; i++) {
                    store.put(key(i), value(i, round));
                }
            }
            store.compactAll();
            for (int i = 0; i < 300; i += 17) {
                assertThat(
                        "the snapshot still sees version 0 after compactAll",
                        store.get(key(i), snap),
                        equalTo(Optional.of(value(i, 0))));
            }
            long withSnapshot = store.stats().tableBytes();
            snap.close();
            for (int i = 0; i < 10; i++) {
                store.put(key(2000 + i), value(i, 0)); // something to flush, so compaction runs again
            }
            store.compactAll();
            store.compactAll();
            long without = store.stats().tableBytes();
            assertThat(
                    "once the snapshot is closed, compaction drops version 0: " + withSnapshot + " -> " + without
                            + " bytes",
                    without,
                    lessThan(withSnapshot));
        }
    }

    @Test
    @Graded(
            task = "T7",
            points = 2,
            concept = "the LSM store leaves obsolete tables or logs behind after compactions and a reopen")
    void obsoleteFilesAreDeleted() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(6);
        try (LsmStore store = LsmStore.open(storage, LsmOptions.tiny())) {
            for (int i = 0; i < 4000; i++) {
                store.put(key(i % 500), value(i, i));
            }
            store.compactAll();
            LsmStore.Stats stats = store.stats();
            long tablesInVersion = 0;
            for (long n : stats.filesPerLevel()) {
                tablesInVersion += n;
            }
            long tablesOnDisk =
                    storage.list().stream().filter(n -> n.endsWith(".sst")).count();
            assertThat(
                    "tables on disk " + storage.list() + " are exactly the version's " + tablesInVersion,
                    tablesOnDisk,
                    equalTo(tablesInVersion));
            assertThat(
                    "one log is live",
                    storage.list().stream().filter(n -> n.endsWith(".log")).count(),
                    equalTo(1L));
        }
    }

    @Test
    @Graded(task = "T7", points = 2, concept = "a corrupt table is read as data, or the error does not name the file")
    void aCorruptTableIsReportedWithItsName() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(7);
        try (LsmStore store = LsmStore.open(storage, LsmOptions.tiny())) {
            for (int i = 0; i < 1000; i++) {
                store.put(key(i), value(i, 1));
            }
            store.compactAll();
        }
        String table = storage.list().stream()
                .filter(n -> n.endsWith(".sst"))
                .sorted()
                .findFirst()
                .orElseThrow();
        storage.flipBit(table, 100, 3); // inside the first data block
        try (LsmStore store = LsmStore.open(storage, LsmOptions.tiny())) {
            Exception e = assertThrows(
                    Exception.class,
                    () -> {
                        for (int i = 0; i < 1000; i++) {
                            store.get(key(i));
                        }
                        drain(store.scan(null, null));
                    },
                    "some read must reach the corrupt block");
            Throwable cause = e;
            while (!(cause instanceof CorruptionException) && cause.getCause() != null) {
                cause = cause.getCause();
            }
            assertThat("the error is a CorruptionException: " + e, cause instanceof CorruptionException, is(true));
            assertThat("it names the table", cause.getMessage(), containsString(table));
        }
    }

    // ------------------------------------------------------------------ background work

    @Test
    @Graded(
            task = "T7",
            points = 4,
            concept = "with background flushes and compactions, a reader sees a key go missing or go "
                    + "back to an older value, or the writer deadlocks")
    void readersBesideAWriterWithBackgroundCompactionsSeeEveryKeyMoveForward() throws Exception {
        FaultInjectingStorage storage = new FaultInjectingStorage(8);
        LsmOptions options = LsmOptions.tiny().withBackgroundWork(true);
        try (LsmStore store = LsmStore.open(storage, options)) {
            for (int i = 0; i < 200; i++) {
                store.put(key(i), Bytes.of("0"));
            }
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread writer = new Thread(
                    () -> {
                        try {
                            for (int round = 1; round <= 30; round++) {
                                for (int i = 0; i < 200; i++) {
                                    store.put(key(i), Bytes.of(Integer.toString(round)));
                                }
                            }
                        } catch (Throwable t) {
                            failure.compareAndSet(null, t);
                        }
                    },
                    "lsm-writer");
            writer.start();
            int[] seen = new int[200];
            Random random = new Random(8);
            while (writer.isAlive() && failure.get() == null) {
                int i = random.nextInt(200);
                Optional<Bytes> v = store.get(key(i));
                assertThat("key " + i + " is always present", v.isPresent(), is(true));
                int round = Integer.parseInt(v.get().toUtf8());
                assertThat(
                        "key " + i + " went back from round " + seen[i] + " to " + round, round >= seen[i], is(true));
                seen[i] = round;
            }
            writer.join(TimeUnit.MINUTES.toMillis(2));
            assertThat("the writer finished (no deadlock)", writer.isAlive(), is(false));
            if (failure.get() != null) {
                throw new AssertionError("the writer failed", failure.get());
            }
            store.compactAll();
            for (int i = 0; i < 200; i++) {
                assertThat(store.get(key(i)), equalTo(Optional.of(Bytes.of("30"))));
            }
        }
    }

    @Test
    @Graded(task = "T7", points = 1, concept = "the LSM store accepts a null or oversized key or value")
    void badInputIsRejectedWithAClearMessage() throws IOException {
        try (LsmStore store = LsmStore.open(new FaultInjectingStorage(9), LsmOptions.tiny())) {
            assertThrows(NullPointerException.class, () -> store.put(null, Bytes.of("v")));
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> store.put(Bytes.wrap(new byte[20_000]), Bytes.of("v")));
            assertThat(e.getMessage(), containsString("limit"));
            assertThrows(NullPointerException.class, () -> store.put(Bytes.of("k"), null));
            assertThat("nothing was written", drain(store.scan(null, null)), is(empty()));
        }
    }

    @Test
    @Graded(
            task = "T7",
            points = 2,
            concept = "a table the MANIFEST names but the directory lacks is not reported on open "
                    + "(its keys would read as absent)")
    void aMissingTableIsReportedWhenTheStoreOpens() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(10);
        try (LsmStore store = LsmStore.open(storage, LsmOptions.tiny())) {
            for (int i = 0; i < 800; i++) {
                store.put(key(i), value(i, 1));
            }
            store.compactAll();
        }
        String table = storage.list().stream()
                .filter(n -> n.endsWith(".sst"))
                .sorted()
                .findFirst()
                .orElseThrow();
        storage.delete(table);
        CorruptionException e =
                assertThrows(CorruptionException.class, () -> LsmStore.open(storage, LsmOptions.tiny()));
        assertThat("the error names the missing table", e.getMessage(), containsString(table));
    }

    @Test
    @Graded(
            task = "T7",
            points = 1,
            concept = "an LSM store written with leveled compaction loses data when reopened with "
                    + "size-tiered compaction, or the other way round")
    void theCompactionPolicyCanChangeOnReopen() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(11);
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        LsmOptions.CompactionStyle[] styles = {
            LsmOptions.CompactionStyle.LEVELED, LsmOptions.CompactionStyle.TIERED, LsmOptions.CompactionStyle.LEVELED
        };
        for (int round = 0; round < styles.length; round++) {
            try (LsmStore store = LsmStore.open(storage, LsmOptions.tiny().withCompaction(styles[round]))) {
                for (int i = 0; i < 1500; i++) {
                    int k = (i * 37 + round) % 900;
                    if (i % 9 == 0) {
                        store.delete(key(k));
                        model.remove(key(k));
                    } else {
                        store.put(key(k), value(k, round));
                        model.put(key(k), value(k, round));
                    }
                }
                assertThat(
                        "after round " + round + " (" + styles[round] + ")",
                        drain(store.scan(null, null)),
                        equalTo(entries(model)));
            }
        }
    }

    @Test
    @Graded(
            task = "T7",
            points = 2,
            concept = "a get or a scan reads only some of the full memtables waiting for their flush, "
                    + "or reads them oldest first (an older value, a deleted key back, a key missing)")
    void fullMemtablesWaitingForTheirFlushAreReadNewestFirstAtEverySnapshot() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(12);
        HeldFlushes held = new HeldFlushes(storage);
        LsmOptions.Builder b = LsmOptions.tiny().withBackgroundWork(true).toBuilder();
        b.maxImmutableMemtables = 3;
        LsmStore store = LsmStore.open(held, b.build());
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        List<Snapshot> snapshots = new ArrayList<>();
        List<TreeMap<Bytes, Bytes>> seen = new ArrayList<>();
        try {
            // About 70 puts fill a memtable of 8 KiB: three rounds fill three, which wait for their
            // flush, and the fourth round starts a fourth. Keys 0-19 get a new version every round.
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < 20; i++) {
                    store.put(key(i), value(i, round));
                    model.put(key(i), value(i, round));
                }
                if (round == 1) { // deletions in a middle memtable, over values of the first
                    for (int i = 0; i < 5; i++) {
                        store.delete(key(i));
                        model.remove(key(i));
                    }
                }
                for (int j = 0; round < 3 && j < 48; j++) { // each round's own keys
                    store.put(key(1000 + 100 * round + j), value(j, round));
                    model.put(key(1000 + 100 * round + j), value(j, round));
                }
                snapshots.add(store.snapshot());
                seen.add(new TreeMap<>(model));
            }
            assertThat(
                    "no flush could finish while the test held them: every write is in a memtable",
                    store.stats().metrics().flushes(),
                    equalTo(0L));
            for (int r = 0; r < snapshots.size(); r++) {
                // every key ever written (keys 0-4, deleted in round 1, are back since round 2)
                for (Map.Entry<Bytes, Bytes> e : model.entrySet()) {
                    assertThat(
                            "at the snapshot after round " + r + ": " + e.getKey(),
                            store.get(e.getKey(), snapshots.get(r)),
                            equalTo(Optional.ofNullable(seen.get(r).get(e.getKey()))));
                }
            }
            assertThat("a forward scan over every memtable", drain(store.scan(null, null)), equalTo(entries(model)));
            List<Entry> reverse = drain(store.scanReverse(null, null));
            Collections.reverse(reverse);
            assertThat("a reverse scan over every memtable", reverse, equalTo(entries(model)));
        } finally {
            held.let(1_000);
            snapshots.forEach(Snapshot::close);
            store.close();
        }
        try (LsmStore reopened = LsmStore.open(storage, LsmOptions.tiny())) {
            assertThat("after the flushes and a reopen", drain(reopened.scan(null, null)), equalTo(entries(model)));
        }
    }
}
