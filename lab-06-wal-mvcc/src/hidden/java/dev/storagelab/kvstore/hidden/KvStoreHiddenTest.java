package dev.storagelab.kvstore.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kvstore.Engine;
import dev.storagelab.kvstore.KvOptions;
import dev.storagelab.kvstore.KvStore;
import dev.storagelab.kvstore.VersionGcFilter;
import dev.storagelab.kvstore.WriteAheadStore;
import dev.storagelab.lab.Graded;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.mvcc.ConflictException;
import dev.storagelab.mvcc.MvccStore;
import dev.storagelab.mvcc.Transaction;
import dev.storagelab.mvcc.VersionedKey;
import dev.storagelab.testkit.TestThreads;
import dev.storagelab.wal.GatedStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of lab-06 T7, KvStore: a power loss before every file operation of a run of bank
 * transfers and checkpoints, over both engines and every power-loss mode (acknowledged transfers
 * survive, none is half applied, the total never changes); the clock after a checkpoint whose log
 * is empty, and after one whose log holds only commits older than its clock; transfers under
 * concurrency with snapshot readers; the LSM tree's compaction filter against a model.
 */
@Tag("hidden")
class KvStoreHiddenTest {

    private static final int ACCOUNTS = 12;
    private static final int TRANSFERS = 40;

    private static KvOptions options(KvOptions.EngineKind engine) {
        return KvOptions.defaults()
                .withEngine(engine)
                .withGcInterval(Duration.ZERO)
                .withCheckpointLogBytes(1L << 40)
                .withBtree(BTreeOptions.defaults().withPageSize(1024).withPoolFrames(32))
                .withLsm(LsmOptions.tiny());
    }

    private static Bytes account(int i) {
        return Bytes.of(String.format("acct%02d", i));
    }

    private static long balance(Transaction t, int i) throws IOException {
        return t.get(account(i)).map(b -> Long.parseLong(b.toUtf8())).orElse(0L);
    }

    /** Transfer {@code n}: from one account to another, with the transfer's number in a marker. */
    private static void transfer(KvStore store, int n) throws IOException {
        try (Transaction t = store.begin()) {
            int from = (n * 5) % ACCOUNTS;
            int to = (n * 7 + 3) % ACCOUNTS;
            if (from == to) {
                to = (to + 1) % ACCOUNTS;
            }
            t.put(account(from), Bytes.of(Long.toString(balance(t, from) - n - 1)));
            t.put(account(to), Bytes.of(Long.toString(balance(t, to) + n + 1)));
            t.put(Bytes.of("~last"), Bytes.of(Integer.toString(n)));
            t.commit();
        }
    }

    private static int run(KvOptions.EngineKind engine, FaultInjectingStorage storage) throws IOException {
        int acknowledged = -1;
        KvStore store = null;
        try {
            store = KvStore.open(storage, options(engine));
            for (int n = 0; n < TRANSFERS; n++) {
                transfer(store, n);
                acknowledged = n;
                if (n % 13 == 12) {
                    store.checkpoint();
                }
            }
            store.close();
        } catch (IOException | UncheckedIOException e) {
            if (!storage.isCrashed()) {
                throw e;
            }
            abandon(store);
        }
        return acknowledged;
    }

    /**
     * Stops a store whose storage crashed under it (its background thread would otherwise outlive
     * the run, with everything it holds: a thousand crash points are a thousand stores). Its close
     * fails on the dead storage, as a crashed process never closes at all.
     */
    private static void abandon(KvStore store) {
        if (store == null) {
            return;
        }
        try {
            store.close();
        } catch (IOException | RuntimeException expected) {
            // the storage is dead; what matters is that the store let go of its thread
        }
    }

    private static void check(KvOptions.EngineKind engine, FaultInjectingStorage storage, int acknowledged, String when)
            throws IOException {
        try (KvStore store = KvStore.open(storage, options(engine));
                Transaction t = store.begin()) {
            int last = t.get(Bytes.of("~last"))
                    .map(b -> Integer.parseInt(b.toUtf8()))
                    .orElse(-1);
            assertThat(
                    when + ": transfers up to " + acknowledged + " were acknowledged; the store has up to " + last,
                    last >= acknowledged && last <= acknowledged + 1,
                    is(true));
            long total = 0;
            for (int i = 0; i < ACCOUNTS; i++) {
                total += balance(t, i);
            }
            assertThat(when + ": no transfer is half applied: the accounts still sum to 0", total, equalTo(0L));
        }
    }

    @Test
    @Graded(
            task = "T7",
            points = 8,
            concept = "after a power loss during commits or checkpoints, the key-value store lost an "
                    + "acknowledged transaction, applied half of one, or could not reopen")
    void aPowerLossBeforeAnyFileOperationKeepsEveryAcknowledgedTransferWhole() throws IOException {
        long points = 0;
        for (KvOptions.EngineKind engine : KvOptions.EngineKind.values()) {
            for (FaultInjectingStorage.CrashMode mode : FaultInjectingStorage.CrashMode.values()) {
                FaultInjectingStorage dry = new FaultInjectingStorage(1).crashMode(mode);
                run(engine, dry);
                long total = dry.mutationCount();
                assertThat(total, greaterThan(100L));
                for (long n = 1; n <= total; n++) {
                    FaultInjectingStorage storage = new FaultInjectingStorage(n).crashMode(mode);
                    storage.crashBeforeMutation(n);
                    int acknowledged = run(engine, storage);
                    storage.powerLoss();
                    check(engine, storage, acknowledged, engine + " " + mode + ", crash before mutation " + n);
                    points++;
                }
            }
        }
        System.out.println("[kvstore crash sweep] " + points + " crash points");
    }

    @Test
    @Graded(
            task = "T7",
            points = 3,
            concept =
                    "after a checkpoint and a crash, the clock starts over below timestamps already used: "
                            + "a new commit hides behind an older version (or KvStore.checkpoint does not return the LSN it covers)")
    void theClockResumesAfterTheCheckpointsClockWhenTheLogAfterItIsEmpty() throws IOException {
        for (KvOptions.EngineKind engine : KvOptions.EngineKind.values()) {
            FaultInjectingStorage storage = new FaultInjectingStorage(4);
            KvStore crashed = KvStore.open(
                    storage,
                    options(engine)
                            .withWal(dev.storagelab.wal.WalOptions.defaults().withSegmentBytes(4 << 10)));
            for (int i = 0; i < 300; i++) {
                crashed.put(account(i % 3), Bytes.of("v" + i));
            }
            assertThat(
                    engine + ": KvStore.checkpoint returns the LSN it covers, every applied record",
                    crashed.checkpoint(),
                    equalTo(crashed.writeAheadStore().appliedLsn())); // the log after it is empty
            assertThat(crashed.writeAheadStore().appliedLsn(), greaterThan(0L));
            storage.powerLoss(); // `crashed` is never closed, as after a real crash
            try (KvStore store = KvStore.open(
                    storage,
                    options(engine)
                            .withWal(dev.storagelab.wal.WalOptions.defaults().withSegmentBytes(4 << 10)))) {
                assertThat(store.get(account(2)), equalTo(Optional.of(Bytes.of("v299"))));
                store.put(account(2), Bytes.of("after the crash"));
                assertThat(
                        engine + ": the first commit after recovery is the newest version",
                        store.get(account(2)),
                        equalTo(Optional.of(Bytes.of("after the crash"))));
            }
        }
    }

    @Test
    @Graded(
            task = "T7",
            points = 2,
            concept =
                    "after a checkpoint and a crash, the clock resumes at the newest replayed commit though the "
                            + "checkpoint's clock is newer: commits the checkpoint covers are hidden, and timestamps are handed out again")
    void theClockResumesAfterTheCheckpointsClockWhenTheRecordsAfterItAreOlder() throws IOException {
        for (KvOptions.EngineKind engine : KvOptions.EngineKind.values()) {
            FaultInjectingStorage storage = new FaultInjectingStorage(5);
            KvOptions options = options(engine);
            try (KvStore store = KvStore.open(storage, options)) {
                store.put(account(0), Bytes.of("first")); // timestamp 1
                store.put(account(1), Bytes.of("second")); // timestamp 2
            } // the close checkpoints: its clock is 2, and the log after it is empty
            // A commit given timestamp 1 whose record reaches the log only after that checkpoint, as
            // when two commits take their timestamps in one order and reach the log in the other.
            WriteAheadStore.EngineOpener opener = () -> engine == KvOptions.EngineKind.BTREE
                    ? Engine.of(BPlusTree.open(storage, options.btree()))
                    : Engine.of(LsmStore.open(storage, options.lsm().withoutWal()));
            try (WriteAheadStore log =
                    WriteAheadStore.open(storage, opener, options.wal().withSyncMode(options.syncMode()), null)) {
                new MvccStore(log).write(1, List.of(Entry.put(account(2), Bytes.of("late"))));
            } // closed without a checkpoint: the record is the log after the checkpoint
            try (KvStore store = KvStore.open(storage, options)) {
                assertThat(
                        engine
                                + ": after a checkpoint whose clock is 2 and a log after it holding one commit at timestamp 1, "
                                + "the clock resumes at 2 (the larger), so the commit at timestamp 2 stays visible",
                        store.get(account(1)),
                        equalTo(Optional.of(Bytes.of("second"))));
                assertThat(store.get(account(2)), equalTo(Optional.of(Bytes.of("late"))));
                store.put(account(1), Bytes.of("after the crash"));
                assertThat(
                        engine
                                + ": the first commit after recovery is the newest version of a key the checkpoint covers",
                        store.get(account(1)),
                        equalTo(Optional.of(Bytes.of("after the crash"))));
            }
        }
    }

    @Test
    @Graded(
            task = "T7",
            points = 4,
            concept = "concurrent transfers through the store lose money or a snapshot reader sees a "
                    + "transfer half done")
    void concurrentTransfersAndSnapshotReadersKeepTheTotal() throws Exception {
        for (KvOptions.EngineKind engine : KvOptions.EngineKind.values()) {
            FaultInjectingStorage storage = new FaultInjectingStorage(6);
            try (KvStore store = KvStore.open(
                    storage,
                    options(engine).withGcInterval(Duration.ofMillis(5)).withCheckpointLogBytes(64 << 10))) {
                for (int i = 0; i < ACCOUNTS; i++) {
                    store.put(account(i), Bytes.of("1000"));
                }
                ExecutorService pool = Executors.newFixedThreadPool(6);
                AtomicBoolean stop = new AtomicBoolean();
                ConcurrentLinkedQueue<String> bad = new ConcurrentLinkedQueue<>();
                try {
                    List<Future<?>> futures = new ArrayList<>();
                    for (int w = 0; w < 4; w++) {
                        int writer = w;
                        futures.add(pool.submit(() -> {
                            for (int n = 0; n < 150; n++) {
                                int from = (n * 5 + writer) % ACCOUNTS;
                                int to = (n * 7 + writer + 1) % ACCOUNTS;
                                if (from == to) {
                                    continue;
                                }
                                try (Transaction t = store.begin()) {
                                    t.put(account(from), Bytes.of(Long.toString(balance(t, from) - 3)));
                                    t.put(account(to), Bytes.of(Long.toString(balance(t, to) + 3)));
                                    t.commit();
                                } catch (ConflictException retryLater) {
                                    // first committer won; this transfer is simply not made
                                }
                            }
                            return null;
                        }));
                    }
                    for (int r = 0; r < 2; r++) {
                        futures.add(pool.submit(() -> {
                            while (!stop.get()) {
                                try (Transaction t = store.begin()) {
                                    long total = 0;
                                    for (int i = 0; i < ACCOUNTS; i++) {
                                        total += balance(t, i);
                                    }
                                    if (total != 1000L * ACCOUNTS) {
                                        bad.add("a snapshot at " + t.startTs() + " sums to " + total);
                                    }
                                }
                            }
                            return null;
                        }));
                    }
                    for (int i = 0; i < 4; i++) {
                        futures.get(i).get(2, TimeUnit.MINUTES);
                    }
                    stop.set(true);
                    for (Future<?> f : futures) {
                        f.get(2, TimeUnit.MINUTES);
                    }
                } finally {
                    stop.set(true);
                    pool.shutdownNow();
                }
                assertThat(
                        engine + ": every snapshot sums to the same total",
                        bad.isEmpty() ? "" : bad.peek(),
                        equalTo(""));
            }
        }
    }

    /**
     * The compaction filter against a model: random versions of a few keys, in engine-key order,
     * and a random watermark; the filter drops exactly the versions older than the newest version
     * at or below the watermark, of each key.
     */
    @Property(tries = 200)
    @Graded(
            task = "T7",
            points = 3,
            concept = "garbage collection in the LSM tree's compactions drops a version a snapshot at "
                    + "the watermark still reads, or keeps versions no snapshot can read (or drops a key that does not decode, or "
                    + "miscounts what it dropped)")
    void theCompactionFilterDropsExactlyTheVersionsNoSnapshotCanRead(
            @ForAll @Size(min = 1, max = 60) List<@IntRange(min = 0, max = 400) Integer> stamps,
            @ForAll @IntRange(min = 0, max = 400) int watermark)
            throws IOException {
        TreeSet<VersionedKey> versions = new TreeSet<>();
        for (int i = 0; i < stamps.size(); i++) {
            versions.add(new VersionedKey(Bytes.of("k" + (i % 4)), stamps.get(i)));
        }
        VersionGcFilter filter = new VersionGcFilter(watermark);
        Set<VersionedKey> expectedDropped = new TreeSet<>();
        Bytes key = null;
        boolean kept = false;
        for (VersionedKey v : versions) { // user keys ascending, newest first: the engine's order
            if (!v.userKey().equals(key)) {
                key = v.userKey();
                kept = false;
            }
            if (v.commitTs() <= watermark) {
                if (kept) {
                    expectedDropped.add(v);
                }
                kept = true;
            }
        }
        Set<VersionedKey> dropped = new TreeSet<>();
        byte[] notVersioned = {'k', '0'}; // no terminator: does not decode, so it is kept
        assertThat(
                "a key that is not a versioned key is kept", filter.drop(notVersioned, new byte[] {1, 'x'}), is(false));
        for (VersionedKey v : versions) {
            if (filter.drop(v.encode().toByteArray(), new byte[] {1, 'x'})) {
                dropped.add(v);
            }
        }
        assertThat("versions " + versions + " at watermark " + watermark, dropped, equalTo(expectedDropped));
        assertThat(
                "a key that is not a versioned key is kept", filter.drop(notVersioned, new byte[] {1, 'x'}), is(false));
        assertThat("the filter's count of dropped versions", filter.dropped(), equalTo((long) expectedDropped.size()));
    }

    @Test
    @Graded(
            task = "T7",
            points = 1,
            concept = "a plain delete, or a tombstone in a plain batch, through the store is not applied")
    void plainDeletesAndBatchesAreTransactions() throws IOException {
        for (KvOptions.EngineKind engine : KvOptions.EngineKind.values()) {
            try (KvStore store = KvStore.open(new FaultInjectingStorage(6), options(engine))) {
                store.put(account(1), Bytes.of("a"));
                store.put(account(2), Bytes.of("b"));
                store.delete(account(1));
                assertThat(engine + ": a deleted key", store.get(account(1)), equalTo(Optional.empty()));
                store.write(List.of(Entry.put(account(3), Bytes.of("c")), Entry.tombstone(account(2))));
                assertThat(engine + ": a key deleted by a batch", store.get(account(2)), equalTo(Optional.empty()));
                assertThat(
                        engine + ": a key put by the same batch",
                        store.get(account(3)),
                        equalTo(Optional.of(Bytes.of("c"))));
                List<Entry> all = new ArrayList<>();
                try (EntryIterator it = store.scan(null, null)) {
                    it.forEachRemaining(all::add);
                }
                assertThat(engine + ": what a scan sees", all, equalTo(List.of(Entry.put(account(3), Bytes.of("c")))));
            }
        }
    }

    @Test
    @Graded(
            task = "T7",
            points = 2,
            concept =
                    "a plain put that loses a write-write conflict to a commit still waiting for its force "
                            + "gives up, or retries at once (and loses every retry) instead of waiting for the winner to be visible")
    void aPlainPutThatLosesAConflictWaitsForTheWinnerThenRetries() throws Exception {
        GatedStorage gated = new GatedStorage(new FaultInjectingStorage(8));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (KvStore store = KvStore.open(gated, options(KvOptions.EngineKind.BTREE))) {
            Bytes k = account(1);
            store.put(k, Bytes.of("first"));
            gated.closeGateBeforeNextForce();
            Future<?> winner = pool.submit(() -> {
                store.put(k, Bytes.of("winner"));
                return null;
            });
            gated.awaitForceAtGate(winner); // the winner holds its commit timestamp, not yet visible
            AtomicReference<Thread> loserThread = new AtomicReference<>();
            Future<?> loser = pool.submit(() -> {
                loserThread.set(Thread.currentThread());
                store.put(k, Bytes.of("loser"));
                return null;
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestThreads.LIVENESS_BOUND_SECONDS);
            while (!waitingForVisibility(loserThread.get())) {
                if (loser.isDone()) {
                    gated.openGate();
                    try {
                        loser.get();
                    } catch (ExecutionException e) {
                        throw new AssertionError(
                                "the put that lost the conflict failed instead of waiting for the winner "
                                        + "and retrying: " + e.getCause(),
                                e.getCause());
                    }
                    throw new AssertionError("the put returned while the commit it conflicts with was not yet durable");
                }
                if (System.nanoTime() > deadline) {
                    gated.openGate();
                    throw new AssertionError("the conflicting put neither waited for the winner nor returned in 60 s");
                }
                Thread.sleep(1);
            }
            gated.openGate();
            winner.get(TestThreads.LIVENESS_BOUND_SECONDS, TimeUnit.SECONDS);
            loser.get(TestThreads.LIVENESS_BOUND_SECONDS, TimeUnit.SECONDS);
            assertThat(
                    "the retried put commits after the winner", store.get(k), equalTo(Optional.of(Bytes.of("loser"))));
        } finally {
            gated.openGate();
            pool.shutdownNow();
        }
    }

    /** Whether {@code t} waits for a commit to become visible (the given {@code awaitConflictingCommit}, {@code awaitVisible}). */
    private static boolean waitingForVisibility(Thread t) {
        if (t == null) {
            return false;
        }
        for (StackTraceElement f : t.getStackTrace()) {
            if (f.getMethodName().equals("awaitConflictingCommit")
                    || f.getMethodName().equals("awaitVisible")) {
                return true;
            }
        }
        return false;
    }
}
