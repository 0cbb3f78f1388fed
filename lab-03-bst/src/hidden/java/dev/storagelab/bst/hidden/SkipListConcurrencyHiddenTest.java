package dev.storagelab.bst.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.storagelab.bst.Internals;
import dev.storagelab.bst.Invariants;
import dev.storagelab.bst.SkipListMap;
import dev.storagelab.lab.Graded;
import dev.storagelab.testkit.TestThreads;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of lab-03 T6's concurrency contract: writers serialised by the lock, readers
 * lock-free. Two writers insert and delete their own keys while three readers walk the list every
 * way it can be walked; every key present before the run and never deleted must be seen by every
 * walk and every lookup, in strict order, each with its own value. And with the writer lock held
 * by the test (a writer stuck mid-write), readers must still finish.
 *
 * <p>Keys: multiples of 4 are stable (inserted before the run, never deleted); writer A owns the
 * keys ≡ 1 (mod 4), writer B those ≡ 3; keys ≡ 2 are never written. The writers run a fixed
 * number of steps, so every assertion is deterministic whatever the interleaving.
 */
@Tag("hidden")
class SkipListConcurrencyHiddenTest {

    private static final int STABLE = 1000;
    private static final int WRITER_STEPS = 25_000;

    @Test
    @Graded(
            task = "T6",
            points = 3,
            concept = "skip list reader sees a half-linked node, misses a key that was never deleted, "
                    + "or walks out of order while writers insert and delete")
    void readersSeeEveryStableKeyInOrderWhileTwoWritersChangeTheList() throws InterruptedException {
        SkipListMap<Integer, String> map = new SkipListMap<>(null, 17L);
        for (int j = 0; j < STABLE; j++) {
            map.put(4 * j, "s" + 4 * j);
        }
        Collection<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean writersDone = new AtomicBoolean();
        List<TreeMap<Integer, String>> models = List.of(new TreeMap<>(), new TreeMap<>());
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int residue = w == 0 ? 1 : 3;
            TreeMap<Integer, String> model = models.get(w);
            writers.add(TestThreads.start(
                    "writer-" + residue, () -> write(map, model, residue, new Random(residue)), failures));
        }
        List<Thread> readers = List.of(
                TestThreads.start(
                        "ascending-reader", () -> readUntil(writersDone, () -> ascendingWalks(map)), failures),
                TestThreads.start(
                        "descending-reader", () -> readUntil(writersDone, () -> descendingWalks(map)), failures),
                TestThreads.start("point-reader", () -> readUntil(writersDone, () -> pointReads(map)), failures));
        try {
            TestThreads.joinAll(writers);
        } finally {
            writersDone.set(true);
            TestThreads.joinAll(readers);
        }
        TestThreads.rethrow(failures, "while two writers changed the skip list and three readers walked it");
        Invariants.checkSkipList(map);
        TreeMap<Integer, String> expected = new TreeMap<>();
        for (int j = 0; j < STABLE; j++) {
            expected.put(4 * j, "s" + 4 * j);
        }
        models.forEach(expected::putAll);
        assertThat(
                "after both writers finished, the list holds the stable keys and each writer's last writes",
                MapOp.entries(map),
                equalTo(MapOp.entries(expected)));
    }

    @Test
    @Graded(
            task = "T6",
            points = 2,
            concept = "skip list readers take the writer lock (or wait for a writer): a read must " + "never block")
    void readersDoNotWaitForAWriterHoldingTheLock() throws InterruptedException {
        SkipListMap<Integer, String> map = new SkipListMap<>(null, 8L);
        TreeMap<Integer, String> oracle = new TreeMap<>();
        for (int key = 0; key < 600; key += 2) {
            map.put(key, "v" + key);
            oracle.put(key, "v" + key);
        }
        ReentrantLock writeLock = Internals.writeLock(map);
        Collection<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Object> seen = new ArrayList<>();
        writeLock.lock();
        try {
            // The test thread now stands for a writer in the middle of a put: the reader must not care.
            Thread reader = TestThreads.start(
                    "reader",
                    () -> {
                        for (int key = -1; key <= 600; key++) {
                            seen.add(List.of(
                                    String.valueOf(map.get(key)),
                                    String.valueOf(map.floorKey(key)),
                                    String.valueOf(map.ceilingKey(key)),
                                    String.valueOf(map.higherKey(key)),
                                    String.valueOf(map.lowerKey(key))));
                        }
                        seen.add(MapOp.entries(map));
                        seen.add(MapOp.entries(map.descendingMap()));
                        seen.add(MapOp.entries(map.subMap(101, true, 299, false)));
                        seen.add(List.of(map.firstKey(), map.lastKey(), map.size()));
                    },
                    failures);
            boolean waiting = TestThreads.awaitQueued(writeLock, reader);
            assertThat(
                    "a reader (get, floorKey, ceilingKey, higherKey, lowerKey, iteration, a view) queued for the "
                            + "skip list's writeLock while a writer held it: reads must take no lock",
                    waiting,
                    equalTo(false));
            TestThreads.joinAll(List.of(reader));
        } finally {
            writeLock.unlock();
        }
        TestThreads.rethrow(failures, "reading while the writer lock was held");
        List<Object> expected = new ArrayList<>();
        for (int key = -1; key <= 600; key++) {
            expected.add(List.of(
                    String.valueOf(oracle.get(key)),
                    String.valueOf(oracle.floorKey(key)),
                    String.valueOf(oracle.ceilingKey(key)),
                    String.valueOf(oracle.higherKey(key)),
                    String.valueOf(oracle.lowerKey(key))));
        }
        expected.add(MapOp.entries(oracle));
        expected.add(MapOp.entries(oracle.descendingMap()));
        expected.add(MapOp.entries(oracle.subMap(101, true, 299, false)));
        expected.add(List.of(oracle.firstKey(), oracle.lastKey(), oracle.size()));
        assertThat("what the reader saw with the writer lock held: the list as it was", seen, equalTo(expected));
    }

    // ------------------------------------------------------------------------------- the threads

    /** A reader's pass over the list; loops until the writers are done, and at least three times. */
    private static void readUntil(AtomicBoolean writersDone, TestThreads.Body pass) throws Exception {
        for (int passes = 0; passes < 3 || !writersDone.get(); passes++) {
            pass.run();
        }
    }

    /** Random puts and deletes of the writer's own keys, and now and then a range delete through a view. */
    private static void write(
            SkipListMap<Integer, String> map, TreeMap<Integer, String> model, int residue, Random random) {
        for (int step = 0; step < WRITER_STEPS; step++) {
            int key = 4 * random.nextInt(STABLE) + residue;
            int dice = random.nextInt(100);
            if (dice < 55) {
                String value = "w" + key + "-" + step;
                assertThat(
                        "writer " + residue + ": put(" + key + ") returns the old value",
                        map.put(key, value),
                        equalTo(model.put(key, value)));
            } else if (dice < 99) {
                assertThat(
                        "writer " + residue + ": remove(" + key + ") returns the old value",
                        map.remove(key),
                        equalTo(model.remove(key)));
            } else {
                int from = key - residue;
                map.subMap(from, from + 40).keySet().removeIf(k -> Math.floorMod(k, 4) == residue);
                model.subMap(from, from + 40).clear();
            }
        }
    }

    /** Whole ascending walks: the entry set, and a tail view from a random stable key. */
    private static void ascendingWalks(SkipListMap<Integer, String> map) {
        checkWalk(map.entrySet(), true, STABLE, "ascending entrySet() walk");
        int from = 4 * (STABLE / 3);
        checkWalk(map.tailMap(from, true).entrySet(), true, STABLE - from / 4, "tailMap(" + from + ", true) walk");
    }

    /** Whole descending walks: the descending map, and a descending head view. */
    private static void descendingWalks(SkipListMap<Integer, String> map) {
        checkWalk(map.descendingMap().entrySet(), false, STABLE, "descendingMap() walk");
        int to = 4 * (2 * STABLE / 3);
        NavigableMap<Integer, String> head = map.headMap(to, true).descendingMap();
        checkWalk(head.entrySet(), false, to / 4 + 1, "headMap(" + to + ", true).descendingMap() walk");
    }

    /**
     * Checks a walk: strictly ordered, no key ≡ 2 (mod 4), every value belongs to its key, and every
     * stable key in range seen: {@code stableInRange} of them.
     */
    private static void checkWalk(
            Iterable<Map.Entry<Integer, String>> walk, boolean ascending, int stableInRange, String what) {
        Integer previous = null;
        int stableSeen = 0;
        for (Map.Entry<Integer, String> e : walk) {
            int key = e.getKey();
            if (previous != null && (ascending ? previous >= key : previous <= key)) {
                throw new AssertionError(what + ": keys must be strictly " + (ascending ? "increasing" : "decreasing")
                        + ", but " + previous + " came before " + key);
            }
            previous = key;
            assertThat(what + ": key " + key + " was never written", Math.floorMod(key, 4) == 2, equalTo(false));
            String value = e.getValue();
            if (key % 4 == 0) {
                assertThat(what + ": the value of stable key " + key, value, equalTo("s" + key));
                stableSeen++;
            } else {
                assertThat(
                        what + ": the value of " + key + " must be one its writer wrote for it",
                        value,
                        startsWith("w" + key + "-"));
            }
        }
        assertThat(
                what + ": every key present before the writers started and never deleted must be seen",
                stableSeen,
                equalTo(stableInRange));
    }

    /** Lookups whose answers the writers cannot change: each names a stable key or a never-written one. */
    private static void pointReads(SkipListMap<Integer, String> map) {
        for (int j = 0; j < STABLE; j += 7) {
            int key = 4 * j;
            assertThat("get(" + key + ") of a stable key", map.get(key), equalTo("s" + key));
            assertThat("floorKey(" + key + ") of a stable key", map.floorKey(key), equalTo(key));
            assertThat("ceilingKey(" + key + ") of a stable key", map.ceilingKey(key), equalTo(key));
            assertThat(
                    "lowerKey(" + (key + 1) + "): nothing lies between " + key + " and " + (key + 1),
                    map.lowerKey(key + 1),
                    equalTo(key));
            if (j > 0) {
                assertThat(
                        "higherKey(" + (key - 1) + "): nothing lies between " + (key - 1) + " and " + key,
                        map.higherKey(key - 1),
                        equalTo(key));
            }
            assertThat(
                    "containsKey(" + (key + 2) + ") of a key never written", map.containsKey(key + 2), equalTo(false));
        }
        assertThat("firstKey() while writers write: 0 is stable and smallest", map.firstKey(), equalTo(0));
    }
}
