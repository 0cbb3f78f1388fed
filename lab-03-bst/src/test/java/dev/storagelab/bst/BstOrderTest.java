package dev.storagelab.bst;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.nullValue;

import com.google.common.collect.Lists;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-03 T2: {@link BstMap#nextNode}, {@link BstMap#prevNode}, {@link BstMap#seekCeiling},
 * {@link BstMap#seekFloor} and {@link BstMap#height}. The in-order successor and predecessor walk
 * the parent links, so a full iteration costs O(n); a ceiling or floor search is one walk from the
 * root that remembers the best candidate so far. Every {@code NavigableMap} operation the base
 * class builds (iteration both ways, {@code floorKey} ... {@code higherEntry}, range views) rests
 * on these four steps. {@code height()} shows what a plain BST costs: about 1.39·log2 n on random
 * input, but n on sorted input, where the tree degenerates into a list.
 *
 * <p>The oracle is a {@link TreeMap} holding the same keys. Trees are built with {@code put} (T1)
 * in several orders, because each order gives a different shape, and the steps must work on all.
 */
class BstOrderTest {

    /** Insertion orders of 0 .. n-1 that make very different shapes. */
    private static Map<String, List<Integer>> orders(int n, long seed) {
        List<Integer> sorted = IntStream.range(0, n).boxed().toList();
        List<Integer> shuffled = new ArrayList<>(sorted);
        Collections.shuffle(shuffled, new Random(seed));
        List<Integer> zigzag = new ArrayList<>(); // 0, n-1, 1, n-2, ...: a chain that turns at every node
        for (int lo = 0, hi = n - 1; lo <= hi; lo++, hi--) {
            zigzag.add(lo);
            if (lo != hi) {
                zigzag.add(hi);
            }
        }
        Map<String, List<Integer>> orders = new LinkedHashMap<>();
        orders.put("random order", shuffled);
        orders.put("sorted order (a chain of right children)", sorted);
        orders.put("reverse order (a chain of left children)", Lists.reverse(sorted));
        orders.put("zigzag order (a chain that turns at every node)", zigzag);
        return orders;
    }

    /** A tree of the keys {@code 2·k} for each k in {@code order}, so every odd number is absent. */
    private static BstMap<Integer, String> evenKeys(List<Integer> order) {
        BstMap<Integer, String> map = new BstMap<>();
        for (int k : order) {
            map.put(2 * k, "v" + 2 * k);
        }
        return map;
    }

    private static BstMap<Integer, String> treeOf(int... keys) {
        BstMap<Integer, String> map = new BstMap<>();
        for (int k : keys) {
            map.put(k, "v" + k);
        }
        return map;
    }

    /** The oracle for {@link #evenKeys}: the same keys and values in a TreeMap. */
    private static TreeMap<Integer, String> oracleOf(List<Integer> order) {
        TreeMap<Integer, String> oracle = new TreeMap<>();
        for (int k : order) {
            oracle.put(2 * k, "v" + 2 * k);
        }
        return oracle;
    }

    @Test
    void inOrderIterationVisitsEveryKeyInIncreasingOrder() {
        int n = 300;
        for (Map.Entry<String, List<Integer>> order : orders(n, 1).entrySet()) {
            BstMap<Integer, String> map = evenKeys(order.getValue());
            List<Integer> expected =
                    IntStream.range(0, n).map(k -> 2 * k).boxed().toList();
            assertThat(
                    "iterating a tree built in " + order.getKey() + ": nextNode goes to the leftmost node of the"
                            + " right subtree, or climbs while it is a right child",
                    Iterations.toList(map.keySet(), n),
                    equalTo(expected));
            assertThat(
                    "values come with their keys, in key order (" + order.getKey() + ")",
                    Iterations.toList(map.values(), n),
                    equalTo(expected.stream().map(k -> "v" + k).toList()));
        }
    }

    @Test
    void descendingIterationVisitsEveryKeyInDecreasingOrder() {
        int n = 300;
        for (Map.Entry<String, List<Integer>> order : orders(n, 2).entrySet()) {
            BstMap<Integer, String> map = evenKeys(order.getValue());
            List<Integer> expected =
                    IntStream.range(0, n).map(k -> 2 * (n - 1 - k)).boxed().toList();
            assertThat(
                    "descending iteration of a tree built in " + order.getKey() + ": prevNode is nextNode's"
                            + " mirror image",
                    Iterations.toList(map.descendingKeySet(), n),
                    equalTo(expected));
            assertThat(
                    "descendingMap() walks the same way (" + order.getKey() + ")",
                    Iterations.toList(map.descendingMap().keySet(), n),
                    equalTo(expected));
        }
    }

    @Test
    void floorCeilingHigherLowerMatchTreeMapOnPresentAndAbsentKeys() {
        int n = 200;
        for (Map.Entry<String, List<Integer>> order : orders(n, 3).entrySet()) {
            BstMap<Integer, String> map = evenKeys(order.getValue());
            TreeMap<Integer, String> oracle = oracleOf(order.getValue());
            // Probes: every even key (present), every odd one (absent), and keys below the smallest and above the
            // largest.
            for (int probe = -3; probe <= 2 * n + 3; probe++) {
                String where = "(" + probe + ") on the keys 0, 2, ..., " + (2 * n - 2) + " put in " + order.getKey()
                        + (probe < 0
                                ? ", a probe below every key"
                                : probe > 2 * n - 2
                                        ? ", a probe above every key"
                                        : probe % 2 == 0 ? ", a present key" : ", an absent key");
                assertThat(
                        "floorKey" + where + ": the largest key <= the probe, or null",
                        map.floorKey(probe),
                        is(oracle.floorKey(probe)));
                assertThat(
                        "ceilingKey" + where + ": the smallest key >= the probe, or null",
                        map.ceilingKey(probe),
                        is(oracle.ceilingKey(probe)));
                assertThat(
                        "lowerKey" + where + ": the largest key < the probe, or null",
                        map.lowerKey(probe),
                        is(oracle.lowerKey(probe)));
                assertThat(
                        "higherKey" + where + ": the smallest key > the probe, or null",
                        map.higherKey(probe),
                        is(oracle.higherKey(probe)));
                assertThat("floorEntry" + where, map.floorEntry(probe), is(oracle.floorEntry(probe)));
                assertThat("ceilingEntry" + where, map.ceilingEntry(probe), is(oracle.ceilingEntry(probe)));
                assertThat("lowerEntry" + where, map.lowerEntry(probe), is(oracle.lowerEntry(probe)));
                assertThat("higherEntry" + where, map.higherEntry(probe), is(oracle.higherEntry(probe)));
            }
        }
    }

    @Test
    void navigationOnEmptyAndOneKeyTrees() {
        BstMap<Integer, String> empty = new BstMap<>();
        assertThat("floorKey on an empty tree", empty.floorKey(5), is(nullValue()));
        assertThat("ceilingKey on an empty tree", empty.ceilingKey(5), is(nullValue()));
        assertThat("lowerKey on an empty tree", empty.lowerKey(5), is(nullValue()));
        assertThat("higherKey on an empty tree", empty.higherKey(5), is(nullValue()));
        BstMap<Integer, String> one = treeOf(5);
        assertThat("floorKey(5) of {5} is inclusive: 5 itself", one.floorKey(5), is(5));
        assertThat("ceilingKey(5) of {5} is inclusive: 5 itself", one.ceilingKey(5), is(5));
        assertThat("lowerKey(5) of {5} is strict: nothing is < 5", one.lowerKey(5), is(nullValue()));
        assertThat("higherKey(5) of {5} is strict: nothing is > 5", one.higherKey(5), is(nullValue()));
        assertThat("lowerKey(6) of {5}", one.lowerKey(6), is(5));
        assertThat("higherKey(4) of {5}", one.higherKey(4), is(5));
        assertThat("floorKey(4) of {5}: nothing is <= 4", one.floorKey(4), is(nullValue()));
        assertThat("ceilingKey(6) of {5}: nothing is >= 6", one.ceilingKey(6), is(nullValue()));
        assertThat(
                "iterating {5}: nextNode of the only node is null",
                Iterations.toList(one.keySet(), 1), equalTo(List.of(5)));
        assertThat("iterating {5} backwards", Iterations.toList(one.descendingKeySet(), 1), equalTo(List.of(5)));
    }

    @Test
    void ceilingRemembersTheLastNodeWhereTheSearchWentLeft() {
        // 50(30(20, 40), 70(60, 80)): ceiling(45) goes 50 (left: 50 is a candidate), 30 (right), 40 (right), falls off.
        BstMap<Integer, String> map = treeOf(50, 30, 70, 20, 40, 60, 80);
        assertThat(
                "ceilingKey(45) in " + TreeShape.of(map) + ": the search ends below 40, but the answer is 50, the"
                        + " last node where it went left",
                map.ceilingKey(45),
                is(50));
        assertThat(
                "floorKey(55) in " + TreeShape.of(map) + ": the answer is 50, the last node where it went right",
                map.floorKey(55),
                is(50));
        assertThat(
                "higherKey(40) in " + TreeShape.of(map) + ": 40 is present, strictly greater is 50",
                map.higherKey(40),
                is(50));
        assertThat(
                "lowerKey(60) in " + TreeShape.of(map) + ": 60 is present, strictly smaller is 50",
                map.lowerKey(60),
                is(50));
    }

    @Test
    void rangeViewsMatchTreeMap() {
        int n = 120;
        Random random = new Random(4);
        for (Map.Entry<String, List<Integer>> order : orders(n, 5).entrySet()) {
            BstMap<Integer, String> map = evenKeys(order.getValue());
            TreeMap<Integer, String> oracle = oracleOf(order.getValue());
            for (int round = 0; round < 150; round++) {
                int lo = random.nextInt(2 * n + 10) - 5;
                int hi = lo + random.nextInt(2 * n + 10 - lo);
                boolean loIn = random.nextBoolean();
                boolean hiIn = random.nextBoolean();
                String range = (loIn ? "[" : "(") + lo + ", " + hi + (hiIn ? "]" : ")") + " of a tree built in "
                        + order.getKey();
                NavigableMap<Integer, String> sub = map.subMap(lo, loIn, hi, hiIn);
                NavigableMap<Integer, String> expected = oracle.subMap(lo, loIn, hi, hiIn);
                assertThat(
                        "subMap" + range + ": a view starts with a ceiling (or higher) search and walks nextNode",
                        Iterations.toList(sub.entrySet(), expected.size()),
                        equalTo(new ArrayList<>(expected.entrySet())));
                assertThat(
                        "subMap" + range + ", descending: a floor (or lower) search, then prevNode",
                        Iterations.toList(sub.descendingMap().entrySet(), expected.size()),
                        equalTo(new ArrayList<>(expected.descendingMap().entrySet())));
                assertThat(
                        "headMap(" + hi + ", " + hiIn + ") of a tree built in " + order.getKey(),
                        Iterations.toList(map.headMap(hi, hiIn).keySet(), n),
                        equalTo(new ArrayList<>(oracle.headMap(hi, hiIn).keySet())));
                assertThat(
                        "tailMap(" + lo + ", " + loIn + ") of a tree built in " + order.getKey(),
                        Iterations.toList(map.tailMap(lo, loIn).keySet(), n),
                        equalTo(new ArrayList<>(oracle.tailMap(lo, loIn).keySet())));
            }
        }
    }

    @Test
    void heightOfSmallShapes() {
        assertThat("an empty tree has height 0", new BstMap<Integer, String>().height(), is(0));
        assertThat("a root alone has height 1", treeOf(5).height(), is(1));
        assertThat("2(1, 3): a root and two leaves", treeOf(2, 1, 3).height(), is(2));
        assertThat(
                "4(2(1, 3), 6(5, 7)): a perfect tree of 7 keys",
                treeOf(4, 2, 6, 1, 3, 5, 7).height(),
                is(3));
        assertThat(
                "3(1(-, 2), -): a zigzag of three keys is three levels",
                treeOf(3, 1, 2).height(),
                is(3));
        assertThat(
                "1(-, 2(-, 3(-, 4(-, 5)))): five sorted keys make a chain of five",
                treeOf(1, 2, 3, 4, 5).height(),
                is(5));
        BstMap<Integer, String> lopsided = treeOf(4, 2, 6, 1, 3, 5, 7, 0, -1, -2);
        assertThat(
                "the longest path decides: " + TreeShape.of(lopsided) + " is six levels deep on its left edge",
                lopsided.height(),
                is(6));
        Invariants.checkHeight(lopsided);
    }

    @Test
    void sortedInputMakesTheTreeAsHighAsItIsLarge() {
        int n = 2_000;
        for (Map.Entry<String, List<Integer>> order : orders(n, 6).entrySet()) {
            if (order.getKey().startsWith("random")) {
                continue;
            }
            BstMap<Integer, String> map = evenKeys(order.getValue());
            assertThat(
                    n + " keys put in " + order.getKey() + ": each new key hangs below the last one, so the tree"
                            + " is a list and a search may cost n comparisons. This is the problem the AVL tree (T4) solves",
                    map.height(),
                    is(n));
        }
    }

    @Test
    void randomInputKeepsTheHeightLogarithmic() {
        int n = 2_000;
        BstMap<Integer, String> map = evenKeys(orders(n, 7).get("random order"));
        double log2n = Math.log(n) / Math.log(2);
        int minimum = (int) Math.ceil(Math.log(n + 1) / Math.log(2));
        assertThat(
                "no binary tree of " + n + " keys is lower than log2(n + 1) = " + minimum
                        + " levels: height() counts the nodes on the longest root-to-leaf path",
                map.height(),
                is(greaterThanOrEqualTo(minimum)));
        assertThat(
                n + " keys put in random order: a random BST's height tends to 2.99·log2 n as n grows (a search"
                        + " costs 1.39·log2 n on average), so 4·log2 n = " + Math.round(4 * log2n)
                        + " leaves room; a tree that"
                        + " degenerated would be " + n + " high",
                (double) map.height(),
                is(lessThan(4 * log2n)));
        Invariants.checkHeight(map);
    }

    @Test
    void aDeepChainIsMeasuredAndWalkedWithoutRecursion() {
        // Built by hand, in O(n): put would take n²/2 comparisons to make a chain this long.
        int n = 300_000;
        BstMap<Integer, String> map = new BstMap<>();
        BstMap.Node<Integer, String> last = null;
        for (int k = 0; k < n; k++) {
            BstMap.Node<Integer, String> node = new BstMap.Node<>(k, "v", last);
            if (last == null) {
                map.root = node;
            } else {
                last.right = node;
            }
            last = node;
        }
        map.size = n;
        int height;
        try {
            height = map.height();
        } catch (StackOverflowError e) {
            throw new AssertionError(
                    "height() overflowed the stack on a chain of " + n + " nodes: a degenerate tree is"
                            + " n deep, so walk it with a loop (count the levels of a level-by-level walk), not recursion",
                    e);
        }
        assertThat("a chain of " + n + " right children is " + n + " levels high", height, is(n));
        assertThat(
                "nextNode walks the chain in order, one step per node",
                Iterations.toList(map.keySet(), n).size(),
                is(n));
        assertThat("prevNode walks it back", map.descendingKeySet().iterator().next(), is(n - 1));
        assertThat("floorKey at the far end of the chain", map.floorKey(n + 5), is(n - 1));
        assertThat("ceilingKey at the far end of the chain", map.ceilingKey(n - 1), is(n - 1));
    }
}
