package dev.storagelab.bst.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.sameInstance;

import dev.storagelab.bst.AvlMap;
import dev.storagelab.bst.Internals;
import dev.storagelab.bst.Invariants;
import dev.storagelab.lab.Graded;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.IntUnaryOperator;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;

/**
 * Hidden tests of lab-03 T4, {@code rebalance}, {@code rotateLeft} and {@code rotateRight}:
 * random histories against a {@link TreeMap} with {@link Invariants#checkAvl} after every step;
 * the four rotation cases on trees of known shape, at the root and below it, where the result
 * follows from the Javadoc; the AVL height bound, 1.4405·log2(n + 2) − 0.3277, for every insert
 * order and through mass deletes; and deletes from Fibonacci trees (the sparsest AVL trees), where
 * one delete can unbalance every node up to the root.
 */
@Tag("hidden")
class AvlHiddenTest {

    @Property(tries = 300, edgeCases = EdgeCasesMode.NONE)
    @Graded(
            task = "T4",
            points = 4,
            concept = "AVL tree left unbalanced, with a stale stored height, or disagreeing with a "
                    + "TreeMap after random inserts, deletes and navigation")
    void avlBehavesLikeATreeMapAndStaysBalanced(@ForAll("anything") List<MapOp> ops) {
        MapModel.run("AvlMap", new AvlMap<>(), null, ops, Invariants::checkAvl, true);
    }

    @Example
    @Graded(
            task = "T4",
            points = 2,
            concept = "AVL left-left case: a single right rotation is missing or wrong (a subtree or "
                    + "parent link lost, or heights not updated)")
    void aLeftLeftImbalanceIsFixedByOneRightRotation() {
        checkShape(List.of(3, 2, 1), "2(1,3)", "left-left at the root");
        checkShape(List.of(10, 5, 15, 3, 2), "10(3(2,5),15)", "left-left below the root, at 5");
        // The left child's right subtree (40) moves across to become the old root's left subtree.
        checkShape(List.of(50, 30, 70, 20, 40, 10), "30(20(10,-),50(40,70))", "left-left at the root, with subtrees");
    }

    @Example
    @Graded(
            task = "T4",
            points = 2,
            concept = "AVL right-right case: a single left rotation is missing or wrong (a subtree or "
                    + "parent link lost, or heights not updated)")
    void aRightRightImbalanceIsFixedByOneLeftRotation() {
        checkShape(List.of(1, 2, 3), "2(1,3)", "right-right at the root");
        checkShape(List.of(10, 5, 15, 20, 25), "10(5,20(15,25))", "right-right below the root, at 15");
        checkShape(List.of(50, 30, 70, 60, 80, 90), "70(50(30,60),80(-,90))", "right-right at the root, with subtrees");
    }

    @Example
    @Graded(
            task = "T4",
            points = 2,
            concept = "AVL left-right case: the left child is not rotated left before the node is " + "rotated right")
    void aLeftRightImbalanceIsFixedByADoubleRotation() {
        checkShape(List.of(3, 1, 2), "2(1,3)", "left-right at the root");
        checkShape(List.of(10, 5, 15, 3, 4), "10(4(3,5),15)", "left-right below the root, at 5");
        checkShape(List.of(50, 30, 70, 20, 40, 35), "40(30(20,35),50(-,70))", "left-right at the root, with subtrees");
    }

    @Example
    @Graded(
            task = "T4",
            points = 2,
            concept = "AVL right-left case: the right child is not rotated right before the node is " + "rotated left")
    void aRightLeftImbalanceIsFixedByADoubleRotation() {
        checkShape(List.of(1, 3, 2), "2(1,3)", "right-left at the root");
        checkShape(List.of(10, 5, 15, 20, 17), "10(5,17(15,20))", "right-left below the root, at 15");
        checkShape(List.of(50, 30, 70, 60, 80, 65), "60(50(30,-),70(65,80))", "right-left at the root, with subtrees");
    }

    @Example
    @Graded(
            task = "T4",
            points = 3,
            concept = "AVL tree grows taller than 1.44·log2(n): some insert order (sorted, reverse, "
                    + "zig-zag or random) is not rebalanced")
    void heightStaysLogarithmicWhateverTheInsertOrder() {
        int n = 4000;
        Random random = new Random(3);
        List<Integer> shuffled = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            shuffled.add(i);
        }
        Collections.shuffle(shuffled, random);
        Map<String, IntUnaryOperator> orders = new LinkedHashMap<>();
        orders.put("ascending", i -> i);
        orders.put("descending", i -> n - 1 - i);
        orders.put("zig-zag (0, n-1, 1, n-2, ...)", i -> i % 2 == 0 ? i / 2 : n - 1 - i / 2);
        orders.put("inward-out (n/2, n/2+1, n/2-1, ...)", i -> i % 2 == 0 ? n / 2 + i / 2 : n / 2 - 1 - i / 2);
        orders.put("random", shuffled::get);
        for (Map.Entry<String, IntUnaryOperator> order : orders.entrySet()) {
            AvlMap<Integer, String> map = new AvlMap<>();
            TreeMap<Integer, String> oracle = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                int key = order.getValue().applyAsInt(i);
                map.put(key, "v" + key);
                oracle.put(key, "v" + key);
                if ((i + 1) % 500 == 0 || i < 16) {
                    checkBound(map, order.getKey() + " inserts, after " + (i + 1));
                }
            }
            assertThat(order.getKey() + " inserts: the entries", MapOp.entries(map), equalTo(MapOp.entries(oracle)));
        }
    }

    @Example
    @Graded(
            task = "T4",
            points = 3,
            concept = "AVL delete leaves the tree unbalanced or too tall: mass deletes are not rebalanced")
    void heightStaysLogarithmicThroughMassDeletes() {
        int n = 4000;
        Random random = new Random(5);
        AvlMap<Integer, String> map = new AvlMap<>();
        TreeMap<Integer, String> oracle = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            int key = random.nextInt(4 * n);
            map.put(key, "v" + key);
            oracle.put(key, "v" + key);
            if (i < 32 || (i + 1) % 500 == 0) {
                checkBound(map, "after " + (i + 1) + " random inserts"); // early: a broken link can make a cycle
            }
        }
        List<String> phases = List.of(
                "every even key",
                "the smallest keys, one by one",
                "the largest keys, one by one",
                "a range in the middle",
                "random keys");
        for (String phase : phases) {
            List<Integer> victims = new ArrayList<>();
            List<Integer> keys = new ArrayList<>(oracle.keySet());
            switch (phase) {
                case "every even key" -> keys.stream().filter(k -> k % 2 == 0).forEach(victims::add);
                case "the smallest keys, one by one" -> victims.addAll(keys.subList(0, keys.size() / 4));
                case "the largest keys, one by one" -> {
                    victims.addAll(keys.subList(keys.size() - keys.size() / 4, keys.size()));
                    Collections.reverse(victims);
                }
                case "a range in the middle" -> victims.addAll(keys.subList(keys.size() / 3, 2 * keys.size() / 3));
                default -> {
                    Collections.shuffle(keys, random);
                    victims.addAll(keys.subList(0, keys.size() - 3));
                }
            }
            for (int i = 0; i < victims.size(); i++) {
                int key = victims.get(i);
                assertThat("deleting " + phase + ": remove(" + key + ")", map.remove(key), equalTo(oracle.remove(key)));
                if ((i + 1) % 200 == 0) {
                    checkBound(map, "deleting " + phase + ", after " + (i + 1) + " deletes");
                }
            }
            checkBound(map, "after deleting " + phase);
            assertThat("after deleting " + phase + ": the entries", MapOp.entries(map), equalTo(MapOp.entries(oracle)));
        }
    }

    @Example
    @Graded(
            task = "T4",
            points = 3,
            concept = "AVL delete stops rebalancing too early: after a delete (a two-children delete "
                    + "moves the successor up with a stale height) the walk must recompute and rotate up to the root")
    void deleteRebalancesAllTheWayUpToTheRoot() {
        // A Fibonacci tree is the sparsest AVL tree of its height: every inner node leans one way.
        // Inserting its keys level by level builds it without a single rotation; then deleting a
        // key on its short side can unbalance each node on the way up, root included. For example
        // deleting 280 from the tree of height 7 moves its successor 290 up with a stale height
        // and needs a rotation there and another at the root.
        for (int h = 1; h <= 10; h++) {
            Fibonacci tree = Fibonacci.of(h);
            AvlMap<Integer, String> built = build(tree.levelOrder());
            assertThat(
                    "inserting the keys of a Fibonacci tree of height " + h + " level by level keeps every balance "
                            + "within ±1, so it must not rotate: the tree is the Fibonacci tree",
                    Internals.shape(built),
                    equalTo(tree.shape()));
            for (int key : tree.levelOrder()) {
                checkDelete(tree.levelOrder(), key);
            }
        }
        // In 50(30,70(60,80)) deleting 50 moves its successor 60 up from a leaf. 70 keeps its height,
        // so a walk that stops where heights stop changing leaves 60 with the stored height of a leaf.
        checkDelete(List.of(50, 30, 70, 60, 80), 50);
        // And every key of trees built from random insert orders, 1 to 24 keys.
        Random random = new Random(8);
        for (int t = 0; t < 240; t++) {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i <= t % 24; i++) {
                order.add(10 * i);
            }
            Collections.shuffle(order, random);
            for (int key : order) {
                checkDelete(order, key);
            }
        }
    }

    @Property(tries = 100, edgeCases = EdgeCasesMode.NONE)
    @Graded(task = "T4", points = 1, concept = "AVL tree ignores the map's comparator when it rebalances or searches")
    void aReverseOrderedAvlTreeBehavesLikeAReverseOrderedTreeMap(@ForAll("anything") List<MapOp> ops) {
        MapModel.run(
                "AvlMap(reverseOrder)",
                new AvlMap<>(Comparator.reverseOrder()),
                Comparator.reverseOrder(),
                ops,
                Invariants::checkAvl,
                true);
    }

    @Example
    @Graded(
            task = "T4",
            points = 1,
            concept = "AVL tree accepts a null key, or treats keys its comparator calls equal as two keys")
    void nullKeysAreRejectedAndTheComparatorDecidesEquality() {
        Comparators.checkNullKeysRejected(new AvlMap<>(), Invariants::checkAvl);
        Comparators.checkCaseInsensitive(new AvlMap<>(String.CASE_INSENSITIVE_ORDER), Invariants::checkAvl);
    }

    @Provide
    Arbitrary<List<MapOp>> anything() {
        return MapModel.ops(MapModel.ALL, 40, 150);
    }

    // ---------------------------------------------------------------------------------- helpers

    /**
     * Inserts {@code order} one key at a time and checks the result: its shape, the AVL rules, and
     * that the nodes of the keys inserted before the last are still the map's nodes (a rotation
     * moves nodes, it never rebuilds them).
     */
    private static void checkShape(List<Integer> order, String expectedShape, String what) {
        AvlMap<Integer, String> map = build(order.subList(0, order.size() - 1));
        Map<Integer, Map.Entry<Integer, String>> held = BstSearchInsertHiddenTest.entriesByKey(map);
        int last = order.get(order.size() - 1);
        map.put(last, "v" + last);
        String where = "inserting " + order + " (" + what + ")";
        try {
            Invariants.checkAvl(map);
        } catch (AssertionError e) {
            throw new AssertionError(where + " leaves " + Internals.shape(map) + ": " + e.getMessage(), e);
        }
        assertThat(
                where + ": the shape after rebalancing (key(left,right), - for no child)",
                Internals.shape(map),
                equalTo(expectedShape));
        Map<Integer, Map.Entry<Integer, String>> after = BstSearchInsertHiddenTest.entriesByKey(map);
        for (Map.Entry<Integer, Map.Entry<Integer, String>> e : held.entrySet()) {
            assertThat(
                    where + ": the node of " + e.getKey() + " must be the same object after the rotation",
                    after.get(e.getKey()),
                    sameInstance(e.getValue()));
        }
    }

    /** Builds a tree by inserting {@code order}, deletes {@code key}, and checks the AVL rules and the contents. */
    private static void checkDelete(List<Integer> order, int key) {
        AvlMap<Integer, String> map = build(order);
        TreeMap<Integer, String> oracle = new TreeMap<>(map);
        String where = "deleting " + key + " from " + Internals.shape(map) + " (built by inserting " + order + ")";
        assertThat(where + ": remove returns the value", map.remove(key), equalTo("v" + key));
        oracle.remove(key);
        try {
            Invariants.checkAvl(map);
        } catch (AssertionError e) {
            throw new AssertionError(where + " leaves " + Internals.shape(map) + ": " + e.getMessage(), e);
        }
        assertThat(where + ": the entries", MapOp.entries(map), equalTo(MapOp.entries(oracle)));
    }

    /** Checks the AVL rules (which imply the height bound) and states the bound for the message. */
    private static void checkBound(AvlMap<Integer, String> map, String when) {
        try {
            Invariants.checkAvl(map);
        } catch (AssertionError e) {
            throw new AssertionError(when + ": " + e.getMessage(), e);
        }
        int n = map.size();
        double bound = 1.4405 * (Math.log(n + 2) / Math.log(2)) - 0.3277;
        assertThat(
                when + ": an AVL tree of " + n + " keys is at most 1.4405·log2(n + 2) − 0.3277 = " + bound + " high",
                (double) map.height(),
                lessThanOrEqualTo(bound));
    }

    private static AvlMap<Integer, String> build(List<Integer> order) {
        AvlMap<Integer, String> map = new AvlMap<>();
        for (int key : order) {
            map.put(key, "v" + key);
        }
        return map;
    }

    /**
     * A Fibonacci tree of height h: a root over a Fibonacci tree of height h−1 on the left and one
     * of height h−2 on the right, keys 0, 10, 20, ... in order.
     */
    private record Fibonacci(int key, Fibonacci left, Fibonacci right) {

        static Fibonacci of(int height) {
            return build(height, new int[1]);
        }

        private static Fibonacci build(int height, int[] next) {
            if (height <= 0) {
                return null;
            }
            Fibonacci left = build(height - 1, next);
            int key = 10 * next[0]++;
            Fibonacci right = build(height - 2, next);
            return new Fibonacci(key, left, right);
        }

        /** The keys level by level: inserted in this order, each lands where it is in this tree. */
        List<Integer> levelOrder() {
            List<Integer> out = new ArrayList<>();
            ArrayDeque<Fibonacci> queue = new ArrayDeque<>(List.of(this));
            while (!queue.isEmpty()) {
                Fibonacci t = queue.poll();
                out.add(t.key);
                if (t.left != null) {
                    queue.add(t.left);
                }
                if (t.right != null) {
                    queue.add(t.right);
                }
            }
            return out;
        }

        /** The same notation as {@link Internals#shape}. */
        String shape() {
            if (left == null && right == null) {
                return String.valueOf(key);
            }
            return key + "(" + (left == null ? "-" : left.shape()) + "," + (right == null ? "-" : right.shape()) + ")";
        }
    }
}
