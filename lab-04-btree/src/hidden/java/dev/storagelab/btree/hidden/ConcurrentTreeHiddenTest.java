package dev.storagelab.btree.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.btree.Internals;
import dev.storagelab.btree.Invariants;
import dev.storagelab.btree.TreeDump;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.FaultInjectingStorage.CrashMode;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.lab.Graded;
import dev.storagelab.testkit.Linearizability;
import dev.storagelab.testkit.Linearizability.Kind;
import dev.storagelab.testkit.TestThreads;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.StampedLock;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * lab-04 T11, readers beside writers: page latches, latch coupling, the optimistic writer and
 * latch crabbing for splits and merges. Every test first checks that the tree runs with page
 * latches at all (a tree without T11 falls back to the tree-wide lock, correct but serial), then
 * what concurrency must never break: linearizability of gets, puts and deletes (and each scan's
 * per-key promise) against a sequential {@link TreeMap}, the tree's invariants after concurrent
 * splits and merges, readers while the root splits and shrinks, progress (no deadlock) under a
 * deadline, and crash safety with checkpoints taken while writers run.
 */
@Tag("hidden")
class ConcurrentTreeHiddenTest {

    /** 512-byte pages, so a few dozen keys make three levels; 32 frames, so four threads never fill the pool. */
    private static final BTreeOptions SMALL = Trees.SMALL_LRU_2.withPoolFrames(32);

    private static void assertLatched(BPlusTree tree) {
        assertThat(
                "lab-04 T11: the tree runs on the tree-wide lock (a T11 method throws NotImplementedException), so"
                        + " every reader waits for every writer",
                Internals.latchCrabbing(tree),
                is(true));
    }

    private static Bytes versioned(Bytes key, String tag, int length) {
        String s = tag + "~" + key.length() + "~";
        return Bytes.of(s + "v".repeat(Math.max(0, length - s.length())));
    }

    // ------------------------------------------------------------------ linearizability

    @Test
    @Graded(
            task = "T11",
            points = 8,
            concept = "concurrent gets, puts, deletes and scans are not linearizable: some get or scan "
                    + "saw a value no sequential order of the operations explains (a lost update, a torn page, a read of a "
                    + "page while it split or merged)")
    void randomConcurrentHistoriesAreLinearizable() throws Exception {
        int histories = 0;
        int structureChanges = 0;
        for (int seed = 0; seed < 300; seed++) {
            structureChanges += checkOneHistory(seed);
            histories++;
        }
        assertThat(
                "the histories split and merged pages: in this many of " + histories + " a key moved to another leaf",
                structureChanges,
                greaterThan(histories / 2));
    }

    /** Runs and checks one random history; returns 1 if a split or merge moved a key to another leaf, else 0. */
    private static int checkOneHistory(int seed) throws Exception {
        Random random = new Random(seed);
        List<Bytes> universe = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            universe.add(Trees.key(i * 40));
        }
        BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(seed), SMALL);
        assertLatched(tree);
        TreeMap<Bytes, Bytes> initial = new TreeMap<>();
        for (Bytes k : universe) {
            if (random.nextInt(3) > 0) {
                Bytes v = versioned(k, "init", 30 + random.nextInt(60));
                tree.put(k, v);
                initial.put(k, v);
            }
        }
        Map<Bytes, Long> leavesBefore = leaves(tree, universe);
        Linearizability.Recorder<Bytes, Bytes> history = new Linearizability.Recorder<>();
        Collection<Throwable> failures = new ConcurrentLinkedQueue<>();
        TestThreads.runAll(
                3,
                t -> {
                    Random r = new Random(seed * 31L + t);
                    for (int op = 0; op < 40; op++) {
                        Bytes key = universe.get(r.nextInt(universe.size()));
                        int dice = r.nextInt(20);
                        if (dice < 7) {
                            long call = history.call();
                            Optional<Bytes> got = tree.get(key);
                            history.returned(t, Kind.GET, key, got.orElse(null), call);
                        } else if (dice < 13) {
                            Bytes v = versioned(key, t + "." + op, 20 + r.nextInt(70));
                            long call = history.call();
                            tree.put(key, v);
                            history.returned(t, Kind.PUT, key, v, call);
                        } else if (dice < 17) {
                            long call = history.call();
                            tree.delete(key);
                            history.returned(t, Kind.DELETE, key, null, call);
                        } else {
                            int a = r.nextInt(universe.size());
                            int b = Math.min(universe.size(), a + 1 + r.nextInt(universe.size()));
                            Bytes from = universe.get(a);
                            Bytes to = b == universe.size() ? null : universe.get(b);
                            boolean reverse = r.nextBoolean();
                            long call = history.call();
                            List<Entry> got = Trees.scan(tree, from, to, reverse);
                            Map<Bytes, Bytes> seen = new LinkedHashMap<>();
                            for (int i = 0; i < got.size(); i++) {
                                Entry e = got.get(i);
                                if (i > 0 && (got.get(i - 1).key().compareTo(e.key()) < 0) == reverse) {
                                    throw new AssertionError((reverse ? "scanReverse(" : "scan(") + from + ", " + to
                                            + ") returned " + got.get(i - 1).key() + " then " + e.key()
                                            + ": out of order or twice");
                                }
                                seen.put(e.key(), e.value());
                            }
                            history.scanned(t, universe.subList(a, b), seen, call);
                        }
                    }
                },
                failures);
        TestThreads.rethrow(failures, "history " + seed);
        Optional<String> violation = Linearizability.check(initial, history.history());
        assertThat(
                "history " + seed + " (3 threads, 512-byte pages) is linearizable",
                violation.orElse(null),
                nullValue());
        Invariants.check(tree);
        int changed = leaves(tree, universe).equals(leavesBefore) ? 0 : 1;
        tree.close();
        return changed;
    }

    /** The leaf each key of {@code keys} falls into now (none for an empty tree). */
    private static Map<Bytes, Long> leaves(BPlusTree tree, List<Bytes> keys) throws IOException {
        Map<Bytes, Long> out = new HashMap<>();
        if (Internals.rootId(tree) != 0) {
            for (Bytes k : keys) {
                out.put(k, Internals.leafOf(tree, k));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ invariants after concurrent structure changes

    @Test
    @Graded(
            task = "T11",
            points = 6,
            concept = "after writers split and merge pages concurrently, the tree breaks an invariant "
                    + "(keys out of order, a separator that does not bound its child, a broken leaf link, an under-full page) "
                    + "or loses a write")
    void concurrentSplitsAndMergesKeepEveryInvariantAndEveryWrite() throws Exception {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        BPlusTree tree = BPlusTree.open(storage, Trees.SMALL_LRU_2);
        assertLatched(tree);
        List<TreeMap<Bytes, Bytes>> models = List.of(new TreeMap<>(), new TreeMap<>(), new TreeMap<>());
        Collection<Throwable> failures = new ConcurrentLinkedQueue<>();
        TestThreads.runAll(
                3,
                t -> {
                    Random random = new Random(70 + t);
                    TreeMap<Bytes, Bytes> model = models.get(t);
                    for (int round = 0; round < 3; round++) {
                        for (int step = 0; step < 700; step++) { // grow: leaves and internal pages split
                            int i = random.nextInt(Trees.KEY_SPACE / 3) * 3 + t;
                            boolean longKey = random.nextInt(5) == 0;
                            Bytes key = longKey ? Trees.longKey(i, 40 + random.nextInt(50)) : Trees.key(i);
                            Bytes v =
                                    versioned(key, t + "." + round + "." + step, longKey ? 0 : 8 + random.nextInt(50));
                            tree.put(key, v);
                            model.put(key, v);
                        }
                        List<Bytes> keys = new ArrayList<>(model.keySet());
                        java.util.Collections.shuffle(keys, random);
                        for (Bytes key : keys.subList(0, keys.size() * 9 / 10)) { // shrink: merges, root shrinks
                            tree.delete(key);
                            model.remove(key);
                        }
                    }
                },
                failures);
        TestThreads.rethrow(failures, "while three writers split and merged pages, each in its own keys");
        Invariants.check(tree);
        TreeMap<Bytes, Bytes> expected = new TreeMap<>();
        models.forEach(expected::putAll);
        assertThat("the tree holds every writer's last writes", Trees.contents(tree), equalTo(expected));
        assertThat("size() counts them", tree.size(), is((long) expected.size()));
        assertThat("no page is left pinned", Internals.pool(tree).pinnedFrames(), is(0));
        tree.close();
        BPlusTree reopened = BPlusTree.open(storage, Trees.SMALL_LRU_2);
        assertThat("the close after the writers made all of it durable", Trees.contents(reopened), equalTo(expected));
        reopened.close();
    }

    // ------------------------------------------------------------------ root splits and shrinks under readers

    @Test
    @Graded(
            task = "T11",
            points = 5,
            concept = "a reader misses or misreads a key that never changed while the root splits: it "
                    + "read the root's id and descended from a page that was no longer the root")
    void readersSeeEveryStableKeyWhileTheRootSplits() throws Exception {
        BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(), SMALL);
        assertLatched(tree);
        TreeMap<Bytes, Bytes> stable = new TreeMap<>();
        for (int i = 0; i < Trees.KEY_SPACE; i += 97) {
            Bytes v = versioned(Trees.key(i), "stable", 20);
            tree.put(Trees.key(i), v);
            stable.put(Trees.key(i), v);
        }
        assertThat("the tree starts as one root leaf", Internals.rootId(tree) != 0, is(true));
        Set<Long> roots = new HashSet<>();
        roots.add(Internals.rootId(tree));
        AtomicBoolean done = new AtomicBoolean();
        Collection<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> readers = startStableReaders(tree, stable, done, failures);
        Thread writer = TestThreads.start(
                "writer",
                () -> {
                    Random random = new Random(5);
                    for (int step = 0; step < 3000 && failures.isEmpty(); step++) {
                        int i = random.nextInt(Trees.KEY_SPACE);
                        if (i % 97 != 0) {
                            tree.put(Trees.key(i), versioned(Trees.key(i), "w" + step, 10 + random.nextInt(60)));
                        }
                        if (step % 50 == 0) {
                            roots.add(Internals.rootId(tree));
                        }
                    }
                },
                failures);
        try {
            TestThreads.joinAll(List.of(writer));
        } finally {
            done.set(true);
            TestThreads.joinAll(readers);
        }
        TestThreads.rethrow(failures, "while one writer grew the tree from a root leaf and readers read");
        assertThat(
                "the root split several times under the readers: roots seen " + roots,
                roots.size(),
                greaterThanOrEqualTo(3));
        Invariants.check(tree);
        tree.close();
    }

    @Test
    @Graded(
            task = "T11",
            points = 5,
            concept = "a reader misses or misreads a key that never changed while the root shrinks: it "
                    + "descended from a root that was freed (and its page reused)")
    void readersSeeEveryStableKeyWhileTheRootShrinks() throws Exception {
        BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(), SMALL);
        assertLatched(tree);
        TreeMap<Bytes, Bytes> stable = new TreeMap<>();
        List<Bytes> doomed = new ArrayList<>();
        for (int i = 0; i < Trees.KEY_SPACE; i++) {
            Bytes v = versioned(Trees.key(i), i % 97 == 0 ? "stable" : "doomed", 20 + i % 50);
            tree.put(Trees.key(i), v);
            if (i % 97 == 0) {
                stable.put(Trees.key(i), v);
            } else {
                doomed.add(Trees.key(i));
            }
        }
        java.util.Collections.shuffle(doomed, new Random(6));
        Set<Long> roots = new HashSet<>();
        roots.add(Internals.rootId(tree));
        AtomicBoolean done = new AtomicBoolean();
        Collection<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> readers = startStableReaders(tree, stable, done, failures);
        Thread writer = TestThreads.start(
                "writer",
                () -> {
                    for (int step = 0; step < doomed.size() && failures.isEmpty(); step++) {
                        tree.delete(doomed.get(step));
                        if (step % 25 == 0) {
                            roots.add(Internals.rootId(tree));
                        }
                    }
                    roots.add(Internals.rootId(tree));
                },
                failures);
        try {
            TestThreads.joinAll(List.of(writer));
        } finally {
            done.set(true);
            TestThreads.joinAll(readers);
        }
        TestThreads.rethrow(failures, "while one writer deleted all but a few keys and readers read");
        assertThat("the root changed as the tree shrank: roots seen " + roots, roots.size(), greaterThanOrEqualTo(2));
        assertThat("only the stable keys are left", Trees.contents(tree), equalTo(stable));
        Invariants.check(tree);
        tree.close();
    }

    /** Two getters and a scanner (one forward, one reverse pass in turn) that check every stable key until {@code done}. */
    private static List<Thread> startStableReaders(
            BPlusTree tree, TreeMap<Bytes, Bytes> stable, AtomicBoolean done, Collection<Throwable> failures) {
        List<Thread> readers = new ArrayList<>();
        List<Bytes> keys = new ArrayList<>(stable.keySet());
        for (int r = 0; r < 2; r++) {
            int seed = r;
            readers.add(TestThreads.start(
                    "getter-" + r,
                    () -> {
                        Random random = new Random(seed);
                        do {
                            Bytes key = keys.get(random.nextInt(keys.size()));
                            Optional<Bytes> got = tree.get(key);
                            if (!got.equals(Optional.of(stable.get(key)))) {
                                throw new AssertionError("get(" + key + "), a key never changed, returned " + got);
                            }
                        } while (!done.get());
                    },
                    failures));
        }
        readers.add(TestThreads.start(
                "scanner",
                () -> {
                    boolean reverse = false;
                    do {
                        List<Entry> got = Trees.scan(tree, null, null, reverse);
                        Bytes previous = null;
                        Map<Bytes, Bytes> seen = new HashMap<>();
                        for (Entry e : got) {
                            if (previous != null && (previous.compareTo(e.key()) < 0) == reverse) {
                                throw new AssertionError("a full " + (reverse ? "reverse " : "") + "scan returned "
                                        + previous + " then " + e.key() + ": out of order or twice");
                            }
                            previous = e.key();
                            seen.put(e.key(), e.value());
                        }
                        for (Map.Entry<Bytes, Bytes> s : stable.entrySet()) {
                            if (!s.getValue().equals(seen.get(s.getKey()))) {
                                throw new AssertionError("a full " + (reverse ? "reverse " : "") + "scan returned "
                                        + seen.get(s.getKey()) + " for " + s.getKey() + ", a key that always held "
                                        + s.getValue());
                            }
                        }
                        reverse = !reverse;
                    } while (!done.get());
                },
                failures));
        return readers;
    }

    // ------------------------------------------------------------------ progress

    @Test
    @Graded(
            task = "T11",
            points = 5,
            concept = "readers, writers, scans and checkpoints deadlock (or never finish) when they run "
                    + "together on a small buffer pool: latches taken in an order that can form a cycle, or a latch or pin "
                    + "never let go")
    void mixedOperationsFinishUnderADeadlineOnASmallPool() throws Exception {
        BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(), Trees.SMALL_LRU_2); // 16 frames
        assertLatched(tree);
        AtomicInteger finished = new AtomicInteger();
        Collection<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = TestThreads.startTogether(
                4,
                "mixed",
                t -> {
                    Random random = new Random(90 + t);
                    for (int step = 0; step < 2500; step++) {
                        int i = random.nextInt(300);
                        Bytes key = Trees.key(i);
                        int dice = random.nextInt(100);
                        if (dice < 35) {
                            tree.put(key, versioned(key, t + "." + step, 10 + random.nextInt(80)));
                        } else if (dice < 60) {
                            tree.delete(key);
                        } else if (dice < 90) {
                            tree.get(key);
                        } else if (dice < 99) {
                            Trees.scan(tree, key, Trees.key(i + random.nextInt(80)), random.nextBoolean());
                        } else {
                            tree.checkpoint();
                        }
                    }
                    finished.incrementAndGet();
                },
                failures);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestThreads.LIVENESS_BOUND_SECONDS);
        for (Thread thread : threads) {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        List<String> stuck = new ArrayList<>();
        for (Thread thread : threads) {
            if (thread.isAlive()) {
                StringBuilder sb = new StringBuilder(thread.getName());
                for (StackTraceElement e : thread.getStackTrace()) {
                    sb.append("\n    at ").append(e);
                }
                stuck.add(sb.toString());
            }
        }
        assertThat(
                "threads still running after 60 s (10,000 operations take well under a second): a deadlock",
                stuck,
                empty());
        TestThreads.rethrow(failures, "while four threads put, deleted, got, scanned and checkpointed");
        assertThat(finished.get(), is(4));
        assertThat("no page is left pinned", Internals.pool(tree).pinnedFrames(), is(0));
        Invariants.check(tree);
        tree.close();
    }

    // ------------------------------------------------------------------ the latch protocol

    @Test
    @Graded(
            task = "T11",
            points = 2,
            concept =
                    "a read that fails half-way down a latched descent (a get's, or a put's optimistic "
                            + "one) leaves the page above it pinned and latched, so that the next writer through it waits forever")
    void aReadFailingDuringADescentLetsGoOfThePageAbove() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        try (BPlusTree tree = BPlusTree.open(storage, Trees.SMALL_LRU)) {
            for (int i = 0; i < 400; i += 2) {
                tree.put(Trees.key(i), Trees.value(i, 30));
            }
        }
        try (BPlusTree tree = BPlusTree.open(storage, Trees.SMALL_LRU)) {
            assertLatched(tree);
            assertThat(tree.get(Trees.key(0)), equalTo(Optional.of(Trees.value(0, 30)))); // the root is resident now
            for (int i : new int[] {200, 300}) {
                boolean put = i == 300;
                Bytes key = Trees.key(i);
                storage.failNext(FaultInjectingStorage.Op.READ); // the first page below the root not read yet
                assertThrows(
                        IOException.class,
                        () -> {
                            if (put) {
                                tree.put(key, Trees.value(i, 30));
                            } else {
                                tree.get(key);
                            }
                        },
                        "a " + (put ? "put" : "get")
                                + " whose descent cannot read a page fails with the read's IOException");
                assertThat(
                        "frames left pinned after a read failed in a " + (put ? "put's" : "get's") + " descent",
                        Internals.pool(tree).pinnedFrames(),
                        is(0));
            }
            tree.put(Trees.key(301), Trees.value(301, 30));
            assertThat(tree.get(Trees.key(200)), equalTo(Optional.of(Trees.value(200, 30))));
            Invariants.check(tree);
        }
    }

    @Test
    @Graded(
            task = "T11",
            points = 4,
            concept = "a get reads a leaf that a writer holds exclusive (in the middle of changing it), "
                    + "or waits for a writer in another leaf: readers must latch the pages they read, and only those")
    void aGetWaitsForAWriterInItsLeafAndOnlyThere() throws Exception {
        BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(), SMALL);
        assertLatched(tree);
        for (int i = 0; i < 400; i++) {
            tree.put(Trees.key(i), versioned(Trees.key(i), "v", 30));
        }
        assertThat(
                "keys 5 and 395 are in different leaves",
                Internals.leafOf(tree, Trees.key(5)) != Internals.leafOf(tree, Trees.key(395)),
                is(true));
        Collection<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicReference<Optional<Bytes>> blocked = new AtomicReference<>();
        Thread reader;
        try (AutoCloseable writer = Internals.holdLeaf(tree, Trees.key(5), true)) {
            AtomicReference<Optional<Bytes>> elsewhere = new AtomicReference<>();
            Thread other =
                    TestThreads.start("reader-elsewhere", () -> elsewhere.set(tree.get(Trees.key(395))), failures);
            TestThreads.joinAll(List.of(other));
            assertThat(
                    "a get in another leaf finishes while a writer holds leaf of key 5",
                    elsewhere.get(),
                    equalTo(Optional.of(versioned(Trees.key(395), "v", 30))));
            reader = TestThreads.start("reader", () -> blocked.set(tree.get(Trees.key(5))), failures);
            reader.join(300);
            assertThat(
                    "a get of a key whose leaf a writer holds exclusive waits for the writer",
                    blocked.get(),
                    nullValue());
        }
        TestThreads.joinAll(List.of(reader));
        TestThreads.rethrow(failures, "readers beside a latched leaf");
        assertThat(blocked.get(), equalTo(Optional.of(versioned(Trees.key(5), "v", 30))));
        tree.close();
    }

    @Test
    @Graded(
            task = "T11",
            points = 4,
            concept = "a put changes a leaf while a reader holds it (a torn read), or a put in another "
                    + "leaf waits for that reader: writers must latch their leaf exclusive, and only what they change")
    void aPutWaitsForAReaderInItsLeafAndOnlyThere() throws Exception {
        BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(), SMALL);
        assertLatched(tree);
        for (int i = 0; i < 400; i++) {
            tree.put(Trees.key(i), versioned(Trees.key(i), "v", 30));
        }
        Collection<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean blockedDone = new AtomicBoolean();
        Thread writer;
        try (AutoCloseable reader = Internals.holdLeaf(tree, Trees.key(5), false)) {
            Thread other = TestThreads.start(
                    "writer-elsewhere", () -> tree.put(Trees.key(395), versioned(Trees.key(395), "w", 30)), failures);
            TestThreads.joinAll(List.of(other));
            writer = TestThreads.start(
                    "writer",
                    () -> {
                        tree.put(Trees.key(5), versioned(Trees.key(5), "w", 30));
                        blockedDone.set(true);
                    },
                    failures);
            writer.join(300);
            assertThat("a put into a leaf a reader holds waits for the reader", blockedDone.get(), is(false));
        }
        TestThreads.joinAll(List.of(writer));
        TestThreads.rethrow(failures, "writers beside a leaf a reader holds");
        assertThat(tree.get(Trees.key(5)), equalTo(Optional.of(versioned(Trees.key(5), "w", 30))));
        assertThat(tree.get(Trees.key(395)), equalTo(Optional.of(versioned(Trees.key(395), "w", 30))));
        tree.close();
    }

    @Test
    @Graded(
            task = "T11",
            points = 3,
            concept = "a get or a put lets go of an internal page before it holds the child it chose "
                    + "(latch coupling): a split or merge can then move the key out of that child between the two")
    void aDescentHoldsEachPageUntilItHoldsTheChild() throws Exception {
        BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(), SMALL);
        assertLatched(tree);
        for (int i = 0; i < 600; i++) {
            tree.put(Trees.key(i), versioned(Trees.key(i), "v", 20));
        }
        Bytes key = Trees.key(300);
        List<Long> path = Internals.pathOf(tree, key);
        assertThat(
                "600 keys on 512-byte pages make a tree of three levels or more: " + path,
                path.size(),
                greaterThanOrEqualTo(3));
        long parent = path.get(path.size() - 2);
        Collection<Throwable> failures = new ConcurrentLinkedQueue<>();

        // A get: the test holds the key's leaf as a writer would; the get descends and waits for the
        // leaf's latch. Whatever it is waiting for, it must still hold the leaf's parent, or a writer
        // could split the leaf (and move the key out of it) before the get reads it.
        AtomicReference<Optional<Bytes>> got = new AtomicReference<>();
        Thread reader;
        try (AutoCloseable writer = Internals.holdLeaf(tree, key, true)) {
            reader = TestThreads.start("reader", () -> got.set(tree.get(key)), failures);
            awaitParkedOnALatch(reader, "a get of a key whose leaf a writer holds");
            assertThat(
                    "a get that finished while a writer held its leaf exclusive did not latch the leaf",
                    got.get(),
                    nullValue());
            assertThat(
                    "a get waiting for its leaf's latch has let go of the leaf's parent (page " + parent
                            + "): latch the child, then close the parent's guard",
                    Internals.latchedShared(tree, parent),
                    is(true));
        }
        TestThreads.joinAll(List.of(reader));
        TestThreads.rethrow(failures, "a get waiting for a leaf a writer held");
        assertThat("the get, once the writer let go", got.get(), equalTo(Optional.of(versioned(key, "v", 20))));

        // A put's optimistic descent: the test holds the leaf as a reader would; the put latches it
        // shared, then waits to trade that for exclusive. The trade is not atomic, so the parent
        // must be held across it.
        AtomicBoolean put = new AtomicBoolean();
        Thread putter;
        try (AutoCloseable otherReader = Internals.holdLeaf(tree, key, false)) {
            putter = TestThreads.start(
                    "writer",
                    () -> {
                        tree.put(key, versioned(key, "w", 20));
                        put.set(true);
                    },
                    failures);
            awaitParkedOnALatch(putter, "a put of a key whose leaf a reader holds");
            assertThat(
                    "a put that finished while a reader held its leaf did not latch the leaf exclusive",
                    put.get(),
                    is(false));
            assertThat(
                    "a put waiting for its leaf's latch has let go of the leaf's parent (page " + parent
                            + "): the upgrade of the leaf's latch is not atomic, so the parent must be held across it",
                    Internals.latchedShared(tree, parent),
                    is(true));
        }
        TestThreads.joinAll(List.of(putter));
        TestThreads.rethrow(failures, "a put waiting for a leaf a reader held");
        assertThat("the put, once the reader let go", tree.get(key), equalTo(Optional.of(versioned(key, "w", 20))));
        assertThat(Internals.pool(tree).pinnedFrames(), is(0));
        tree.close();
    }

    /**
     * Waits until {@code thread} is parked on a page latch (a {@link StampedLock}), or has ended.
     * It waits for that event, not for a time that guesses how long the thread needs to get there.
     */
    private static void awaitParkedOnALatch(Thread thread, String what) throws InterruptedException {
        long bound = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestThreads.LIVENESS_BOUND_SECONDS);
        while (thread.isAlive() && !(LockSupport.getBlocker(thread) instanceof StampedLock)) {
            assertThat(
                    what + ": neither waited for a page latch nor finished within " + TestThreads.LIVENESS_BOUND_SECONDS
                            + " s (an endless loop?)",
                    System.nanoTime() < bound,
                    is(true));
            Thread.sleep(1);
        }
    }

    @Test
    @Graded(
            task = "T11",
            points = 4,
            concept =
                    "a split or merge keeps the root (and every page above the first safe page) "
                            + "latched, or the root latch above a safe root: readers wait for every structure change in the whole tree")
    void aStructureChangeLetsGoOfTheRootWhenAPageBelowIsSafe() throws Exception {
        BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(), SMALL);
        assertLatched(tree);
        for (int i = 0; i < 600; i++) {
            tree.put(Trees.key(i), versioned(Trees.key(i), "v", 20));
        }
        int safeRootReleases = 0;
        for (int i = 0; i < 600; i += 37) {
            List<Boolean> held = Internals.structurePathHeld(tree, Trees.key(i));
            int levels = held.size() - 1;
            assertThat("a structure change's path reaches the leaf with it latched", held.get(levels - 1), is(true));
            assertThat("and the leaf's parent: the leaf may split into it", held.get(levels - 2), is(true));
            boolean rootLatch = held.get(levels);
            assertThat(
                    "the root latch is held only while the root page is: " + held, !rootLatch || held.get(0), is(true));
            for (int level = 1; level < levels; level++) {
                assertThat(
                        "once a page is let go, every page above it is let go too: " + held,
                        !held.get(level) && held.get(level - 1),
                        is(false));
            }
            safeRootReleases += rootLatch ? 0 : 1;
        }
        assertThat(
                "in a tree with room at the top, most structure changes let go of the root",
                safeRootReleases,
                greaterThan(10));
        assertThat(Internals.pool(tree).pinnedFrames(), is(0));
        tree.close();

        // In a tree of two levels no page below the root is ever safe (a leaf never is): a safe root
        // must itself let go of the root latch.
        BPlusTree twoLevels = BPlusTree.open(new FaultInjectingStorage(), SMALL);
        for (int i = 0; i < 60; i++) {
            twoLevels.put(Trees.key(i), versioned(Trees.key(i), "v", 20));
        }
        assertThat(
                "a tree of 60 keys has a root above its leaves",
                TreeDump.stats(twoLevels).height(),
                equalTo(2));
        for (int i = 0; i < 60; i += 7) {
            List<Boolean> held = Internals.structurePathHeld(twoLevels, Trees.key(i));
            assertThat(
                    "a structure change below a root with room for a separator and two keys or more lets go "
                            + "of the root latch at the root: " + held,
                    held.get(held.size() - 1),
                    is(false));
        }
        twoLevels.close();
    }

    // ------------------------------------------------------------------ crashes with concurrent writers

    private static final AtomicInteger CRASHED = new AtomicInteger();

    /** One operation a writer made, with the stamps around it; a null value is a delete. */
    private record Stamped(Bytes key, Bytes value, long call, long ret) {}

    @Test
    @Graded(
            task = "T3",
            points = 6,
            concept = "a crash while writers run beside checkpoints loses a write acknowledged before the "
                    + "last completed checkpoint began, or brings back a value never written: a checkpoint must wait for "
                    + "every write in flight and see none half done")
    void crashSweepWithConcurrentWritersReopensAtACheckpoint() throws Exception {
        long clean = runCrashWorkload(new FaultInjectingStorage(1), 0, null);
        assertThat("the workload mutates storage", clean, greaterThan(150L));
        int points = 0;
        CRASHED.set(0);
        for (CrashMode mode : List.of(CrashMode.RANDOM, CrashMode.LOSE_UNSYNCED)) {
            for (int k = 0; k < 30; k++) {
                long n = 1 + k * clean / 30;
                FaultInjectingStorage storage = new FaultInjectingStorage(k * 7L + mode.ordinal());
                storage.crashMode(mode);
                runCrashWorkload(storage, n, mode + " crash at mutation " + n);
                points++;
            }
        }
        assertThat("crash points exercised", points, is(60));
        assertThat("runs in which the crash came while the writers ran", CRASHED.get(), greaterThan(40));
    }

    /**
     * Two writers (each its own keys, puts and deletes) and checkpoints from a third thread; with
     * {@code crashAt} > 0 the storage crashes at that mutation, loses power, and the reopened tree
     * is checked against the stamps. Returns the storage's mutation count.
     */
    private static long runCrashWorkload(FaultInjectingStorage storage, long crashAt, String what) throws Exception {
        BPlusTree tree = BPlusTree.open(storage, Trees.SMALL_LRU_2);
        assertLatched(tree);
        if (crashAt > 0) {
            storage.crashBeforeMutation(crashAt);
        }
        AtomicLong clock = new AtomicLong();
        List<List<Stamped>> writes = List.of(new ArrayList<>(), new ArrayList<>());
        List<long[]> checkpoints = new ArrayList<>(); // {call, ret}; ret = -1 if it failed
        AtomicBoolean writersDone = new AtomicBoolean();
        Collection<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int writer = w;
            threads.add(TestThreads.start(
                    "writer-" + w,
                    () -> {
                        Random random = new Random(300 + writer);
                        try {
                            for (int step = 0; step < 400; step++) {
                                Bytes key = Trees.key(random.nextInt(150) * 2 + writer);
                                Bytes value = random.nextInt(4) == 0
                                        ? null
                                        : versioned(key, writer + "." + step, 20 + random.nextInt(70));
                                long call = clock.incrementAndGet();
                                if (value == null) {
                                    tree.delete(key);
                                } else {
                                    tree.put(key, value);
                                }
                                writes.get(writer).add(new Stamped(key, value, call, clock.incrementAndGet()));
                            }
                        } catch (IOException | IllegalStateException e) {
                            if (crashAt == 0) {
                                throw e;
                            } // the crash: this writer stops
                        }
                    },
                    failures));
        }
        threads.add(TestThreads.start(
                "checkpointer",
                () -> {
                    try {
                        while (!writersDone.get()) {
                            long call = clock.incrementAndGet();
                            long[] c = {call, -1};
                            synchronized (checkpoints) {
                                checkpoints.add(c);
                            }
                            tree.checkpoint();
                            c[1] = clock.incrementAndGet();
                            Thread.sleep(1);
                        }
                    } catch (IOException | IllegalStateException e) {
                        if (crashAt == 0) {
                            throw e;
                        }
                    }
                },
                failures));
        TestThreads.joinAll(threads.subList(0, 2));
        writersDone.set(true);
        TestThreads.joinAll(threads);
        TestThreads.rethrow(failures, what == null ? "a clean run of the crash workload" : what);
        if (crashAt == 0) {
            tree.close();
            return storage.mutationCount();
        }
        boolean crashed = storage.isCrashed();
        if (crashed) {
            CRASHED.incrementAndGet();
        }
        long[] closing = {clock.incrementAndGet(), -1}; // a close is a checkpoint too, if the crash has not come yet
        checkpoints.add(closing);
        try {
            tree.close();
            closing[1] = clock.incrementAndGet();
        } catch (IOException | RuntimeException e) {
            // the crash: the close's checkpoint may or may not have become durable
        }
        storage.powerLoss();
        BPlusTree reopened = BPlusTree.open(storage, Trees.SMALL_LRU_2);
        Invariants.check(reopened);
        TreeMap<Bytes, Bytes> got = Trees.contents(reopened);
        long[] lastDone = null;
        boolean inFlight = false;
        for (long[] c : checkpoints) {
            if (c[1] >= 0) {
                lastDone = c;
            } else {
                inFlight = true; // it may have become durable
            }
        }
        for (List<Stamped> ops : writes) {
            Map<Bytes, List<Stamped>> byKey = new HashMap<>();
            ops.forEach(op ->
                    byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op));
            for (Map.Entry<Bytes, List<Stamped>> e : byKey.entrySet()) {
                List<Stamped> keyOps = e.getValue();
                // Every write acknowledged before the last completed checkpoint began is in it; a
                // write that began after the checkpoint the image may be (the last completed one,
                // or the one in flight) cannot be.
                int lo = -1;
                int hi = -1;
                for (int j = 0; j < keyOps.size(); j++) {
                    if (lastDone != null && keyOps.get(j).ret() < lastDone[0]) {
                        lo = j;
                    }
                    if (inFlight || (lastDone != null && keyOps.get(j).call() < lastDone[1])) {
                        hi = j;
                    }
                }
                Set<Bytes> allowed = new HashSet<>();
                boolean absentAllowed = lo < 0;
                for (int j = Math.max(lo, 0); j <= hi; j++) {
                    if (keyOps.get(j).value() == null) {
                        absentAllowed = true;
                    } else {
                        allowed.add(keyOps.get(j).value());
                    }
                }
                Bytes value = got.get(e.getKey());
                boolean ok = value == null ? absentAllowed : allowed.contains(value);
                assertThat(
                        what + ": key " + e.getKey() + " reopened as " + value + "; allowed "
                                + (absentAllowed ? "absent or " : "") + allowed.size()
                                + " value(s) written between the last"
                                + " completed checkpoint's start and the crash (crashed " + crashed + ", checkpoints "
                                + checkpoints.stream()
                                        .map(java.util.Arrays::toString)
                                        .toList() + ", writes " + keyOps + ")",
                        ok,
                        is(true));
            }
        }
        Set<Bytes> written = new HashSet<>();
        writes.forEach(ops -> ops.forEach(op -> written.add(op.key())));
        for (Bytes k : got.keySet()) {
            assertThat(
                    what + ": the reopened tree holds only keys the writers wrote and saw acknowledged",
                    written.contains(k),
                    is(true));
        }
        reopened.put(Trees.key(999), versioned(Trees.key(999), "after", 20));
        reopened.checkpoint();
        reopened.close();
        return storage.mutationCount();
    }

    @Test
    @Graded(
            task = "T11",
            points = 3,
            concept = "size() or the page counts drift when writers run in parallel: an entry count or a "
                    + "pin count updated without the atomicity concurrent writers need")
    void countsStayExactUnderConcurrentWriters() throws Exception {
        BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(), SMALL);
        assertLatched(tree);
        Collection<Throwable> failures = new ConcurrentLinkedQueue<>();
        TestThreads.runAll(
                2,
                t -> {
                    for (int round = 0; round < 2; round++) {
                        for (int i = t; i < Trees.KEY_SPACE; i += 2) { // the second round replaces: no new keys
                            tree.put(Trees.key(i), versioned(Trees.key(i), t + "." + round, 12 + i % 9));
                        }
                    }
                    for (int i = t; i < Trees.KEY_SPACE; i += 6) {
                        tree.delete(Trees.key(i));
                        tree.delete(Trees.key(i)); // deleting an absent key counts nothing
                    }
                },
                failures);
        TestThreads.rethrow(failures, "two writers counting");
        long expected = Trees.KEY_SPACE - (Trees.KEY_SPACE + 5) / 6 - (Trees.KEY_SPACE + 4) / 6;
        assertThat(
                "a scan finds every key not deleted",
                (long) Trees.contents(tree).size(),
                is(expected));
        assertThat("size() counts exactly those keys", tree.size(), is(expected));
        assertThat("no pins left", Internals.pool(tree).pinnedFrames(), is(0));
        tree.close();
    }
}
