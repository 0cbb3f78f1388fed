package dev.storagelab.kvstore.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.bounds.ForwardingOrderedStore;
import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.kvstore.CheckpointFile;
import dev.storagelab.kvstore.Engine;
import dev.storagelab.kvstore.WriteAheadStore;
import dev.storagelab.lab.Graded;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.lsm.WriteBatch;
import dev.storagelab.wal.SyncMode;
import dev.storagelab.wal.Wal;
import dev.storagelab.wal.WalOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of lab-06 T3, an engine under the write-ahead log: a power loss before every file
 * operation of a run of batches and checkpoints, in every power-loss mode, over both engines; a
 * crash during recovery itself; why the log must come first (the same scenario breaks an engine
 * that applies before it logs); concurrent writers apply in log order; a checkpoint that claims
 * more than the log holds is corruption, not silence.
 */
@Tag("hidden")
class WriteAheadStoreHiddenTest {

    enum Kind {
        BTREE,
        LSM
    }

    private static Engine engine(Kind kind, Storage storage) throws IOException {
        return switch (kind) {
            case BTREE ->
                Engine.of(BPlusTree.open(
                        storage, BTreeOptions.defaults().withPageSize(1024).withPoolFrames(32)));
            case LSM -> Engine.of(LsmStore.open(storage, LsmOptions.tiny().withoutWal()));
        };
    }

    private static WalOptions walOptions(SyncMode mode) {
        return WalOptions.defaults().withSyncMode(mode).withSegmentBytes(8 << 10);
    }

    private static Bytes key(int i) {
        return Bytes.of(String.format("key%04d", i));
    }

    private static final int BATCHES = 60;

    /** Batch {@code b}: six keys and the marker, all with b's value. */
    private static List<Entry> batch(int b) {
        List<Entry> ops = new ArrayList<>();
        for (int j = 0; j < 6; j++) {
            int k = (b * 7 + j * 13) % 90;
            ops.add(
                    b % 11 == 10 && j == 0
                            ? Entry.tombstone(key(k))
                            : Entry.put(key(k), Bytes.of("b" + b + "-" + "q".repeat(24))));
        }
        ops.add(Entry.put(Bytes.of("last-batch"), Bytes.of(Integer.toString(b))));
        return ops;
    }

    /** Runs the workload with a crash armed before mutation {@code n}; returns the last acknowledged batch. */
    private static int runUntilCrash(Kind kind, FaultInjectingStorage storage) throws IOException {
        int acknowledged = -1;
        WriteAheadStore store = null;
        try {
            store = WriteAheadStore.open(storage, engine(kind, storage), walOptions(SyncMode.GROUP), null);
            for (int b = 0; b < BATCHES; b++) {
                store.write(batch(b));
                acknowledged = b;
                if (b % 20 == 19) {
                    byte marker = (byte) b;
                    store.checkpoint(() -> new byte[] {marker});
                }
            }
        } catch (IOException | UncheckedIOException e) {
            if (!storage.isCrashed()) {
                throw e;
            }
        }
        return acknowledged;
    }

    /** Reopens and checks: every acknowledged batch is there, at most the one in flight more, the last one whole. */
    private static void check(Kind kind, FaultInjectingStorage storage, int acknowledged, String when)
            throws IOException {
        try (WriteAheadStore store =
                WriteAheadStore.open(storage, engine(kind, storage), walOptions(SyncMode.GROUP), null)) {
            int survived = store.get(Bytes.of("last-batch"))
                    .map(v -> Integer.parseInt(v.toUtf8()))
                    .orElse(-1);
            assertThat(
                    when + ": batches up to " + acknowledged + " were acknowledged under GROUP, but the store "
                            + "reopened with batches up to " + survived,
                    survived >= acknowledged,
                    is(true));
            assertThat(
                    when + ": batch " + survived + " survived, but only up to " + (acknowledged + 1) + " was written",
                    survived <= acknowledged + 1,
                    is(true));
            for (int b = Math.max(0, survived - 12); b <= survived; b++) { // the newest batches, each whole
                List<Entry> ops = batch(b);
                for (int j = 0; j < 6; j++) {
                    Entry e = ops.get(j);
                    Optional<Bytes> v = store.get(e.key());
                    boolean overwritten = false;
                    for (int later = b + 1; later <= survived; later++) {
                        overwritten |= batch(later).subList(0, 6).stream()
                                .anyMatch(o -> o.key().equals(e.key()));
                    }
                    if (overwritten) {
                        continue;
                    }
                    Optional<Bytes> expected = e.isTombstone() ? Optional.empty() : Optional.of(e.value());
                    assertThat(when + ": batch " + b + " is whole after recovery: " + e.key(), v, equalTo(expected));
                }
            }
        }
    }

    @Test
    @Graded(
            task = "T3",
            points = 8,
            concept = "after a power loss during writes or checkpoints, the store under the log loses an "
                    + "acknowledged write, keeps part of a batch, or cannot reopen")
    void aPowerLossBeforeAnyFileOperationKeepsEveryAcknowledgedBatchWhole() throws IOException {
        long points = 0;
        for (Kind kind : Kind.values()) {
            for (FaultInjectingStorage.CrashMode mode : FaultInjectingStorage.CrashMode.values()) {
                FaultInjectingStorage dry = new FaultInjectingStorage(1).crashMode(mode);
                runUntilCrash(kind, dry);
                long total = dry.mutationCount();
                assertThat("the workload logs, checkpoints and recycles the log", total, greaterThan(150L));
                for (long n = 1; n <= total; n++) {
                    FaultInjectingStorage storage = new FaultInjectingStorage(n).crashMode(mode);
                    storage.crashBeforeMutation(n);
                    int acknowledged = runUntilCrash(kind, storage);
                    storage.powerLoss();
                    check(kind, storage, acknowledged, kind + " " + mode + ", crash before mutation " + n);
                    points++;
                }
            }
        }
        System.out.println("[write-ahead crash sweep] " + points + " crash points");
    }

    @Test
    @Graded(
            task = "T3",
            points = 3,
            concept = "under SyncMode.NONE a checkpoint records an LSN the log has not made durable: after "
                    + "a power loss the store cannot reopen, or loses writes the checkpoint covered")
    void underNoSyncACheckpointNeverClaimsMoreThanTheDurableLog() throws IOException {
        for (Kind kind : Kind.values()) {
            FaultInjectingStorage dry = new FaultInjectingStorage(1);
            int written = writeUnsynced(kind, dry);
            long total = dry.mutationCount();
            for (long n = 1; n <= total; n += 2) {
                FaultInjectingStorage storage = new FaultInjectingStorage(n);
                storage.crashBeforeMutation(n);
                int checkpointed = writeUnsynced(kind, storage);
                storage.powerLoss();
                try (WriteAheadStore store =
                        WriteAheadStore.open(storage, engine(kind, storage), walOptions(SyncMode.NONE), null)) {
                    int survived = store.get(Bytes.of("last-batch"))
                            .map(v -> Integer.parseInt(v.toUtf8()))
                            .orElse(-1);
                    assertThat(
                            kind + ", crash before mutation " + n + ": the last completed checkpoint covered batch "
                                    + checkpointed + ", the store reopened with " + survived,
                            survived >= checkpointed,
                            is(true));
                    assertThat(survived <= written, is(true));
                }
            }
        }
    }

    /** 30 batches under NONE with a checkpoint every 10; returns the last batch a completed checkpoint covers. */
    private static int writeUnsynced(Kind kind, FaultInjectingStorage storage) throws IOException {
        int checkpointed = -1;
        try {
            WriteAheadStore store =
                    WriteAheadStore.open(storage, engine(kind, storage), walOptions(SyncMode.NONE), null);
            for (int b = 0; b < 30; b++) {
                store.write(batch(b));
                if (b % 10 == 9) {
                    store.checkpoint(() -> null);
                    checkpointed = b;
                }
            }
        } catch (IOException | UncheckedIOException e) {
            if (!storage.isCrashed()) {
                throw e;
            }
        }
        return checkpointed;
    }

    @Test
    @Graded(
            task = "T3",
            points = 4,
            concept = "a crash during recovery (replaying the log into the engine) loses or damages data: "
                    + "recovery must be restartable")
    void aCrashDuringRecoveryIsRecoveredFromByRecoveringAgain() throws IOException {
        for (Kind kind : Kind.values()) {
            FaultInjectingStorage base = new FaultInjectingStorage(3);
            int acknowledged = runUntilCrash(kind, base);
            assertThat(acknowledged, equalTo(BATCHES - 1));
            base.powerLoss(); // the last 19 batches are only in the log
            byte[] snapshot = null;
            for (int n = 1; n < 400; n += 3) {
                FaultInjectingStorage storage = copy(base);
                storage.crashBeforeMutation(n);
                try (WriteAheadStore ignored =
                        WriteAheadStore.open(storage, engine(kind, storage), walOptions(SyncMode.GROUP), null)) {
                    if (!storage.isCrashed()) {
                        break; // recovery (and close) made fewer than n mutations
                    }
                } catch (IOException | UncheckedIOException e) {
                    if (!storage.isCrashed()) {
                        throw e;
                    }
                }
                storage.powerLoss();
                check(kind, storage, acknowledged, kind + ", crash during recovery before mutation " + n);
            }
        }
    }

    private static FaultInjectingStorage copy(FaultInjectingStorage from) throws IOException {
        FaultInjectingStorage to = new FaultInjectingStorage(9);
        for (String name : from.list()) {
            to.plant(name, from.durableContents(name));
        }
        return to;
    }

    /**
     * An engine under a log that applies first and logs second: the order the rule forbids. The
     * only difference from the real store's write.
     */
    private static final class ApplyFirst {
        final Engine engine;
        final Wal wal;

        ApplyFirst(Engine engine, Wal wal) {
            this.engine = engine;
            this.wal = wal;
        }

        void write(List<Entry> ops, Runnable meanwhile) throws IOException {
            for (Entry e : ops) {
                engine.put(e.key(), e.value());
            }
            meanwhile.run(); // another thread's checkpoint, between the apply and the log
            WriteBatch batch = new WriteBatch();
            ops.forEach(e -> batch.put(e.key(), e.value()));
            wal.commit(batch.encode(0));
        }
    }

    @Test
    @Graded(
            task = "T3",
            points = 3,
            concept = "a write reaches the engine before its log record: a checkpoint can make a write "
                    + "durable that the log never got and the client was told failed")
    void theLogComesFirstTheSameScenarioBreaksAnEngineThatAppliesFirst() throws IOException {
        Bytes k = Bytes.of("the-write");
        Bytes v = Bytes.of("never acknowledged");
        // The rule broken: apply, a checkpoint makes the engine durable, the log append fails.
        FaultInjectingStorage broken = new FaultInjectingStorage(5);
        Engine e1 = engine(Kind.LSM, broken);
        Wal wal = Wal.open(broken, walOptions(SyncMode.GROUP));
        ApplyFirst applyFirst = new ApplyFirst(e1, wal);
        assertThrows(
                IOException.class,
                () -> applyFirst.write(List.of(Entry.put(k, v)), () -> {
                    try {
                        e1.checkpoint();
                        broken.failNext(FaultInjectingStorage.Op.APPEND);
                    } catch (IOException ex) {
                        throw new UncheckedIOException(ex);
                    }
                }),
                "the log append fails: the client is told the write failed");
        broken.powerLoss();
        try (WriteAheadStore reopened =
                WriteAheadStore.open(broken, engine(Kind.LSM, broken), walOptions(SyncMode.GROUP), null)) {
            assertThat(
                    "apply-first: the write the client was told failed is in the database after the crash",
                    reopened.get(k),
                    equalTo(Optional.of(v)));
        }
        // The same scenario against the real store: the failed append stops the write before the engine.
        FaultInjectingStorage real = new FaultInjectingStorage(5);
        try (WriteAheadStore store =
                WriteAheadStore.open(real, engine(Kind.LSM, real), walOptions(SyncMode.GROUP), null)) {
            real.failNext(FaultInjectingStorage.Op.APPEND);
            assertThrows(IOException.class, () -> store.put(k, v));
            assertThat("a write whose log append failed is not in the engine", store.get(k), equalTo(Optional.empty()));
            try {
                store.checkpoint(() -> null);
            } catch (IOException refused) {
                // a log that failed may refuse to be truncated; the engine's checkpoint ran or not, either way
            }
        } catch (IOException closeAfterFailure) {
            // closing a failed log reports the failure again
        }
        real.powerLoss();
        try (WriteAheadStore reopened =
                WriteAheadStore.open(real, engine(Kind.LSM, real), walOptions(SyncMode.GROUP), null)) {
            assertThat(
                    "log first: the failed write is nowhere after the crash",
                    reopened.get(k),
                    equalTo(Optional.empty()));
        }
    }

    @Test
    @Graded(
            task = "T3",
            points = 4,
            concept = "concurrent writers apply to the engine in another order than the log's, so the "
                    + "state after recovery differs from the state before the crash")
    void concurrentWritersLeaveTheEngineExactlyAsReplayRebuildsIt() throws Exception {
        for (Kind kind : Kind.values()) {
            FaultInjectingStorage storage = new FaultInjectingStorage(8);
            List<Optional<Bytes>> before = new ArrayList<>();
            try (WriteAheadStore store =
                    WriteAheadStore.open(storage, engine(kind, storage), walOptions(SyncMode.GROUP), null)) {
                ExecutorService pool = Executors.newFixedThreadPool(8);
                try {
                    List<Future<?>> futures = new ArrayList<>();
                    for (int t = 0; t < 8; t++) {
                        int thread = t;
                        futures.add(pool.submit(() -> {
                            for (int i = 0; i < 150; i++) {
                                store.write(List.of(
                                        Entry.put(key(i % 10), Bytes.of("t" + thread + "-" + i)),
                                        Entry.put(key(100 + thread), Bytes.of("i" + i))));
                            }
                            return null;
                        }));
                    }
                    for (Future<?> f : futures) {
                        f.get(2, TimeUnit.MINUTES);
                    }
                } finally {
                    pool.shutdownNow();
                }
                assertThat("1,200 writes, 1,200 records", store.appliedLsn(), equalTo(1200L));
                for (int i = 0; i < 10; i++) {
                    before.add(store.get(key(i)));
                }
                store.sync();
            }
            storage.powerLoss();
            try (WriteAheadStore store =
                    WriteAheadStore.open(storage, engine(kind, storage), walOptions(SyncMode.GROUP), null)) {
                for (int i = 0; i < 10; i++) {
                    assertThat(
                            kind + ": the value every reader saw before the crash is the one replay rebuilds, "
                                    + key(i),
                            store.get(key(i)),
                            equalTo(before.get(i)));
                }
            }
        }
    }

    @Test
    @Graded(
            task = "T3",
            points = 2,
            concept = "a checkpoint record that claims more of the log than the log holds is accepted "
                    + "(new writes would reuse LSNs and be skipped at the next recovery)")
    void aLogShorterThanTheCheckpointIsCorruption() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(2);
        try (WriteAheadStore store =
                WriteAheadStore.open(storage, engine(Kind.BTREE, storage), walOptions(SyncMode.NONE), null)) {
            for (int i = 0; i < 50; i++) {
                store.put(key(i), Bytes.of("v" + i));
            }
            store.checkpoint(() -> null);
        }
        new CheckpointFile(5_000, null).write(storage);
        CorruptionException e = assertThrows(
                CorruptionException.class,
                () -> WriteAheadStore.open(storage, engine(Kind.BTREE, storage), walOptions(SyncMode.NONE), null));
        assertThat(e.getMessage(), containsString("5000"));
    }

    @Test
    @Graded(
            task = "T3",
            points = 1,
            concept = "a write does not return its log record's LSN, or a checkpoint does not return the LSN "
                    + "it covers")
    void writesReturnTheirLsnAndACheckpointTheLsnItCovers() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(31);
        try (WriteAheadStore store =
                WriteAheadStore.open(storage, engine(Kind.BTREE, storage), walOptions(SyncMode.GROUP), null)) {
            long first = store.writeAndGetLsn(List.of(Entry.put(key(1), Bytes.of("a"))));
            assertThat("a fresh log's first record", first, equalTo(1L));
            assertThat(store.writeAndGetLsn(List.of(Entry.put(key(2), Bytes.of("b")))), equalTo(2L));
            assertThat(
                    store.writeAndGetLsn(List.of(Entry.put(key(3), Bytes.of("c")), Entry.tombstone(key(1)))),
                    equalTo(3L));
            assertThat("the checkpoint covers every applied record", store.checkpoint(() -> null), equalTo(3L));
        }
    }

    /** An engine that runs {@code afterCheckpoint} after each checkpoint and throws {@code nextWrite} once, if set. */
    private static final class HookedEngine extends ForwardingOrderedStore implements Engine {
        private final Engine engine;
        Runnable afterCheckpoint = () -> {};
        RuntimeException nextWrite;

        HookedEngine(Engine engine) {
            super(engine);
            this.engine = engine;
        }

        @Override
        public void checkpoint() throws IOException {
            engine.checkpoint();
            afterCheckpoint.run();
        }

        @Override
        public void write(List<Entry> ops) throws IOException {
            RuntimeException e = nextWrite;
            if (e != null) {
                nextWrite = null;
                throw e;
            }
            super.write(ops);
        }

        @Override
        public String kind() {
            return engine.kind();
        }
    }

    @Test
    @Graded(
            task = "T3",
            points = 1,
            concept = "a checkpoint leaves in place the log segments it covers (all their LSNs at or below "
                    + "the covered LSN), so the log grows without end, or removes one it does not cover")
    void aCheckpointRemovesExactlyTheSegmentsItCovers() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(37);
        HookedEngine engine = new HookedEngine(engine(Kind.BTREE, storage));
        // segments of 64 bytes: each record of a 200-byte value fills one, so record n starts segment n
        WalOptions options = WalOptions.defaults().withSyncMode(SyncMode.GROUP).withSegmentBytes(64);
        Bytes big = Bytes.of("v".repeat(200));
        try (WriteAheadStore store = WriteAheadStore.open(storage, engine, options, null)) {
            for (int i = 1; i <= 20; i++) {
                store.put(key(i), big);
            }
            assertThat("one record per segment", store.wal().segmentNames().size(), equalTo(20));
            // a write while the engine's checkpoint runs: LSN 21, past the checkpoint, in a segment of its own
            engine.afterCheckpoint = () -> {
                try {
                    store.put(key(21), big);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            };
            assertThat("the checkpoint covers LSN 20", store.checkpoint(() -> null), equalTo(20L));
            engine.afterCheckpoint = () -> {};
            List<String> left = store.wal().segmentNames();
            assertThat(
                    "the segments left after a checkpoint covering LSNs 1 to 20, with LSN 21 written during it",
                    left.size(),
                    equalTo(1));
            assertThat(left.get(0), containsString("21"));
        }
        try (WriteAheadStore reopened = WriteAheadStore.open(storage, engine(Kind.BTREE, storage), options, null)) {
            assertThat("records replayed after the checkpoint", reopened.replayedRecords(), equalTo(1L));
            for (int i = 1; i <= 21; i++) {
                assertThat("key " + i, reopened.get(key(i)), equalTo(Optional.of(big)));
            }
        }
    }

    @Test
    @Graded(
            task = "T3",
            points = 1,
            concept = "an engine that fails a write with a runtime exception makes the store fail with "
                    + "another exception (a ClassCastException), or keeps accepting writes over the hole it left")
    void anEngineFailingWithARuntimeExceptionMakesTheStoreRefuseWrites() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(41);
        HookedEngine engine = new HookedEngine(engine(Kind.BTREE, storage));
        WriteAheadStore store = WriteAheadStore.open(storage, engine, walOptions(SyncMode.GROUP), null);
        try {
            store.put(key(1), Bytes.of("a"));
            IllegalStateException bug = new IllegalStateException("the engine's own bug");
            engine.nextWrite = bug;
            RuntimeException thrown = assertThrows(RuntimeException.class, () -> store.put(key(2), Bytes.of("b")));
            assertThat("the write that failed throws the engine's exception", thrown, is(bug));
            IOException refused = assertThrows(
                    IOException.class, () -> store.put(key(3), Bytes.of("c")), "a write after the engine failed");
            Throwable cause = refused;
            while (cause != null && cause != bug) {
                cause = cause.getCause();
            }
            assertThat("the refusal carries the engine's failure as its cause: " + refused, cause, is(bug));
            assertThrows(IOException.class, () -> store.checkpoint(() -> null), "a checkpoint after the engine failed");
            assertThat("the refused write is not in the engine", store.get(key(3)), equalTo(Optional.empty()));
        } finally {
            try {
                store.close();
            } catch (IOException closeAfterFailure) {
                // closing a failed store may report the failure again
            }
        }
    }
}
