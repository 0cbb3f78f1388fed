package dev.storagelab.bst;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.both;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-03 T5: {@link SkipListMap#randomLevel}, {@link SkipListMap#findGreaterOrEqual},
 * {@link SkipListMap#findLessThan} and {@link SkipListMap#findLast}. A tower's height is drawn by
 * coin tosses that go up one level with probability 1/4; a search runs right along the highest
 * level in use while the next key is smaller, then drops a level, and on level 0 stops in front
 * of the answer. Every read of the skip list ({@code get}, the navigation methods, iteration both
 * ways) is built on these three walks.
 *
 * <p>So that search can be tested before insert (T6) works, the lists here are linked by hand
 * ({@link DrawnSkipList}) from sorted keys and tower heights: either drawn in a picture, or taken
 * from your {@code randomLevel()}. The oracle is a {@link TreeMap} of the same keys.
 */
class SkipListSearchTest {

    /**
     * A skip list linked directly from sorted keys and their tower heights, without {@code put}.
     * It counts its own size, since the list's size field belongs to {@code put}.
     */
    private static final class DrawnSkipList<V> extends SkipListMap<Integer, V> {
        private int count;

        DrawnSkipList(Comparator<Integer> comparator, long seed) {
            super(comparator, seed);
        }

        /** Links {@code keys} (strictly increasing) with their {@code values}, one tower height from {@code heights} per key. */
        @SuppressWarnings("unchecked")
        DrawnSkipList<V> link(List<Integer> keys, IntSupplier heights, IntFunction<V> values) {
            Node<Integer, V>[] tails = (Node<Integer, V>[]) new Node[MAX_LEVEL];
            Arrays.fill(tails, head);
            int tallest = 1;
            for (int key : keys) {
                int h = heights.getAsInt();
                assertThat(
                        "a tower has between 1 and MAX_LEVEL = " + MAX_LEVEL + " levels",
                        h,
                        is(both(greaterThanOrEqualTo(1)).and(lessThanOrEqualTo(MAX_LEVEL))));
                Node<Integer, V> node = new Node<>(key, values.apply(key), h);
                for (int level = 0; level < h; level++) {
                    tails[level].setNext(level, node);
                    tails[level] = node;
                }
                tallest = Math.max(tallest, h);
            }
            levels = tallest;
            count = keys.size();
            return this;
        }

        @Override
        public int size() {
            return count;
        }
    }

    /** The list in the picture below; values are "v" + key. */
    private static DrawnSkipList<String> pictured() {
        // level 3: head ----------------------------------> 60
        // level 2: head ------------> 30 -----------------> 60
        // level 1: head --> 10 -----> 30 --------> 50 ----> 60 --------> 80
        // level 0: head --> 10 -> 20 -> 30 -> 40 -> 50 -> 60 -> 70 -> 80 -> 90
        int[] heights = {2, 1, 3, 1, 2, 4, 1, 2, 1};
        int[] next = {0};
        return new DrawnSkipList<String>(null, 1)
                .link(List.of(10, 20, 30, 40, 50, 60, 70, 80, 90), () -> heights[next[0]++], k -> "v" + k);
    }

    /** A list of {@code keys} whose towers come from the list's own randomLevel(). */
    private static DrawnSkipList<String> randomTowers(List<Integer> keys, long seed) {
        DrawnSkipList<String> map = new DrawnSkipList<>(null, seed);
        return map.link(keys, map::randomLevel, k -> "v" + k);
    }

    /** Distinct sorted keys: even numbers drawn from 0 .. 4n, so odd probes are always absent. */
    private static List<Integer> sortedKeys(int n, Random random) {
        TreeMap<Integer, Boolean> keys = new TreeMap<>();
        while (keys.size() < n) {
            keys.put(2 * random.nextInt(2 * n + 1), true);
        }
        return new ArrayList<>(keys.keySet());
    }

    /** What preds must hold after a search for {@code key}: on each level, the last node with a smaller key. */
    private static List<Object> expectedPreds(SkipListMap<Integer, String> map, int key) {
        List<Object> preds = new ArrayList<>();
        for (int level = 0; level < map.levels; level++) {
            SkipListMap.Node<Integer, String> x = map.head;
            while (x.next(level) != null && x.next(level).getKey() < key) {
                x = x.next(level);
            }
            preds.add(x);
        }
        return preds;
    }

    private static String name(SkipListMap<Integer, String> map, Object node) {
        return node == map.head ? "head" : node == null ? "null" : String.valueOf(((Map.Entry<?, ?>) node).getKey());
    }

    @Test
    void randomLevelStaysBetweenOneAndMaxLevel() {
        SkipListMap<Integer, String> map = new SkipListMap<>(null, 42);
        int lowest = Integer.MAX_VALUE;
        int highest = Integer.MIN_VALUE;
        for (int i = 0; i < 200_000; i++) {
            int level = map.randomLevel();
            lowest = Math.min(lowest, level);
            highest = Math.max(highest, level);
        }
        assertThat(
                "the lowest of 200,000 randomLevel() results: every node is on level 0, so a tower has at least"
                        + " 1 level (most towers have exactly 1)",
                lowest,
                is(1));
        assertThat(
                "the highest of 200,000 randomLevel() results: a tower never exceeds MAX_LEVEL = "
                        + SkipListMap.MAX_LEVEL + ", the head's height",
                highest,
                is(lessThanOrEqualTo(SkipListMap.MAX_LEVEL)));
    }

    @Test
    void randomLevelGoesUpOneLevelInFour() {
        SkipListMap<Integer, String> map = new SkipListMap<>(null, 43);
        int draws = 200_000;
        long[] atLeast = new long[SkipListMap.MAX_LEVEL + 2];
        long sum = 0;
        for (int i = 0; i < draws; i++) {
            int level = map.randomLevel();
            sum += level;
            for (int l = 1; l <= Math.min(level, SkipListMap.MAX_LEVEL); l++) {
                atLeast[l]++;
            }
        }
        // Bounds are many standard deviations wide: a correct coin never misses them, a wrong one always does.
        for (int l = 1; l <= 3; l++) {
            double ratio = (double) atLeast[l + 1] / atLeast[l];
            assertThat(
                    "of " + atLeast[l] + " towers that reach level " + l + ", " + atLeast[l + 1] + " reach level "
                            + (l + 1) + ": one in BRANCHING = 4 should go up, with probability 1/4 per toss, not 1/2",
                    ratio,
                    is(both(greaterThanOrEqualTo(0.2)).and(lessThanOrEqualTo(0.3))));
        }
        double mean = (double) sum / draws;
        assertThat(
                "the mean tower height is 1 + 1/4 + 1/16 + ... = 4/3 levels",
                mean,
                is(both(greaterThanOrEqualTo(1.3)).and(lessThanOrEqualTo(1.37))));
        assertThat(
                "in " + draws + " draws some towers reach level 7 (expected about 49 of them): the coin is"
                        + " tossed again after every success, not once",
                atLeast[7],
                is(both(greaterThanOrEqualTo(10L)).and(lessThanOrEqualTo(200L))));
    }

    @Test
    void findGreaterOrEqualWalksThePicturedList() {
        DrawnSkipList<String> map = pictured();
        @SuppressWarnings("unchecked")
        SkipListMap.Node<Integer, String>[] preds = new SkipListMap.Node[SkipListMap.MAX_LEVEL];
        SkipListMap.Node<Integer, String> found = map.findGreaterOrEqual(45, preds);
        assertThat("findGreaterOrEqual(45) on the pictured list returns the node of 50", name(map, found), is("50"));
        assertThat(
                "a search for 45 runs: level 3 head (60 is not < 45, drop), level 2 head -> 30 (drop before 60),"
                        + " level 1 stays at 30 (50 is not < 45), level 0 30 -> 40. preds[level] is where it dropped down",
                Arrays.asList(name(map, preds[3]), name(map, preds[2]), name(map, preds[1]), name(map, preds[0])),
                equalTo(List.of("head", "30", "30", "40")));
        assertThat(
                "findGreaterOrEqual(60) returns 60 itself: it moves right only while the next key is smaller",
                name(map, map.findGreaterOrEqual(60, null)),
                is("60"));
        assertThat(
                "findGreaterOrEqual(5): everything is >= 5, so the first node",
                name(map, map.findGreaterOrEqual(5, null)),
                is("10"));
        assertThat(
                "findGreaterOrEqual(95): nothing is >= 95, so null", map.findGreaterOrEqual(95, null), is(nullValue()));
        assertThat("findLessThan(45): the last node with a key < 45", name(map, map.findLessThan(45)), is("40"));
        assertThat("findLessThan(10): no key is < 10, so the head", name(map, map.findLessThan(10)), is("head"));
        assertThat("findLessThan(1000): the last node", name(map, map.findLessThan(1_000)), is("90"));
        assertThat("findLast(): the last node, 90", name(map, map.findLast()), is("90"));
        for (int k = 10; k <= 90; k += 10) {
            assertThat("get(" + k + ") on the pictured list", map.get(k), is("v" + k));
            assertThat("get(" + (k + 5) + ") on the pictured list: absent", map.get(k + 5), is(nullValue()));
        }
    }

    @Test
    void findGreaterOrEqualRecordsTheLastNodeBeforeTheKeyOnEveryLevel() {
        Random random = new Random(51);
        for (int n : new int[] {1, 2, 10, 300}) {
            DrawnSkipList<String> map = randomTowers(sortedKeys(n, random), 50 + n);
            Invariants.checkSkipList(map);
            for (int probe = -2; probe <= 4 * n + 2; probe++) {
                @SuppressWarnings("unchecked")
                SkipListMap.Node<Integer, String>[] preds = new SkipListMap.Node[SkipListMap.MAX_LEVEL];
                map.findGreaterOrEqual(probe, preds);
                List<Object> expected = expectedPreds(map, probe);
                for (int level = 0; level < map.levels; level++) {
                    assertThat(
                            "preds[" + level + "] after findGreaterOrEqual(" + probe + ", preds) on a list of " + n
                                    + " keys with " + map.levels + " levels: the last node on level " + level
                                    + " whose key is"
                                    + " < " + probe
                                    + " (or the head); insert and delete (T6) relink exactly these nodes. Found "
                                    + name(map, preds[level]) + ", expected " + name(map, expected.get(level)),
                            preds[level],
                            is(sameInstance(expected.get(level))));
                }
            }
        }
    }

    @Test
    void navigationMatchesTreeMap() {
        Random random = new Random(52);
        for (int n : new int[] {1, 2, 3, 40, 1_000}) {
            List<Integer> keys = sortedKeys(n, random);
            DrawnSkipList<String> map = randomTowers(keys, 60 + n);
            Invariants.checkSkipList(map);
            TreeMap<Integer, String> oracle = new TreeMap<>();
            keys.forEach(k -> oracle.put(k, "v" + k));
            String list = " on a skip list of " + n + " keys (even numbers, so odd probes are absent)";
            for (int probe = -3; probe <= 4 * n + 3; probe += (n > 100 ? 3 : 1)) {
                String at = "(" + probe + ")" + list;
                assertThat("get" + at, map.get(probe), is(oracle.get(probe)));
                assertThat("containsKey" + at, map.containsKey(probe), is(oracle.containsKey(probe)));
                assertThat(
                        "ceilingKey" + at + ": findGreaterOrEqual",
                        map.ceilingKey(probe),
                        is(oracle.ceilingKey(probe)));
                assertThat(
                        "higherKey" + at + ": findGreaterOrEqual, then one step if the key is present",
                        map.higherKey(probe),
                        is(oracle.higherKey(probe)));
                assertThat("lowerKey" + at + ": findLessThan", map.lowerKey(probe), is(oracle.lowerKey(probe)));
                assertThat(
                        "floorKey" + at + ": findLessThan, then one step if the next key is the probe",
                        map.floorKey(probe),
                        is(oracle.floorKey(probe)));
                assertThat("floorEntry" + at, map.floorEntry(probe), is(oracle.floorEntry(probe)));
                assertThat("ceilingEntry" + at, map.ceilingEntry(probe), is(oracle.ceilingEntry(probe)));
                assertThat("lowerEntry" + at, map.lowerEntry(probe), is(oracle.lowerEntry(probe)));
                assertThat("higherEntry" + at, map.higherEntry(probe), is(oracle.higherEntry(probe)));
            }
            assertThat("firstKey()" + list, map.firstKey(), is(oracle.firstKey()));
            assertThat(
                    "lastKey()" + list + ": findLast runs right on each level, then drops",
                    map.lastKey(),
                    is(oracle.lastKey()));
            assertThat("lastEntry()" + list, map.lastEntry(), is(oracle.lastEntry()));
            assertThat(
                    "ascending iteration" + list,
                    Iterations.toList(map.keySet(), n),
                    equalTo(new ArrayList<>(oracle.keySet())));
            assertThat(
                    "descending iteration" + list + ": each step back is a findLessThan (no backward links)",
                    Iterations.toList(map.descendingMap().entrySet(), n),
                    equalTo(new ArrayList<>(oracle.descendingMap().entrySet())));
        }
    }

    @Test
    void anEmptyListFindsNothing() {
        DrawnSkipList<String> map = new DrawnSkipList<String>(null, 1).link(List.of(), () -> 1, k -> "v");
        assertThat("get on an empty skip list", map.get(5), is(nullValue()));
        assertThat("findGreaterOrEqual on an empty list: null", map.findGreaterOrEqual(5, null), is(nullValue()));
        assertThat("findLessThan on an empty list: the head", map.findLessThan(5), is(sameInstance(map.head)));
        assertThat("findLast on an empty list: the head", map.findLast(), is(sameInstance(map.head)));
        assertThat("lastEntry on an empty list", map.lastEntry(), is(nullValue()));
        assertThat("floorKey on an empty list", map.floorKey(5), is(nullValue()));
        assertThat("descending iteration of an empty list", Iterations.toList(map.descendingKeySet(), 0), is(empty()));
    }

    @Test
    void searchesTakeTheExpressLanes() {
        int n = 10_000;
        long[] comparisons = {0};
        Comparator<Integer> counting = (a, b) -> {
            comparisons[0]++;
            return Integer.compare(a, b);
        };
        DrawnSkipList<String> map = new DrawnSkipList<>(counting, 7);
        List<Integer> keys = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            keys.add(2 * k);
        }
        map.link(keys, map::randomLevel, k -> "v" + k);
        Random random = new Random(53);
        int searches = 2_000;
        comparisons[0] = 0;
        for (int i = 0; i < searches; i++) {
            int probe = random.nextInt(2 * n);
            assertThat("get(" + probe + ")", map.get(probe), is(probe % 2 == 0 ? "v" + probe : null));
        }
        double perSearch = (double) comparisons[0] / searches;
        double log2n = Math.log(n) / Math.log(2);
        assertThat(
                "comparisons per get on " + n + " keys: a search along level 0 alone makes about n/2 = " + n / 2
                        + "; starting on the top level in use and dropping down makes about 2·log2 n ≈ "
                        + Math.round(2 * log2n)
                        + ". The bound here is 6·log2 n",
                perSearch,
                is(lessThan(6 * log2n)));
    }
}
