package dev.storagelab.bst.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.storagelab.bst.BstMap;
import dev.storagelab.bst.Invariants;
import dev.storagelab.lab.Graded;
import dev.storagelab.testkit.TestThreads;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;

/**
 * Hidden tests of lab-03 T2: {@code nextNode}, {@code prevNode}, {@code seekCeiling},
 * {@code seekFloor} and {@link BstMap#height()}, through every navigation method and view of the
 * map, against a {@link TreeMap}; the height of a degenerate tree; and a tree far deeper than a
 * recursive walk could survive.
 */
@Tag("hidden")
class BstOrderHiddenTest {

    /** Keys in the deep-chain test: a chain this long is far deeper than a small stack lets code recurse. */
    private static final int DEEP_CHAIN = 20_000;
    /** The stack the deep-chain test runs on: 256 KiB, where a recursion a few thousand calls deep overflows. */
    private static final long SMALL_STACK_BYTES = 256 * 1024;

    @Property(tries = 300, edgeCases = EdgeCasesMode.NONE)
    @Graded(
            task = "T2",
            points = 4,
            concept = "BST navigation disagrees with a TreeMap: floor/ceiling/higher/lower, "
                    + "first/last, in-order successor or predecessor, or a range view is wrong")
    void navigationAndIterationBehaveLikeATreeMap(@ForAll("insertsAndReads") List<MapOp> ops) {
        MapModel.run(
                "BstMap",
                new BstMap<>(),
                null,
                ops,
                m -> {
                    Invariants.checkBst(m);
                    Invariants.checkHeight(m);
                },
                true);
    }

    @Example
    @Graded(
            task = "T2",
            points = 2,
            concept = "BST height() is not the number of nodes on the longest root-to-leaf path "
                    + "(sorted input must build a chain as high as the map is large)")
    void sortedInputBuildsAChainAsHighAsTheMapIsLarge() {
        int n = 3000;
        for (boolean ascending : List.of(true, false)) {
            String order = ascending ? "ascending" : "descending";
            BstMap<Integer, String> map = new BstMap<>();
            TreeMap<Integer, String> oracle = new TreeMap<>();
            assertThat("height() of an empty tree", map.height(), equalTo(0));
            for (int i = 0; i < n; i++) {
                int key = ascending ? 2 * i : 2 * (n - 1 - i);
                map.put(key, "v" + key);
                oracle.put(key, "v" + key);
                if (i == 0) {
                    assertThat("height() of a root alone", map.height(), equalTo(1));
                }
            }
            Invariants.checkBst(map);
            assertThat(
                    n + " keys inserted in " + order + " order: each becomes the only child of the last, so "
                            + "height() is " + n,
                    map.height(),
                    equalTo(n));
            assertThat(order + " chain: the entries in order", MapOp.entries(map), equalTo(MapOp.entries(oracle)));
            assertThat(
                    order + " chain: the entries in descending order",
                    MapOp.entries(map.descendingMap()),
                    equalTo(MapOp.entries(oracle.descendingMap())));
            for (int probe = -1; probe <= 2 * n; probe += 37) {
                assertThat(
                        order + " chain: floorKey(" + probe + ")",
                        map.floorKey(probe),
                        equalTo(oracle.floorKey(probe)));
                assertThat(
                        order + " chain: ceilingKey(" + probe + ")",
                        map.ceilingKey(probe),
                        equalTo(oracle.ceilingKey(probe)));
                assertThat(
                        order + " chain: higherKey(" + probe + ")",
                        map.higherKey(probe),
                        equalTo(oracle.higherKey(probe)));
                assertThat(
                        order + " chain: lowerKey(" + probe + ")",
                        map.lowerKey(probe),
                        equalTo(oracle.lowerKey(probe)));
            }
        }
    }

    @Example
    @Graded(
            task = "T2",
            points = 2,
            concept = "BST code recurses: a degenerate tree tens of thousands of nodes deep overflows "
                    + "the stack (put, height, iteration, navigation or delete must loop, not recurse)")
    void aDeepChainNeedsNoDeepStack() throws InterruptedException {
        Collection<Throwable> failures = new ConcurrentLinkedQueue<>();
        Thread thread = TestThreads.start(
                "deep-chain",
                SMALL_STACK_BYTES,
                () -> {
                    BstMap<Integer, Integer> map = new BstMap<>();
                    for (int key = 0; key < DEEP_CHAIN; key++) {
                        map.put(key, key);
                    }
                    assertThat(
                            "height() of " + DEEP_CHAIN + " keys inserted in order", map.height(), equalTo(DEEP_CHAIN));
                    int expected = 0;
                    for (Map.Entry<Integer, Integer> e : map.entrySet()) {
                        assertThat("ascending iteration of the chain", e.getKey(), equalTo(expected++));
                    }
                    assertThat("ascending iteration visits every key", expected, equalTo(DEEP_CHAIN));
                    for (int key : map.descendingKeySet()) {
                        assertThat("descending iteration of the chain", key, equalTo(--expected));
                    }
                    assertThat("descending iteration visits every key", expected, equalTo(0));
                    assertThat(
                            "floorKey at the bottom of the chain",
                            map.floorKey(DEEP_CHAIN + 5),
                            equalTo(DEEP_CHAIN - 1));
                    assertThat(
                            "higherKey at the bottom of the chain",
                            map.higherKey(DEEP_CHAIN - 2),
                            equalTo(DEEP_CHAIN - 1));
                    assertThat("lowerKey near the top of the chain", map.lowerKey(1), equalTo(0));
                    Invariants.checkBst(map);
                    for (int key = 0; key < DEEP_CHAIN; key += 2) {
                        assertThat("remove(" + key + ") from the top of the chain", map.remove(key), equalTo(key));
                    }
                    assertThat("height() after removing every other key", map.height(), equalTo(DEEP_CHAIN / 2));
                    Invariants.checkBst(map);
                    map.entrySet().removeIf(e -> e.getKey() % 4 == 1);
                    assertThat(
                            "size after removing keys 1, 5, 9, ... through the iterator",
                            map.size(),
                            equalTo(DEEP_CHAIN / 4));
                    Invariants.checkBst(map);
                },
                failures);
        TestThreads.joinAll(List.of(thread));
        TestThreads.rethrow(
                failures,
                "on a " + DEEP_CHAIN + "-deep chain in a thread with a " + SMALL_STACK_BYTES / 1024 + " KiB stack");
    }

    @Provide
    Arbitrary<List<MapOp>> insertsAndReads() {
        return MapModel.ops(MapModel.INSERT_AND_ORDER, 30, 80);
    }
}
