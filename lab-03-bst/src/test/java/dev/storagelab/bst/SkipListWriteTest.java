package dev.storagelab.bst;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-03 T6: {@link SkipListMap#put} and {@link SkipListMap#unlink}. An insert finds the
 * predecessors on every level, draws the new tower's height, and links the node bottom-up, each
 * link set before the link that publishes it; a delete points each predecessor past the node and
 * leaves the node's own links alone, so a reader standing on it still reaches the rest of the
 * list. {@code levels} grows with the tallest tower and shrinks when it goes. Writers hold the
 * lock; readers never do, and a reader must never see a list out of order or a write that finished
 * before it started go missing.
 *
 * <p>{@link Invariants#checkSkipList} checks the levels after every operation; a {@link TreeMap}
 * is the oracle. Some tests script the tower heights by overriding {@code randomLevel()}.
 */
class SkipListWriteTest {

    /** A skip list whose new towers have the heights given, in order (then 1). */
    private static final class ScriptedSkipList extends SkipListMap<Integer, String> {
        private final Deque<Integer> heights = new ArrayDeque<>();

        ScriptedSkipList(int... heights) {
            super(null, 1);
            for (int h : heights) {
                this.heights.add(h);
            }
        }

        @Override
        protected int randomLevel() {
            return heights.isEmpty() ? 1 : heights.poll();
        }
    }

    /** The keys linked on {@code level}, in link order. */
    private static List<Integer> keysOnLevel(SkipListMap<Integer, ?> map, int level) {
        List<Integer> keys = new ArrayList<>();
        for (SkipListMap.Node<Integer, ?> n = map.head.next(level); n != null; n = n.next(level)) {
            keys.add(n.getKey());
            assertThat(
                    "level " + level + " has more nodes than the map holds: a cycle",
                    keys.size(),
                    is(lessThanOrEqualTo(map.size())));
        }
        return keys;
    }

    /** The tower height of each key, in key order. */
    private static List<Integer> towers(SkipListMap<Integer, ?> map) {
        List<Integer> heights = new ArrayList<>();
        for (SkipListMap.Node<Integer, ?> n = map.head.next(0); n != null; n = n.next(0)) {
            heights.add(n.levels());
            assertThat(
                    "level 0 has more nodes than the map holds: a cycle",
                    heights.size(),
                    is(lessThanOrEqualTo(map.size())));
        }
        return heights;
    }

    private static int tallestTower(SkipListMap<Integer, ?> map) {
        return towers(map).stream().mapToInt(Integer::intValue).max().orElse(1);
    }

    @Test
    void putLinksTheNewNodeOnEveryLevelOfItsTower() {
        ScriptedSkipList map = new ScriptedSkipList(2, 1, 3, 1);
        assertThat("put of a new key returns null", map.put(30, "v30"), is(nullValue()));
        map.put(10, "v10");
        map.put(20, "v20");
        map.put(40, "v40");
        Invariants.checkSkipList(map);
        assertThat("level 0 links every key in order", keysOnLevel(map, 0), equalTo(List.of(10, 20, 30, 40)));
        assertThat(
                "level 1 links the towers of height >= 2: 30 (height 2) and 20 (height 3)",
                keysOnLevel(map, 1),
                equalTo(List.of(20, 30)));
        assertThat("level 2 links only 20, the one tower of height 3", keysOnLevel(map, 2), equalTo(List.of(20)));
        assertThat("levels in use grew to the tallest tower", map.levels, is(3));
        assertThat("size counts the four keys", map.size(), is(4));
        assertThat(
                "each node has the height randomLevel() gave it when it was put",
                towers(map),
                equalTo(List.of(1, 3, 2, 1)));
    }

    @Test
    void aTowerAboveTheLevelsInUseHangsFromTheHead() {
        ScriptedSkipList map = new ScriptedSkipList(1, SkipListMap.MAX_LEVEL, 2);
        map.put(10, "v10");
        assertThat("one tower of height 1: one level in use", map.levels, is(1));
        map.put(20, "v20");
        assertThat(
                "a tower of MAX_LEVEL = " + SkipListMap.MAX_LEVEL + " levels: on the levels that were not in use,"
                        + " the head is its predecessor, and levels grows to " + SkipListMap.MAX_LEVEL,
                map.levels,
                is(SkipListMap.MAX_LEVEL));
        assertThat(
                "the head links 20 on the top level",
                map.head.next(SkipListMap.MAX_LEVEL - 1).getKey(),
                is(20));
        map.put(15, "v15");
        Invariants.checkSkipList(map);
        assertThat(
                "15 (height 2) sits between the head and 20 on level 1", keysOnLevel(map, 1), equalTo(List.of(15, 20)));
    }

    @Test
    void levelsShrinkWhenTheTallestTowerIsRemoved() {
        ScriptedSkipList map = new ScriptedSkipList(1, 5, 3);
        map.put(10, "v10");
        map.put(20, "v20");
        map.put(30, "v30");
        assertThat("towers of 1, 5 and 3 levels: 5 levels in use", map.levels, is(5));
        assertThat("remove returns the removed value", map.remove(20), is("v20"));
        Invariants.checkSkipList(map);
        assertThat(
                "the 5-level tower is gone: levels shrinks to 3, the tallest left, so searches do not start on"
                        + " empty levels",
                map.levels,
                is(3));
        map.remove(30);
        assertThat("only a 1-level tower left", map.levels, is(1));
        map.remove(10);
        Invariants.checkSkipList(map);
        assertThat("an empty list keeps 1 level, never 0", map.levels, is(1));
        assertThat("an empty list has size 0", map.size(), is(0));
    }

    @Test
    void levelsShrinkAsTheTallestTowersAreDeleted() {
        SkipListMap<Integer, String> map = new SkipListMap<>(null, 61);
        for (int k = 0; k < 3_000; k++) {
            map.put(k, "v" + k);
        }
        Invariants.checkSkipList(map);
        assertThat("3000 keys: some tower is several levels high", map.levels, is(greaterThanOrEqualTo(4)));
        while (map.levels > 1) {
            int top = map.levels;
            List<Integer> tallest = new ArrayList<>();
            tallest.addAll(keysOnLevel(map, top - 1));
            assertThat(
                    "the top level in use, " + (top - 1) + ", links some node", tallest, is(not(equalTo(List.of()))));
            tallest.forEach(map::remove);
            Invariants.checkSkipList(map);
            assertThat(
                    "after removing every tower of " + top + " levels, levels is the tallest tower left",
                    map.levels,
                    is(tallestTower(map)));
        }
    }

    @Test
    void putOfAPresentKeyReplacesTheValueInPlace() {
        SkipListMap<Integer, String> map = new SkipListMap<>(null, 62);
        for (int k = 0; k < 100; k++) {
            map.put(k, "v" + k);
        }
        Map.Entry<Integer, String> node = findNode(map, 50);
        assertThat("iterating the list yields the node of 50", node, is(notNullValue()));
        List<Integer> before = towers(map);
        assertThat("put of a present key returns the old value", map.put(50, "new"), is("v50"));
        assertThat("get sees the new value", map.get(50), is("new"));
        assertThat("no node was added", map.size(), is(100));
        assertThat(
                "the same node holds the new value (a replacement relinks nothing, so readers see it whole)",
                findNode(map, 50),
                is(sameInstance(node)));
        assertThat("no tower changed", towers(map), equalTo(before));
        Invariants.checkSkipList(map);
    }

    private static Map.Entry<Integer, String> findNode(SkipListMap<Integer, String> map, int key) {
        for (Map.Entry<Integer, String> e : Iterations.toList(map.entrySet(), map.size())) {
            if (e.getKey() == key) {
                return e;
            }
        }
        return null;
    }

    @Test
    void randomWritesAgreeWithTreeMap() {
        Random random = new Random(63);
        SkipListMap<Integer, Integer> map = new SkipListMap<>(null, 63);
        TreeMap<Integer, Integer> oracle = new TreeMap<>();
        for (int op = 0; op < 4_000; op++) {
            int key = random.nextInt(300);
            int kind = random.nextInt(10);
            String what;
            if (kind < 6) {
                what = "put(" + key + ")";
                assertThat(what + " at operation " + op, map.put(key, op), is(oracle.put(key, op)));
            } else if (kind < 9) {
                what = "remove(" + key + ")";
                assertThat(what + " at operation " + op, map.remove(key), is(oracle.remove(key)));
            } else if (random.nextBoolean()) {
                what = "pollFirstEntry()";
                assertThat(what + " at operation " + op, map.pollFirstEntry(), is(oracle.pollFirstEntry()));
            } else {
                what = "pollLastEntry()";
                assertThat(what + " at operation " + op, map.pollLastEntry(), is(oracle.pollLastEntry()));
            }
            try {
                Invariants.checkSkipList(map);
            } catch (AssertionError e) {
                throw new AssertionError("after " + what + " at operation " + op + ": " + e.getMessage(), e);
            }
            if (op % 400 == 0) {
                assertThat(
                        "the entries after operation " + op,
                        Iterations.toList(map.entrySet(), oracle.size()),
                        equalTo(new ArrayList<>(oracle.entrySet())));
            }
        }
        int steps = 0;
        for (Iterator<Integer> it = map.keySet().iterator(); it.hasNext(); steps++) {
            assertThat(
                    "an iteration that removes keys as it goes takes one step per key",
                    steps,
                    is(lessThan(oracle.size())));
            if (it.next() % 2 == 0) {
                it.remove();
            }
        }
        oracle.keySet().removeIf(k -> k % 2 == 0);
        Invariants.checkSkipList(map);
        assertThat(
                "the entries after removing the even keys through the iterator",
                Iterations.toList(map.entrySet(), oracle.size()),
                equalTo(new ArrayList<>(oracle.entrySet())));
    }

    @Test
    void theSameSeedBuildsTheSameTowers() {
        List<Integer> keys = new ArrayList<>(IntStream.range(0, 2_000).boxed().toList());
        Collections.shuffle(keys, new Random(64));
        SkipListMap<Integer, String> first = new SkipListMap<>(null, 99);
        SkipListMap<Integer, String> second = new SkipListMap<>(null, 99);
        SkipListMap<Integer, String> other = new SkipListMap<>(null, 100);
        for (int k : keys) {
            first.put(k, "v");
            second.put(k, "v");
            other.put(k, "v");
        }
        assertThat(
                "two lists with the same seed and the same inserts have the same towers: draw heights with the"
                        + " list's own seeded random, so an experiment can be repeated",
                towers(second),
                equalTo(towers(first)));
        assertThat("a different seed gives different towers", towers(other), is(not(equalTo(towers(first)))));
    }

    @Test
    void aReaderStandingOnARemovedNodeStillReachesTheRestOfTheList() {
        SkipListMap<Integer, String> map = new SkipListMap<>(null, 65);
        for (int k = 1; k <= 10; k++) {
            map.put(k, "v" + k);
        }
        Iterator<Integer> it = map.keySet().iterator();
        assertThat(it.next(), is(1));
        // The iterator now stands before node 2, which it already holds. Remove it and its successor.
        map.remove(2);
        map.remove(3);
        List<Integer> rest = Iterations.toList(it, 9);
        assertThat(
                "an iterator holding the removed node 2 follows 2's links onward (the iterator is weakly"
                        + " consistent, so it may still show 2 and 3): unlink must leave a removed node's own links alone",
                rest.stream().filter(k -> k >= 4).toList(),
                equalTo(List.of(4, 5, 6, 7, 8, 9, 10)));
        assertThat(
                "the list itself no longer holds 2 and 3",
                Iterations.toList(map.keySet(), 8),
                equalTo(List.of(1, 4, 5, 6, 7, 8, 9, 10)));
        Invariants.checkSkipList(map);
    }

    @Test
    void readersWalkTheListWithoutLocksWhileAWriterInserts() throws Exception {
        int n = 10_000;
        List<Integer> order = new ArrayList<>(IntStream.range(0, n).boxed().toList());
        Collections.shuffle(order, new Random(66));
        SkipListMap<Integer, Integer> map = new SkipListMap<>(null, 66);
        AtomicInteger inserted = new AtomicInteger();
        AtomicBoolean writing = new AtomicBoolean(true);
        CountDownLatch started = new CountDownLatch(2);
        ExecutorService readers = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "skip-list-reader");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Integer>> passes = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                passes.add(readers.submit(() -> {
                    started.countDown();
                    return readWhileWriting(map, order, inserted, writing);
                }));
            }
            started.await(10, TimeUnit.SECONDS);
            try {
                for (int i = 0; i < n; i++) {
                    map.put(order.get(i), order.get(i));
                    inserted.set(i + 1);
                }
            } finally {
                writing.set(false);
            }
            for (Future<Integer> reader : passes) {
                assertThat("a reader walks the list at least once", await(reader), is(greaterThanOrEqualTo(1)));
            }
        } finally {
            readers.shutdownNow();
        }
        assertThat("after the writer finished, all " + n + " keys are in", map.size(), is(n));
        assertThat(
                "in order",
                Iterations.toList(map.keySet(), n),
                equalTo(IntStream.range(0, n).boxed().toList()));
        Invariants.checkSkipList(map);
    }

    /**
     * Walks the list again and again while the writer runs; returns the number of walks. Each walk
     * must see keys in strictly increasing order, each value equal to its key, and at least the
     * keys whose put had returned before the walk began.
     */
    private static int readWhileWriting(
            SkipListMap<Integer, Integer> map, List<Integer> order, AtomicInteger inserted, AtomicBoolean writing) {
        int walks = 0;
        do {
            int done = inserted.get();
            if (done > 0) {
                int last = order.get(done - 1);
                assertThat(
                        "get(" + last + ") in a reader, after the writer's put(" + last + ") returned: a finished write"
                                + " is visible to a reader that starts later",
                        map.get(last),
                        is(last));
            }
            Integer previous = null;
            int seen = 0;
            for (Map.Entry<Integer, Integer> e : map.entrySet()) {
                // Plain checks in this hot loop: a message is built only when something is wrong.
                if (previous != null && previous >= e.getKey()) {
                    throw new AssertionError("a reader walking level 0 while a writer inserts must see keys in strictly"
                            + " increasing order, but " + previous + " came before " + e.getKey());
                }
                if (!e.getKey().equals(e.getValue())) {
                    throw new AssertionError("an entry must be seen whole: key " + e.getKey() + " was put with value "
                            + e.getKey() + ", the reader saw " + e.getValue());
                }
                previous = e.getKey();
                if (++seen > order.size()) {
                    throw new AssertionError("a walk of level 0 meets more nodes than were ever inserted: a cycle");
                }
            }
            assertThat(
                    "a walk that started after " + done + " puts had returned sees at least those keys",
                    seen,
                    is(greaterThanOrEqualTo(done)));
            walks++;
        } while (writing.get());
        return walks;
    }

    /** The reader's result, or the reader's own failure rethrown so the test names it. */
    private static <T> T await(Future<T> reader) throws Exception {
        try {
            return reader.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        } catch (TimeoutException e) {
            throw new AssertionError(
                    "a reader did not finish its walk within 30 s of the writer stopping: does level 0"
                            + " have a cycle?",
                    e);
        }
    }
}
