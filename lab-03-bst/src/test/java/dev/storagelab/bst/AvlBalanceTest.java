package dev.storagelab.bst;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;

import com.google.common.collect.Lists;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-03 T4: {@link AvlMap#rebalance}, {@link AvlMap#rotateLeft} and
 * {@link AvlMap#rotateRight}. An AVL tree is a BST in which the two subtrees of every node differ
 * in height by at most one; after each insert or delete, the walk up from the change recomputes
 * heights and rotates where a node's balance reached ±2 (a single rotation when the heavy child
 * leans the same way, a double one when it leans the other way). That bounds the height by
 * 1.4405·log2(n + 2) − 0.3277 whatever order keys arrive in: the sorted input that made T2's BST
 * n high gives an AVL tree about log2 n high.
 *
 * <p>{@link Invariants#checkAvl} checks every node's stored height and balance; {@link TreeShape}
 * prints {@code 2(1, 3)} for the root 2 with children 1 and 3. The random sequences are checked
 * against a {@link TreeMap} oracle.
 */
class AvlBalanceTest {

    /** The AVL height bound (Knuth): no AVL tree of n nodes is higher. */
    private static double bound(int n) {
        return 1.4405 * Math.log(n + 2) / Math.log(2) - 0.3277;
    }

    private static AvlMap<Integer, String> treeOf(int... keys) {
        AvlMap<Integer, String> map = new AvlMap<>();
        for (int k : keys) {
            map.put(k, "v" + k);
        }
        return map;
    }

    private static Map<String, List<Integer>> orders(int n) {
        List<Integer> sorted = IntStream.range(0, n).boxed().toList();
        List<Integer> shuffled = new ArrayList<>(sorted);
        Collections.shuffle(shuffled, new Random(21));
        Map<String, List<Integer>> orders = new LinkedHashMap<>();
        orders.put("sorted order", sorted);
        orders.put("reverse order", Lists.reverse(sorted));
        orders.put("random order", shuffled);
        return orders;
    }

    @Test
    void everyInsertionOrderStaysWithinTheAvlHeightBound() {
        int n = 4_000;
        for (Map.Entry<String, List<Integer>> order : orders(n).entrySet()) {
            AvlMap<Integer, String> map = new AvlMap<>();
            int inserted = 0;
            for (int k : order.getValue()) {
                map.put(k, "v" + k);
                inserted++;
                assertThat(
                        "height after " + inserted + " keys put in " + order.getKey() + ": an AVL tree of n nodes is"
                                + " at most 1.4405·log2(n + 2) − 0.3277 high (a plain BST of sorted keys would be "
                                + inserted
                                + ")",
                        (double) map.height(),
                        is(lessThanOrEqualTo(bound(inserted))));
                if (inserted % 250 == 0) {
                    Invariants.checkAvl(map);
                }
            }
            Invariants.checkAvl(map);
            assertThat(
                    "all " + n + " keys put in " + order.getKey() + " are in order",
                    Iterations.toList(map.keySet(), n),
                    equalTo(IntStream.range(0, n).boxed().toList()));
        }
    }

    @Test
    void eachRotationCaseOnThreeKeysGivesTheBalancedTree() {
        Map<String, int[]> cases = new LinkedHashMap<>();
        cases.put("left-left (3, 2, 1: one right rotation at 3)", new int[] {3, 2, 1});
        cases.put("right-right (1, 2, 3: one left rotation at 1)", new int[] {1, 2, 3});
        cases.put("left-right (3, 1, 2: rotate 1 left, then 3 right)", new int[] {3, 1, 2});
        cases.put("right-left (1, 3, 2: rotate 3 right, then 1 left)", new int[] {1, 3, 2});
        for (Map.Entry<String, int[]> c : cases.entrySet()) {
            AvlMap<Integer, String> map = treeOf(c.getValue());
            assertThat(
                    "the " + c.getKey() + " case: the middle key 2 becomes the root with 1 and 3 below it",
                    TreeShape.of(map),
                    is("2(1, 3)"));
            assertThat(
                    "the " + c.getKey() + " case: the new root has no parent (rotations update root)",
                    map.root.parent,
                    is(nullValue()));
            assertThat("the " + c.getKey() + " case: height() is 2", map.height(), is(2));
            Invariants.checkAvl(map);
        }
    }

    @Test
    void aRotationBelowTheRootRelinksThatNodesParent() {
        String[][] cases = {
            {"5 3 8 1 2", "5(2(1, 3), 8)", "left-right at 3"},
            {"5 3 8 2 1", "5(2(1, 3), 8)", "left-left at 3"},
            {"5 3 8 9 10", "5(3, 9(8, 10))", "right-right at 8"},
            {"5 3 8 10 9", "5(3, 9(8, 10))", "right-left at 8"},
        };
        for (String[] c : cases) {
            AvlMap<Integer, String> map = treeOf(keys(c[0]));
            assertThat(
                    "putting " + c[0] + " unbalances only the node below the root (" + c[2] + "): the rotated"
                            + " subtree's new root must be linked from 5, which stays the root",
                    TreeShape.of(map),
                    is(c[1]));
            Invariants.checkAvl(map);
        }
    }

    @Test
    void sortedKeysBuildThePerfectTree() {
        AvlMap<Integer, String> map = treeOf(1, 2, 3, 4, 5, 6, 7);
        assertThat(
                "putting 1 .. 7 in order, rotating at the lowest unbalanced node each time, gives the perfect tree",
                TreeShape.of(map),
                is("4(2(1, 3), 6(5, 7))"));
        for (int k = 8; k <= 15; k++) {
            map.put(k, "v" + k);
        }
        assertThat("and 1 .. 15 give the perfect tree of height 4 (a plain BST would be 15 high)", map.height(), is(4));
        Invariants.checkAvl(map);
    }

    @Test
    void rotateLeftAndRotateRightAtTheRoot() {
        AvlMap<Integer, String> map = treeOf(2, 1, 4, 3, 5); // 2(1, 4(3, 5)): balanced, no rotation yet
        BstMap.Node<Integer, String> four = map.root.right;
        assertThat(
                "rotateLeft(x) returns y, x's right child, the subtree's new root",
                map.rotateLeft(map.root),
                is(sameInstance(four)));
        assertThat(
                "rotateLeft at the root of 2(1, 4(3, 5)): 4 goes up, 2 goes down-left and takes 4's left subtree 3",
                TreeShape.of(map),
                is("4(2(1, 3), 5)"));
        assertThat("the map's root is updated", map.root, is(sameInstance(four)));
        Invariants.checkBst(map);
        Invariants.checkHeight(map);
        assertThat(
                "the lowered node 2 stores its new height (1 + its children's)", AvlMap.height(map.root.left), is(2));
        BstMap.Node<Integer, String> two = map.root.left;
        assertThat("rotateRight(y) returns x, y's left child", map.rotateRight(map.root), is(sameInstance(two)));
        assertThat("rotateRight undoes rotateLeft", TreeShape.of(map), is("2(1, 4(3, 5))"));
        Invariants.checkAvl(map);
    }

    @Test
    void rotationsBelowTheRootUpdateTheParentsLink() {
        AvlMap<Integer, String> map = treeOf(4, 2, 6, 1, 3, 5, 7);
        map.rotateRight(map.root.left);
        assertThat(
                "rotateRight at 2 in 4(2(1, 3), 6(5, 7)): 1 takes 2's place under 4",
                TreeShape.of(map),
                is("4(1(-, 2(-, 3)), 6(5, 7))"));
        Invariants.checkBst(map);
        assertThat("the lowered node 2 stores height 2", AvlMap.height(map.root.left.right), is(2));
        assertThat("the raised node 1 stores height 3", AvlMap.height(map.root.left), is(3));
        map.rotateLeft(map.root.right);
        assertThat(
                "rotateLeft at 6: 7 takes 6's place under 4", TreeShape.of(map), is("4(1(-, 2(-, 3)), 7(6(5, -), -))"));
        Invariants.checkBst(map);
    }

    @Test
    void deletionsRebalance() {
        String[][] cases = {
            {"2 1 3 4", "1", "3(2, 4)", "2 is right-heavy by 2 and its right child leans right: one left rotation"},
            {"3 1 5 4", "1", "4(3, 5)", "3 is right-heavy by 2 and its right child leans left: a right-left rotation"},
            {
                "2 1 4 3 5",
                "1",
                "4(2(-, 3), 5)",
                "2 is right-heavy by 2 and its right child is balanced (this happens"
                        + " only on delete): one left rotation, and the tree stays 3 high"
            },
            {"3 2 4 1", "4", "2(1, 3)", "the mirror: 3 is left-heavy by 2, its left child leans left: a right rotation"
            },
            {
                "3 1 4 2",
                "4",
                "2(1, 3)",
                "the mirror: 3 is left-heavy by 2, its left child leans right: a left-right" + " rotation"
            },
        };
        for (String[] c : cases) {
            AvlMap<Integer, String> map = treeOf(keys(c[0]));
            String before = TreeShape.of(map);
            map.remove(Integer.parseInt(c[1]));
            assertThat("removing " + c[1] + " from " + before + ": " + c[3], TreeShape.of(map), is(c[2]));
            Invariants.checkAvl(map);
        }
    }

    @Test
    void deletingMostKeysKeepsTheHeightBound() {
        int n = 3_000;
        AvlMap<Integer, String> map = new AvlMap<>();
        for (int k : orders(n).get("random order")) {
            map.put(k, "v" + k);
        }
        // Remove every key below 2/3 of the range in increasing order: the left side empties first,
        // so the tree has to keep rotating to stay balanced.
        for (int k = 0; k < 2 * n / 3; k++) {
            map.remove(k);
            assertThat(
                    "height after removing 0 .. " + k + " (" + map.size() + " keys left): deletes must rebalance"
                            + " too, up to the root",
                    (double) map.height(),
                    is(lessThanOrEqualTo(bound(map.size()))));
            if (k % 100 == 0) {
                Invariants.checkAvl(map);
            }
        }
        Invariants.checkAvl(map);
    }

    @Test
    void randomOperationsKeepEveryNodeBalanced() {
        Random random = new Random(22);
        AvlMap<Integer, Integer> map = new AvlMap<>();
        TreeMap<Integer, Integer> oracle = new TreeMap<>();
        for (int op = 0; op < 3_000; op++) {
            int key = random.nextInt(500);
            String what;
            if (random.nextInt(3) > 0) {
                what = "put(" + key + ")";
                assertThat(what + " at operation " + op, map.put(key, op), is(oracle.put(key, op)));
            } else {
                what = "remove(" + key + ")";
                assertThat(what + " at operation " + op, map.remove(key), is(oracle.remove(key)));
            }
            try {
                Invariants.checkAvl(map);
            } catch (AssertionError e) {
                throw new AssertionError("after " + what + " at operation " + op + ": " + e.getMessage(), e);
            }
        }
        assertThat(
                "the entries at the end",
                Iterations.toList(map.entrySet(), oracle.size()),
                equalTo(new ArrayList<>(oracle.entrySet())));
    }

    private static int[] keys(String spaceSeparated) {
        return Arrays.stream(spaceSeparated.split(" "))
                .mapToInt(Integer::parseInt)
                .toArray();
    }
}
