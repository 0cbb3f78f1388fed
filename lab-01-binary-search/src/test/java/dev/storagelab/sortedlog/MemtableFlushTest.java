package dev.storagelab.sortedlog;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

import dev.storagelab.io.DiskStorage;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.FaultInjectingStorage.CrashMode;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.ConcurrentSkipListMemtable;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.ForwardingMemtable;
import dev.storagelab.testkit.TestThreads;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests for lab-01 T8: {@code SortedLogStore.lookup} (the read path: active memtable, frozen
 * memtable, then segments newest to oldest) and {@code SortedLogStore.makeRoomForWrite} (rotating
 * a full memtable, and holding writers back while the previous flush is still running).
 *
 * <p>The oracle is a {@link TreeMap} of what the store should hold. A slow flush is simulated with a
 * {@link GatedMemtable}, whose iterator (what a flush reads) waits until the test opens the gate.
 */
class MemtableFlushTest {

    @TempDir
    Path dir;

    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final Gate gate = new Gate();

    @AfterEach
    void stopThreads() throws InterruptedException {
        gate.open(); // never leave a flush (and so a close) waiting on a failed test
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }

    private static Bytes b(String s) {
        return Bytes.of(s);
    }

    /** Manual flushes only, no background compaction: each flush adds exactly one segment. */
    private static SortedLogOptions.Builder manual() {
        return SortedLogOptions.builder().memtableBytes(1 << 20).compactionTrigger(0);
    }

    private static void assertMatchesOracle(
            SortedLogStore store, TreeMap<Bytes, Bytes> oracle, Iterable<Bytes> keys, String when) throws IOException {
        for (Bytes key : keys) {
            assertThat(
                    when + ": get(" + key + ") must return the newest write of the key (empty if it was a delete)",
                    store.get(key),
                    equalTo(Optional.ofNullable(oracle.get(key))));
        }
    }

    /** Random puts and deletes over {@code keySpace} keys, applied to the store and the oracle. */
    private static void randomWrites(
            SortedLogStore store, TreeMap<Bytes, Bytes> oracle, Random random, int count, int keySpace)
            throws IOException {
        for (int i = 0; i < count; i++) {
            Bytes key = b("key-" + random.nextInt(keySpace));
            if (random.nextInt(5) == 0) {
                store.delete(key);
                oracle.remove(key);
            } else {
                Bytes value = b("value-" + i + "-" + "v".repeat(random.nextInt(40)));
                store.put(key, value);
                oracle.put(key, value);
            }
        }
    }

    private static Iterable<Bytes> allKeys(int keySpace) {
        return () -> IntStream.range(0, keySpace).mapToObj(i -> b("key-" + i)).iterator();
    }

    // ------------------------------------------------------------------------ the read path

    @Test
    void newestVersionWinsAcrossMemtableAndSegments() throws IOException {
        try (SortedLogStore store = SortedLogStore.open(DiskStorage.open(dir), manual().build())) {
            store.put(b("k"), b("oldest"));
            store.put(b("only-in-oldest"), b("1"));
            store.flush();
            store.put(b("k"), b("middle"));
            store.put(b("only-in-newer"), b("2"));
            store.flush();
            store.put(b("k"), b("newest"));
            assertThat("two flushes make two segments", store.segmentNames(), hasSize(2));
            assertThat(
                    "k is in the memtable and in both segments: the memtable is newest and wins",
                    store.get(b("k")),
                    is(Optional.of(b("newest"))));
            assertThat(
                    "a key only the oldest segment holds is still found: look in every segment",
                    store.get(b("only-in-oldest")),
                    is(Optional.of(b("1"))));
            assertThat("a key only the newer segment holds", store.get(b("only-in-newer")), is(Optional.of(b("2"))));
            assertThat("a key nobody holds", store.get(b("nobody")), is(Optional.empty()));
            store.flush();
            assertThat(
                    "after a third flush k is in three segments: the newest segment (first in the list) wins",
                    store.get(b("k")),
                    is(Optional.of(b("newest"))));
        }
    }

    @Test
    void tombstoneHidesOlderValuesInSegments() throws IOException {
        Storage storage = DiskStorage.open(dir);
        try (SortedLogStore store = SortedLogStore.open(storage, manual().build())) {
            store.put(b("k"), b("v"));
            store.flush();
            store.delete(b("k"));
            assertThat(
                    "the memtable holds a tombstone for k and the segment holds its value: the tombstone is"
                            + " newer, so k is absent (stop at the first source that knows the key)",
                    store.get(b("k")),
                    is(Optional.empty()));
            store.flush();
            assertThat(
                    "now a newer segment holds the tombstone: k stays absent", store.get(b("k")), is(Optional.empty()));
        }
        try (SortedLogStore store = SortedLogStore.open(storage, manual().build())) {
            assertThat("and after reopening", store.get(b("k")), is(Optional.empty()));
        }
    }

    @Test
    void randomWritesAndFlushesAgreeWithTheOracle() throws IOException {
        TreeMap<Bytes, Bytes> oracle = new TreeMap<>();
        Random random = new Random(51);
        try (SortedLogStore store = SortedLogStore.open(new FaultInjectingStorage(51), manual().build())) {
            for (int round = 0; round < 6; round++) {
                randomWrites(store, oracle, random, 500, 300);
                assertMatchesOracle(
                        store,
                        oracle,
                        allKeys(310),
                        "after round " + round + " (with " + round + " segments and a memtable)");
                store.flush();
            }
            assertMatchesOracle(store, oracle, allKeys(310), "after the last flush (everything in segments)");
        }
    }

    @Test
    void flushTurnsTheMemtableIntoASegment() throws IOException {
        try (SortedLogStore store = SortedLogStore.open(DiskStorage.open(dir), manual().build())) {
            for (int i = 0; i < 100; i++) {
                store.put(b("key-" + i), b("value-" + i));
            }
            assertThat("before any flush there are no segments", store.segmentNames(), hasSize(0));
            store.flush();
            assertThat("flush() writes the memtable as one segment", store.segmentNames(), hasSize(1));
            String first = store.segmentNames().get(0);
            assertThat(
                    "segments are named like 000001-000001.seg (FileNames.segment)",
                    FileNames.parseSegment(first).isPresent(),
                    is(true));
            store.flush();
            assertThat("flushing an empty memtable writes no segment", store.segmentNames(), hasSize(1));
            store.put(b("later"), b("x"));
            store.flush();
            assertThat(
                    "a second flush adds a second segment, listed first because it is newest",
                    store.segmentNames().get(1),
                    is(first));
            for (int i = 0; i < 100; i++) {
                assertThat(
                        "key-" + i + " is now read from a segment",
                        store.get(b("key-" + i)),
                        is(Optional.of(b("value-" + i))));
            }
        }
    }

    @Test
    void readsSeeTheFrozenMemtableWhileItIsFlushed() throws Exception {
        SortedLogOptions options =
                manual().memtableFactory(() -> new GatedMemtable(gate)).build();
        try (SortedLogStore store = SortedLogStore.open(new FaultInjectingStorage(52), options)) {
            for (int i = 0; i < 50; i++) {
                store.put(b("key-" + i), b("frozen-" + i));
            }
            Future<?> flush = pool.submit(() -> {
                store.flush();
                return null;
            });
            gate.awaitFlushStarted(flush);
            // The memtable is now frozen and its flush is held at the gate: it is in no segment yet.
            assertThat("while the flush runs no segment exists yet", store.segmentNames(), hasSize(0));
            for (int i = 0; i < 50; i++) {
                assertThat(
                        "key-" + i + " is only in the frozen memtable, which is still being flushed: reads must"
                                + " look there between the active memtable and the segments",
                        store.get(b("key-" + i)),
                        is(Optional.of(b("frozen-" + i))));
            }
            store.put(b("key-7"), b("active"));
            store.delete(b("key-8"));
            assertThat(
                    "the active memtable is newer than the frozen one",
                    store.get(b("key-7")),
                    is(Optional.of(b("active"))));
            assertThat(
                    "a tombstone in the active memtable hides the frozen memtable's value",
                    store.get(b("key-8")),
                    is(Optional.empty()));
            gate.open();
            Work.join(flush);
            assertThat("the flush finished and published one segment", store.segmentNames(), hasSize(1));
            assertThat(
                    "the active memtable still beats the new segment",
                    store.get(b("key-7")),
                    is(Optional.of(b("active"))));
            assertThat(
                    "and its tombstone still hides the segment's value", store.get(b("key-8")), is(Optional.empty()));
            assertThat(
                    "other keys are now read from the segment", store.get(b("key-9")), is(Optional.of(b("frozen-9"))));
        }
    }

    // ------------------------------------------------------------------------ the write path

    @Test
    void writesAreNeverLostWhileFlushesRunInTheBackground() throws IOException {
        // 4 KiB memtables: dozens of background flushes (and compactions at the default trigger).
        SortedLogOptions options =
                SortedLogOptions.builder().memtableBytes(4096).build();
        TreeMap<Bytes, Bytes> oracle = new TreeMap<>();
        Random random = new Random(53);
        FaultInjectingStorage storage = new FaultInjectingStorage(53);
        try (SortedLogStore store = SortedLogStore.open(storage, options)) {
            for (int i = 0; i < 6_000; i++) {
                Bytes key = b("key-" + random.nextInt(800));
                if (random.nextInt(6) == 0) {
                    store.delete(key);
                    oracle.remove(key);
                } else {
                    Bytes value = b("value-" + i + "-" + "w".repeat(random.nextInt(60)));
                    store.put(key, value);
                    oracle.put(key, value);
                }
                assertThat(
                        "write #" + i + " must be readable as soon as put/delete returns, whatever the flushes"
                                + " are doing",
                        store.get(key),
                        equalTo(Optional.ofNullable(oracle.get(key))));
            }
            assertThat(
                    "the memtable filled many times, so background flushes must have run",
                    store.metrics().snapshot().flushes(),
                    greaterThan(10L));
            assertMatchesOracle(store, oracle, allKeys(800), "after all writes");
        }
        try (SortedLogStore store = SortedLogStore.open(storage, options)) {
            assertMatchesOracle(store, oracle, allKeys(800), "after close and reopen");
        }
    }

    @Test
    void writersStallWhileThePreviousFlushIsStillRunning() throws Exception {
        SortedLogOptions options = manual().memtableBytes(4096)
                .memtableFactory(() -> new GatedMemtable(gate))
                .build();
        int writes = 400;
        AtomicInteger completed = new AtomicInteger();
        try (SortedLogStore store = SortedLogStore.open(new FaultInjectingStorage(54), options)) {
            Future<?> writer = pool.submit(() -> {
                for (int i = 0; i < writes; i++) {
                    store.put(b(String.format("key-%04d", i)), b("value-" + "s".repeat(80)));
                    completed.incrementAndGet();
                }
                return null;
            });
            gate.awaitFlushStarted(writer);
            // The first full memtable is frozen and its flush is held at the gate. The writer fills the
            // next memtable and must then wait: a second frozen memtable is not allowed.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestThreads.LIVENESS_BOUND_SECONDS);
            while (!writer.isDone() && store.metrics().snapshot().writeStalls() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(
                    "with the flush held back, the writer filled the next memtable and must stall: count it"
                            + " with recordWriteStall() and wait on flushDone (rotating again would need a second frozen"
                            + " memtable)",
                    store.metrics().snapshot().writeStalls(),
                    greaterThan(0L));
            assertThat(
                    "a stalled writer is held back: it cannot have finished all " + writes + " writes while the"
                            + " flush cannot finish",
                    completed.get(),
                    lessThan(writes));
            gate.open();
            Work.join(writer);
            for (int i = 0; i < writes; i++) {
                Bytes key = b(String.format("key-%04d", i));
                assertThat(
                        "a stalled write is delayed, never dropped: " + key,
                        store.get(key),
                        is(Optional.of(b("value-" + "s".repeat(80)))));
            }
        }
    }

    // ------------------------------------------------------------------------ durability

    @Test
    void reopeningAfterCloseKeepsEverything() throws IOException {
        Storage storage = DiskStorage.open(dir);
        SortedLogOptions options =
                SortedLogOptions.builder().memtableBytes(16 * 1024).build();
        TreeMap<Bytes, Bytes> oracle = new TreeMap<>();
        Random random = new Random(55);
        for (int session = 0; session < 3; session++) {
            try (SortedLogStore store = SortedLogStore.open(storage, options)) {
                assertMatchesOracle(store, oracle, allKeys(400), "at the start of session " + session);
                randomWrites(store, oracle, random, 1_000, 400);
            }
        }
        try (SortedLogStore store = SortedLogStore.open(storage, options)) {
            assertMatchesOracle(store, oracle, allKeys(400), "after the last reopen");
        }
    }

    @Test
    void syncedWritesSurvivePowerLoss() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(56).crashMode(CrashMode.LOSE_UNSYNCED);
        SortedLogOptions options = manual().syncWrites(true).build();
        TreeMap<Bytes, Bytes> oracle = new TreeMap<>();
        SortedLogStore crashed = SortedLogStore.open(storage, options);
        randomWrites(crashed, oracle, new Random(56), 300, 100);
        crashed.flush(); // some data in a segment ...
        randomWrites(crashed, oracle, new Random(57), 300, 100); // ... and some only in the log
        storage.powerLoss();
        abandon(crashed);

        try (SortedLogStore store = SortedLogStore.open(storage, options)) {
            assertMatchesOracle(
                    store,
                    oracle,
                    allKeys(100),
                    "after a power loss that kept only what was synced"
                            + " (syncWrites forces each write before it returns)");
        }
    }

    /** A crashed process never closes its store; this only stops the old instance's background thread. */
    private static void abandon(SortedLogStore crashed) {
        try {
            crashed.close();
        } catch (IOException expected) {
            // Its file handles went stale with the power loss; nothing of it is used again.
        }
    }

    // ------------------------------------------------------------------------ test doubles

    /** Lets a test hold every flush back, and know when one is waiting. */
    private static final class Gate {
        private final CountDownLatch opened = new CountDownLatch(1);
        private final CountDownLatch flushStarted = new CountDownLatch(1);

        void pass() {
            flushStarted.countDown();
            try {
                opened.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Waits until a flush is held at the gate; if {@code work} fails first, rethrows its failure. */
        void awaitFlushStarted(Future<?> work) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestThreads.LIVENESS_BOUND_SECONDS);
            while (!flushStarted.await(10, TimeUnit.MILLISECONDS)) {
                if (work.isDone()) {
                    Work.join(work);
                    throw new AssertionError("the work finished without starting a flush");
                }
                assertThat(
                        "a flush should have started: the memtable was filled (or flush() called)",
                        System.nanoTime() < deadline,
                        is(true));
            }
        }

        void open() {
            opened.countDown();
        }
    }

    /** A {@link ConcurrentSkipListMemtable} whose iterator, which only a flush uses, waits at a {@link Gate}. */
    private static final class GatedMemtable extends ForwardingMemtable {
        private final Gate gate;

        GatedMemtable(Gate gate) {
            super(new ConcurrentSkipListMemtable());
            this.gate = gate;
        }

        @Override
        public EntryIterator iterator(Bytes from) {
            gate.pass();
            return delegate.iterator(from);
        }

        @Override
        public EntryIterator descendingIterator(Bytes from) {
            gate.pass();
            return delegate.descendingIterator(from);
        }
    }
}
