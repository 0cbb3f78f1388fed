package dev.storagelab.btree.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.Internals;
import dev.storagelab.btree.Invariants;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.lab.Graded;
import dev.storagelab.testkit.TestThreads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Readers during writes (lab-04 T9 scans, and the tree's read-write lock around T7/T8): reader
 * threads get and scan while one writer inserts, deletes and checkpoints through a 16-frame pool
 * of 512-byte pages, so leaves split, merge and are freed and reused under the readers. And
 * scans that are left open while the tree changes between their batches, deterministically.
 *
 * <p>Keys: index {@code i} of {@link Trees#key}. Keys with {@code i % 3 == 0} (or {@code % 4}
 * below) are <em>stable</em>: in the tree before the readers start, never written again. The
 * writer owns the others; every value it writes starts with its key, so a reader can tell a
 * value that belongs to a key from one read out of the wrong cell.
 */
@Tag("hidden")
class ConcurrencyHiddenTest {

    private static final int WRITER_STEPS = 5000;

    private static Bytes stableValue(int i) {
        return Bytes.of("stable-" + i + "-" + "s".repeat(i % 23));
    }

    /** A writer's value: its key, a '#', a version, and padding that varies the cell size. */
    private static Bytes writerValue(Bytes key, long version) {
        byte[] k = key.toByteArray();
        byte[] tail = ("#" + version + "x".repeat((int) (version % 41))).getBytes(StandardCharsets.US_ASCII);
        byte[] v = new byte[k.length + tail.length];
        System.arraycopy(k, 0, v, 0, k.length);
        System.arraycopy(tail, 0, v, k.length, tail.length);
        return Bytes.wrap(v);
    }

    private static boolean belongsTo(Bytes value, Bytes key) {
        return value.length() > key.length() && value.startsWith(key) && value.byteAt(key.length()) == '#';
    }

    @Test
    @Graded(
            task = "T11",
            points = 5,
            concept = "a reader sees a wrong or missing value for a key that never changed, or a scan "
                    + "goes out of order, repeats or misses a key, while a writer splits, merges and checkpoints")
    void readersSeeEveryStableKeyWhileAWriterChangesTheTree() throws Exception {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        BPlusTree tree = BPlusTree.open(storage, Trees.SMALL_LRU_2);
        TreeMap<Bytes, Bytes> stable = new TreeMap<>();
        for (int i = 0; i < Trees.KEY_SPACE; i += 3) {
            tree.put(Trees.key(i), stableValue(i));
            stable.put(Trees.key(i), stableValue(i));
        }
        tree.checkpoint();
        Collection<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean writerDone = new AtomicBoolean();
        AtomicLong gets = new AtomicLong();
        AtomicLong scans = new AtomicLong();
        TreeMap<Bytes, Bytes> writerModel = new TreeMap<>();
        Thread writer = TestThreads.start(
                "writer",
                () -> {
                    Random random = new Random(1);
                    for (int step = 0; step < WRITER_STEPS && failures.isEmpty(); step++) {
                        int i = random.nextInt(Trees.KEY_SPACE);
                        if (i % 3 == 0) {
                            i++;
                        }
                        Bytes key = Trees.key(i);
                        if (random.nextInt(5) < 3) {
                            Bytes value = writerValue(key, step);
                            tree.put(key, value);
                            writerModel.put(key, value);
                        } else {
                            // a run of deletes empties leaves, so they merge and are freed
                            for (int j = i; j < Math.min(Trees.KEY_SPACE, i + random.nextInt(12)); j++) {
                                if (j % 3 != 0) {
                                    tree.delete(Trees.key(j));
                                    writerModel.remove(Trees.key(j));
                                }
                            }
                        }
                        if (step % 700 == 699) {
                            tree.checkpoint();
                        }
                    }
                },
                failures);
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            long seed = r;
            readers.add(TestThreads.start(
                    "getter-" + r,
                    () -> {
                        Random random = new Random(100 + seed);
                        do { // at least once, however fast the writer is
                            int i = random.nextInt(Trees.KEY_SPACE);
                            Bytes key = Trees.key(i);
                            Optional<Bytes> got = tree.get(key);
                            gets.incrementAndGet();
                            if (i % 3 == 0 && !got.equals(Optional.of(stableValue(i)))) {
                                failures.add(new AssertionError("get(" + key + "), a key never changed, returned " + got
                                        + " while the writer changed other keys"));
                            } else if (i % 3 != 0 && got.isPresent() && !belongsTo(got.get(), key)) {
                                failures.add(new AssertionError("get(" + key + ") returned " + got.get()
                                        + ", a value the writer never wrote to that key"));
                            }
                        } while (!writerDone.get() && failures.size() < 10);
                    },
                    failures));
        }
        for (boolean reverse : new boolean[] {false, true}) {
            readers.add(TestThreads.start(
                    reverse ? "reverse-scanner" : "scanner",
                    () -> {
                        Random random = new Random(reverse ? 201 : 200);
                        do {
                            int a = random.nextInt(Trees.KEY_SPACE);
                            int b = Math.min(Trees.KEY_SPACE - 1, a + random.nextInt(Trees.KEY_SPACE));
                            Bytes from = random.nextInt(4) == 0 ? null : Trees.key(a);
                            Bytes to = random.nextInt(4) == 0 ? null : Trees.key(b);
                            checkScan(tree, from, to, reverse, stable, null, "a scan while the writer runs");
                            scans.incrementAndGet();
                        } while (!writerDone.get() && failures.size() < 10);
                    },
                    failures));
        }
        try {
            TestThreads.joinAll(List.of(writer));
        } finally {
            writerDone.set(true);
            TestThreads.joinAll(readers);
        }
        TestThreads.rethrow(
                failures, "while one writer inserted, deleted and checkpointed and four readers got and " + "scanned");
        assertThat("the readers ran", gets.get() > 0 && scans.get() > 0, equalTo(true));
        Invariants.check(tree);
        TreeMap<Bytes, Bytes> expected = new TreeMap<>(stable);
        expected.putAll(writerModel);
        assertThat(
                "after the writer finished the tree holds the stable keys and the writer's last writes",
                Trees.contents(tree),
                equalTo(expected));
        tree.close();
    }

    /**
     * Scans {@code [from, to)} and checks what a scan promises under concurrent writes: strictly
     * increasing (decreasing) keys, every stable key in range with its value, every other value one
     * that belongs to its key (and, if {@code written} is given, one written to it).
     */
    private static List<Entry> checkScan(
            BPlusTree tree,
            Bytes from,
            Bytes to,
            boolean reverse,
            TreeMap<Bytes, Bytes> stable,
            Map<Bytes, Set<Bytes>> written,
            String what)
            throws IOException {
        List<Entry> got = Trees.scan(tree, from, to, reverse);
        checkScanResult(got, from, to, reverse, stable, written, what);
        return got;
    }

    private static void checkScanResult(
            List<Entry> got,
            Bytes from,
            Bytes to,
            boolean reverse,
            TreeMap<Bytes, Bytes> stable,
            Map<Bytes, Set<Bytes>> written,
            String what) {
        String range = (reverse ? "scanReverse(" : "scan(") + from + ", " + to + ")";
        for (int i = 0; i < got.size(); i++) {
            Entry e = got.get(i);
            Bytes k = e.key();
            if ((from != null && k.compareTo(from) < 0) || (to != null && k.compareTo(to) >= 0)) {
                throw new AssertionError(what + ": " + range + " returned " + k + ", outside the range");
            }
            if (i > 0) {
                int c = got.get(i - 1).key().compareTo(k);
                if (reverse ? c <= 0 : c >= 0) {
                    throw new AssertionError(
                            what + ": " + range + " returned " + got.get(i - 1).key() + " then " + k
                                    + ": keys must be strictly " + (reverse ? "decreasing" : "increasing")
                                    + ", with no key twice");
                }
            }
            Bytes stableValue = stable.get(k);
            if (stableValue != null) {
                if (!stableValue.equals(e.value())) {
                    throw new AssertionError(what + ": " + range + " returned " + k + " -> " + e.value()
                            + " but that key always held " + stableValue);
                }
            } else if (written != null
                    ? !written.getOrDefault(k, Set.of()).contains(e.value())
                    : !belongsTo(e.value(), k)) {
                throw new AssertionError(what + ": " + range + " returned " + k + " -> " + e.value()
                        + ", a value never written to that key");
            }
        }
        Set<Bytes> seen = new HashSet<>();
        got.forEach(e -> seen.add(e.key()));
        Map<Bytes, Bytes> inRange = Trees.expected(stable, from, to, false).stream()
                .collect(HashMap::new, (m, e) -> m.put(e.key(), e.value()), HashMap::putAll);
        for (Bytes k : inRange.keySet()) {
            if (!seen.contains(k)) {
                throw new AssertionError(
                        what + ": " + range + " missed " + k + ", a key that was in the tree " + "for the whole scan");
            }
        }
    }

    @Test
    @Graded(
            task = "T9",
            points = 4,
            concept = "a scan left open while the tree changes follows a stale sibling link (to a leaf "
                    + "merged away, freed or reused): it misses, repeats or misorders keys, or fails")
    void aScanStaysCorrectWhenTheTreeChangesBetweenItsBatches() throws Exception {
        int scans = 0;
        int bursts = 0;
        for (int seed = 0; seed < 14; seed++) {
            boolean reverse = seed % 2 == 1;
            Random random = new Random(seed);
            BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(seed), Trees.SMALL_LRU);
            TreeMap<Bytes, Bytes> stable = new TreeMap<>();
            Map<Bytes, Set<Bytes>> written = new HashMap<>();
            for (int i = 0; i < 700; i++) {
                Bytes key = Trees.key(i);
                Bytes value = i % 4 == 0 ? stableValue(i) : writerValue(key, i);
                tree.put(key, value);
                if (i % 4 == 0) {
                    stable.put(key, value);
                } else {
                    written.computeIfAbsent(key, k -> new HashSet<>()).add(value);
                }
            }
            Bytes from = seed % 3 == 0 ? null : Trees.key(random.nextInt(200));
            Bytes to = seed % 3 == 1 ? null : Trees.key(500 + random.nextInt(200));
            List<Entry> got = new ArrayList<>();
            String what = "seed " + seed;
            Collection<Throwable> failures = new ConcurrentLinkedQueue<>();
            try (EntryIterator it = reverse ? tree.scanReverse(from, to) : tree.scan(from, to)) {
                int until = 1 + random.nextInt(6);
                while (it.hasNext()) {
                    got.add(it.next());
                    if (--until > 0) {
                        continue;
                    }
                    until = 1 + random.nextInt(10);
                    int cursor = indexOf(got.get(got.size() - 1).key());
                    long version = 10_000L * seed + got.size();
                    // The writes run on another thread: a scan that held the tree's lock between batches
                    // would block them (and fail this test) instead of deadlocking it.
                    Thread writer = TestThreads.start(
                            "writer", () -> burst(tree, random, cursor, reverse, version, written), failures);
                    TestThreads.joinAll(List.of(writer));
                    TestThreads.rethrow(failures, what + ": writing while a scan was open");
                    bursts++;
                }
            } catch (UncheckedIOException e) {
                throw new AssertionError(
                        what + ": the open scan failed after the tree changed under it: " + e.getCause(), e);
            }
            checkScanResult(got, from, to, reverse, stable, written, what + ", a scan interleaved with writes");
            Invariants.check(tree);
            tree.close();
            scans++;
        }
        System.out.println(
                "ConcurrencyHiddenTest: " + bursts + " bursts of writes while " + scans + " scans were open");
        assertThat("bursts of writes made while scans were open", bursts, greaterThan(250));
        assertThat(scans, equalTo(14));
    }

    private static int indexOf(Bytes key) {
        for (int i = 0; i < Trees.KEY_SPACE; i++) {
            if (Trees.key(i).equals(key)) {
                return i;
            }
        }
        throw new AssertionError("not a test key: " + key);
    }

    /**
     * A burst of writes near the scan's cursor: a run of deletes just ahead of it or just behind it
     * (leaves merge, and the leaf the scan read last may be freed), then a run of puts somewhere
     * else with longer values (leaves split, reusing the freed page ids).
     */
    private static void burst(
            BPlusTree tree, Random random, int cursor, boolean reverse, long version, Map<Bytes, Set<Bytes>> written)
            throws IOException {
        int start = Math.max(0, cursor + (random.nextBoolean() ? -40 : 0) + (reverse ? -20 : 0));
        int deletes = 10 + random.nextInt(60);
        for (int i = start; i < Math.min(Trees.KEY_SPACE, start + deletes); i++) {
            if (i % 4 != 0) {
                tree.delete(Trees.key(i));
            }
        }
        int putStart = random.nextInt(Trees.KEY_SPACE - 80);
        int puts = random.nextInt(50);
        for (int i = putStart; i < putStart + puts; i++) {
            if (i % 4 != 0) {
                Bytes key = Trees.key(i);
                Bytes value = writerValue(key, version * 100 + i % 97);
                synchronized (written) {
                    written.computeIfAbsent(key, k -> new HashSet<>()).add(value);
                }
                tree.put(key, value);
            }
        }
    }

    @Test
    @Graded(
            task = "T9",
            points = 2,
            concept = "an open scan holds a pin or the tree's lock between batches, so a writer waits "
                    + "for the scan to end (or frames stay pinned)")
    void anOpenScanHoldsNoLockAndNoPinBetweenBatches() throws Exception {
        BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(), Trees.SMALL_LRU);
        for (int i = 0; i < 600; i++) {
            tree.put(Trees.key(i), Trees.value(i, 30));
        }
        Collection<Throwable> failures = new ConcurrentLinkedQueue<>();
        try (EntryIterator forward = tree.scan(null, null);
                EntryIterator backward = tree.scanReverse(null, null)) {
            forward.next();
            backward.next();
            assertThat(
                    "between batches two open scans pin no frame",
                    Internals.pool(tree).pinnedFrames(),
                    equalTo(0));
            Thread writer = TestThreads.start(
                    "writer",
                    () -> {
                        for (int i = 0; i < 600; i += 2) {
                            tree.delete(Trees.key(i));
                        }
                        tree.checkpoint();
                    },
                    failures);
            TestThreads.joinAll(List.of(writer));
            TestThreads.rethrow(failures, "a writer while two scans were open");
            int forwardCount = 1;
            while (forward.hasNext()) {
                forward.next();
                forwardCount++;
            }
            assertThat("the forward scan went on to the end", forwardCount, greaterThan(250));
        }
        Invariants.check(tree);
        tree.close();
    }
}
