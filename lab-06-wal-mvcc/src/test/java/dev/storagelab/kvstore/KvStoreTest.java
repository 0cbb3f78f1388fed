package dev.storagelab.kvstore;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.mvcc.Transaction;
import dev.storagelab.mvcc.WriteConflictException;
import dev.storagelab.wal.SyncMode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tests for lab-06 T7, the crash-safe store: transactions over either engine, plain reads and
 * writes as one-operation transactions, recovery after a power loss (every acknowledged commit,
 * no half commit, a clock that resumes after every timestamp already used), checkpoints as the log
 * grows, and garbage collection (the B+tree's pass, the LSM tree's compaction filter).
 */
class KvStoreTest {

    private final FaultInjectingStorage storage = new FaultInjectingStorage(7);

    static KvOptions options(KvOptions.EngineKind engine) {
        return KvOptions.defaults()
                .withEngine(engine)
                .withGcInterval(Duration.ZERO)
                .withBtree(BTreeOptions.defaults().withPageSize(1024).withPoolFrames(64))
                .withLsm(LsmOptions.tiny());
    }

    private static Bytes key(int i) {
        return Bytes.of(String.format("acct%04d", i));
    }

    private static Bytes num(long n) {
        return Bytes.of(Long.toString(n));
    }

    private static long read(Transaction t, Bytes key) throws IOException {
        return t.get(key).map(b -> Long.parseLong(b.toUtf8())).orElse(0L);
    }

    @ParameterizedTest
    @EnumSource(KvOptions.EngineKind.class)
    void aTransactionSeesItsSnapshotAndItsOwnWritesAndCommitsWhole(KvOptions.EngineKind engine) throws IOException {
        try (KvStore store = KvStore.open(storage, options(engine))) {
            store.put(key(1), num(100));
            Transaction reader = store.begin();
            try (Transaction t = store.begin()) {
                t.put(key(1), num(40));
                t.put(key(2), num(60));
                assertThat("a transaction reads its own write", read(t, key(2)), equalTo(60L));
                assertThat("nobody else sees an uncommitted write", store.get(key(2)), equalTo(Optional.empty()));
                t.commit();
            }
            assertThat("after commit both writes are visible", store.get(key(2)), equalTo(Optional.of(num(60))));
            assertThat(
                    "a snapshot taken before the commit still reads the old value",
                    read(reader, key(1)),
                    equalTo(100L));
            reader.close();
        }
    }

    @ParameterizedTest
    @EnumSource(KvOptions.EngineKind.class)
    void theSecondOfTwoConcurrentWritersOfAKeyAbortsWithAConflict(KvOptions.EngineKind engine) throws IOException {
        try (KvStore store = KvStore.open(storage, options(engine))) {
            store.put(key(1), num(0));
            Transaction a = store.begin();
            Transaction b = store.begin();
            a.put(key(1), num(read(a, key(1)) + 1));
            b.put(key(1), num(read(b, key(1)) + 1));
            a.commit();
            WriteConflictException e = assertThrows(WriteConflictException.class, b::commit);
            assertThat("the conflict names the key", e.key(), equalTo(key(1)));
            assertThat("the lost update did not happen", store.get(key(1)), equalTo(Optional.of(num(1))));
        }
    }

    @ParameterizedTest
    @EnumSource(KvOptions.EngineKind.class)
    void aPowerLossKeepsEveryAcknowledgedCommitWholeAndTheClockMovesOn(KvOptions.EngineKind engine) throws IOException {
        KvStore crashed = KvStore.open(storage, options(engine));
        for (int i = 0; i < 200; i++) {
            try (Transaction t = crashed.begin()) { // a transfer: the total stays 0
                t.put(key(i % 20), num(read(t, key(i % 20)) - i));
                t.put(key(20 + i % 7), num(read(t, key(20 + i % 7)) + i));
                t.commit();
            }
            if (i == 120) {
                crashed.checkpoint();
            }
        }
        storage.powerLoss(); // `crashed` is never closed
        try (KvStore store = KvStore.open(storage, options(engine))) {
            long total = 0;
            List<Entry> all = new ArrayList<>();
            try (EntryIterator it = store.scan(null, null)) {
                it.forEachRemaining(all::add);
            }
            for (Entry e : all) {
                total += Long.parseLong(e.value().toUtf8());
            }
            assertThat("27 accounts survive", all.size(), equalTo(27));
            assertThat("every transfer is whole: the total is still 0", total, equalTo(0L));
            assertThat(
                    "the last acknowledged transfer is there",
                    store.get(key(199 % 20)).isPresent(),
                    is(true));
            long before = Long.parseLong(store.get(key(5)).orElseThrow().toUtf8());
            store.put(key(5), num(before + 1));
            assertThat(
                    "a commit after recovery gets a newer timestamp than every recovered version",
                    store.get(key(5)),
                    equalTo(Optional.of(num(before + 1))));
        }
    }

    @ParameterizedTest
    @EnumSource(KvOptions.EngineKind.class)
    void theLogIsCheckpointedAsItGrowsAndReplayStaysShort(KvOptions.EngineKind engine) throws IOException {
        KvOptions small = options(engine).withCheckpointLogBytes(16 << 10).withSyncMode(SyncMode.NONE);
        try (KvStore store = KvStore.open(storage, small)) {
            for (int i = 0; i < 3000; i++) {
                store.put(key(i % 300), num(i));
                if (i % 500 == 499) {
                    store.checkpoint();
                }
            }
            assertThat(store.stats().checkpoints(), greaterThan(0L));
            store.sync();
        }
        storage.powerLoss();
        try (KvStore store = KvStore.open(storage, small)) {
            assertThat(
                    "recovery replays only what the last checkpoint does not cover",
                    store.stats().replayedRecords(),
                    lessThan(600L));
            assertThat(store.get(key(299)), equalTo(Optional.of(num(2999))));
        }
    }

    @ParameterizedTest
    @EnumSource(KvOptions.EngineKind.class)
    void garbageCollectionRemovesVersionsNoSnapshotCanReadAndKeepsTheOnesItCan(KvOptions.EngineKind engine)
            throws IOException {
        try (KvStore store = KvStore.open(storage, options(engine))) {
            for (int v = 0; v < 5; v++) {
                for (int i = 0; i < 200; i++) {
                    store.put(key(i), num(v));
                }
            }
            Transaction old = store.begin(); // reads version 4 of everything
            for (int v = 5; v < 10; v++) {
                for (int i = 0; i < 200; i++) {
                    store.put(key(i), num(v));
                }
            }
            store.collectGarbage();
            if (engine == KvOptions.EngineKind.LSM) {
                ((LsmStore) ((Engine.Adapter) store.writeAheadStore().engine()).unwrap()).compactAll();
            }
            assertThat("the open snapshot still reads its version", read(old, key(7)), equalTo(4L));
            old.close();
            store.collectGarbage();
            long removed = store.stats().gc().versionsRemoved();
            if (engine == KvOptions.EngineKind.LSM) {
                LsmStore lsm =
                        (LsmStore) ((Engine.Adapter) store.writeAheadStore().engine()).unwrap();
                lsm.compactAll();
                removed = lsm.stats().filteredValues();
            }
            assertThat("most of the 2,000 versions were garbage once the snapshot closed", removed, greaterThan(1000L));
            assertThat(store.get(key(7)), equalTo(Optional.of(num(9))));
        }
    }

    /** The bytes of every file of the storage, to compare before and after an open that fails. */
    private java.util.Map<String, byte[]> files() throws IOException {
        java.util.Map<String, byte[]> files = new java.util.TreeMap<>();
        for (String name : storage.list()) {
            files.put(name, storage.contents(name));
        }
        return files;
    }

    @ParameterizedTest
    @EnumSource(KvOptions.EngineKind.class)
    void anOpenRefusedForADamagedLogChangesNothingAndTheRepairRestartsTheLogAfterTheCheckpoint(
            KvOptions.EngineKind engine) throws IOException {
        try (KvStore store = KvStore.open(storage, options(engine))) {
            for (int i = 1; i <= 3; i++) {
                store.put(key(i), num(i));
            }
        } // closing takes a checkpoint covering all three
        String segment = storage.list().stream()
                .filter(n -> n.endsWith(".wal"))
                .reduce((a, b) -> b)
                .orElseThrow();
        storage.flipBit(segment, storage.contents(segment).length - 2, 3); // the last record is damaged
        java.util.Map<String, byte[]> before = files();
        assertThrows(
                dev.storagelab.kv.CorruptionException.class,
                () -> KvStore.open(storage, options(engine)),
                "the log ends before the checkpoint's LSN");
        java.util.Map<String, byte[]> after = files();
        assertThat("the refused open left the same files", after.keySet(), equalTo(before.keySet()));
        for (String name : before.keySet()) {
            assertThat(
                    "the refused open left " + name + " as it was",
                    java.util.Arrays.equals(after.get(name), before.get(name)),
                    is(true));
        }

        LogRepair.Plan plan = LogRepair.plan(storage);
        assertThat(plan.describe(), plan.restarts(), is(true));
        assertThat(plan.describe(), plan.lost(), is(false));
        LogRepair.apply(storage, plan);
        try (KvStore store = KvStore.open(storage, options(engine))) {
            for (int i = 1; i <= 3; i++) {
                assertThat(
                        "after the repair, key " + i + " (in the checkpoint) is there",
                        store.get(key(i)),
                        equalTo(java.util.Optional.of(num(i))));
            }
            store.put(key(4), num(4));
        }
        try (KvStore store = KvStore.open(storage, options(engine))) {
            assertThat(
                    "a write after the repair is durable", store.get(key(4)), equalTo(java.util.Optional.of(num(4))));
        }
    }
}
