package dev.storagelab.bst;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-03 T3: {@link BstMap#removeNode} and {@link BstMap#transplant}. Deleting a node
 * has three cases: a leaf is cut off; a node with one child is replaced by that child; a node with
 * two children is replaced by its successor (the leftmost node of its right subtree), which is
 * first spliced out of its own place. The successor node itself moves, never just its key and
 * value: iterators and entries hold node objects. Then {@code afterDelete} learns the lowest node
 * whose children changed, which is where the AVL tree (T4) starts rebalancing.
 *
 * <p>The small cases are checked shape by shape ({@link TreeShape} prints {@code 5(3, 8(-, 9))}
 * for the root 5 with children 3 and 8, and 9 the right child of 8); the random ones against a
 * {@link TreeMap} oracle, with {@link Invariants#checkBst} after every delete.
 */
class BstDeleteTest {

    private static BstMap<Integer, String> treeOf(int... keys) {
        BstMap<Integer, String> map = new BstMap<>();
        for (int k : keys) {
            map.put(k, "v" + k);
        }
        return map;
    }

    /** Removes {@code key}, checks what remove returned, the size and the links, and returns the new shape. */
    private static String remove(BstMap<Integer, String> map, int key) {
        String before = TreeShape.of(map);
        int size = map.size();
        assertThat(
                "remove(" + key + ") from " + before + " returns the value it removes", map.remove(key), is("v" + key));
        assertThat("after remove(" + key + ") from " + before + " the key is gone", map.containsKey(key), is(false));
        assertThat("remove(" + key + ") from " + before + " decrements size()", map.size(), is(size - 1));
        Invariants.checkBst(map);
        return TreeShape.of(map);
    }

    @Test
    void aLeafIsCutOffItsParent() {
        BstMap<Integer, String> map = treeOf(5, 3, 8);
        assertThat("removing the leaf 3 from 5(3, 8): its parent's link becomes null", remove(map, 3), is("5(-, 8)"));
        assertThat("removing the leaf 8 from 5(-, 8)", remove(map, 8), is("5"));
        assertThat("removing the last node empties the tree: root becomes null", remove(map, 5), is("(empty)"));
        assertThat("an emptied tree takes new keys", map.put(1, "v1"), is(nullValue()));
        assertThat(TreeShape.of(map), is("1"));
    }

    @Test
    void aNodeWithOneChildIsReplacedByThatChild() {
        assertThat(
                "removing 8 from 5(3, 8(-, 9)): its only child 9 takes its place",
                remove(treeOf(5, 3, 8, 9), 8),
                is("5(3, 9)"));
        assertThat(
                "removing 8 from 5(3, 8(7, -)): its only child 7 takes its place",
                remove(treeOf(5, 3, 8, 7), 8),
                is("5(3, 7)"));
        assertThat(
                "removing 3 from 5(3(1(0, 2), -), 8): its only child 1 moves up with its whole subtree",
                remove(treeOf(5, 3, 8, 1, 0, 2), 3),
                is("5(1(0, 2), 8)"));
        BstMap<Integer, String> rootWithOneChild = treeOf(5, 8, 9);
        assertThat(
                "removing the root of 5(-, 8(-, 9)): 8 becomes the root (transplant updates root when the"
                        + " replaced node has no parent)",
                remove(rootWithOneChild, 5),
                is("8(-, 9)"));
        assertThat("the new root has no parent", rootWithOneChild.root.parent, is(nullValue()));
    }

    @Test
    void aNodeWithTwoChildrenIsReplacedByItsSuccessorWhenTheSuccessorIsItsRightChild() {
        BstMap<Integer, String> map = treeOf(5, 3, 8, 9);
        assertThat(
                "removing 5 from 5(3, 8(-, 9)): the successor 8 is 5's right child (it has no left child), so 8"
                        + " moves up and adopts 5's left subtree; its own right subtree stays",
                remove(map, 5),
                is("8(3, 9)"));
        assertThat("the successor's new parent link (it became the root)", map.root.parent, is(nullValue()));
    }

    @Test
    void aNodeWithTwoChildrenIsReplacedByItsSuccessorWhenTheSuccessorIsDeeper() {
        BstMap<Integer, String> map = treeOf(5, 3, 10, 7, 12, 8);
        assertThat(
                "removing 5 from 5(3, 10(7(-, 8), 12)): the successor 7 is the leftmost node of the right subtree."
                        + " First its right child 8 takes 7's place under 10, then 7 takes 5's place and adopts both subtrees",
                remove(map, 5),
                is("7(3, 10(8, 12))"));
        BstMap<Integer, String> inner = treeOf(50, 30, 70, 20, 40, 35, 45, 36);
        assertThat(
                "removing the inner node 30 from 50(30(20, 40(35(-, 36), 45)), 70): its successor 35 takes its"
                        + " place, and 36 takes 35's",
                remove(inner, 30),
                is("50(35(20, 40(36, 45)), 70)"));
    }

    @Test
    void theSuccessorNodeItselfMovesSoEntriesAndIteratorsStayValid() {
        BstMap<Integer, String> map = treeOf(5, 3, 10, 7, 12, 8);
        Map.Entry<Integer, String> seven = null;
        for (Map.Entry<Integer, String> e : Iterations.toList(map.entrySet(), 6)) {
            if (e.getKey() == 7) {
                seven = e;
            }
        }
        assertThat("iterating 5(3, 10(7(-, 8), 12)) yields the entry of 7", seven, is(notNullValue()));
        map.remove(5);
        assertThat(
                "after removing 5 the root must be the very node that held 7 (not a new node, not a copy): an"
                        + " entry a caller holds must stay in the map",
                map.root,
                is(sameInstance(seven)));
        seven.setValue("written through");
        assertThat("setValue on 7's entry writes through to the map", map.get(7), is("written through"));

        BstMap<Integer, String> again = treeOf(5, 3, 10, 7, 12, 8);
        Iterator<Integer> it = again.keySet().iterator();
        assertThat(it.next(), is(3));
        assertThat(it.next(), is(5));
        it.remove(); // 5 has two children; the iterator already holds its successor 7
        List<Integer> rest = Iterations.toList(it, 4);
        assertThat(
                "iterator.remove() of a node with two children: the iteration goes on from the successor it"
                        + " already found, so removeNode must keep that node in the tree",
                rest,
                equalTo(List.of(7, 8, 10, 12)));
        Invariants.checkBst(again);
    }

    @Test
    void afterDeleteLearnsTheLowestNodeWhoseChildrenChanged() {
        String[][] cases = {
            // keys put, key removed, expected argument, why
            {"5 3 8", "3", "5", "a leaf: its parent"},
            {"5 3 8 9", "8", "5", "one child: the removed node's parent"},
            {"5 8 9", "5", "null", "the root with one child: no node's children changed (the child is the new root)"},
            {"5", "5", "null", "the last node: the tree is empty"},
            {"5 3 8 9", "5", "8", "two children, the successor is the right child: the successor itself"},
            {"5 3 10 7 12 8", "5", "10", "two children, a deeper successor: the successor's old parent"},
        };
        for (String[] c : cases) {
            List<Integer> seen = new ArrayList<>();
            BstMap<Integer, String> map = new BstMap<>() {
                @Override
                protected void afterDelete(Node<Integer, String> lowestChanged) {
                    seen.add(lowestChanged == null ? null : lowestChanged.getKey());
                }
            };
            for (String k : c[0].split(" ")) {
                map.put(Integer.parseInt(k), "v");
            }
            String before = TreeShape.of(map);
            map.remove(Integer.parseInt(c[1]));
            List<Integer> expected = new ArrayList<>();
            expected.add(c[2].equals("null") ? null : Integer.parseInt(c[2]));
            assertThat(
                    "removing " + c[1] + " from " + before + " calls afterDelete once, with " + c[3]
                            + " (the AVL tree rebalances from there up)",
                    seen,
                    equalTo(expected));
        }
    }

    @Test
    void removingAnAbsentKeyChangesNothing() {
        BstMap<Integer, String> empty = new BstMap<>();
        assertThat("remove from an empty tree returns null", empty.remove(5), is(nullValue()));
        BstMap<Integer, String> map = treeOf(5, 3, 8);
        Iterator<Integer> it = map.keySet().iterator();
        it.next();
        for (int absent : new int[] {0, 4, 6, 9}) {
            assertThat("remove(" + absent + ") of an absent key returns null", map.remove(absent), is(nullValue()));
        }
        assertThat("nothing was removed", map.size(), is(3));
        assertThat("and the shape is unchanged", TreeShape.of(map), is("5(3, 8)"));
        assertThat(
                "removing an absent key is not a structural change: an iteration in progress goes on",
                it.next(),
                is(5));
        map.remove(8);
        assertThrows(
                ConcurrentModificationException.class,
                it::next,
                "removing a present key is a structural change: removeNode must increment modCount");
    }

    @Test
    void removingTheRootOverAndOverEmptiesTheTree() {
        List<Integer> keys = new ArrayList<>(IntStream.range(0, 300).boxed().toList());
        Collections.shuffle(keys, new Random(11));
        BstMap<Integer, String> map = new BstMap<>();
        TreeMap<Integer, String> oracle = new TreeMap<>();
        for (int k : keys) {
            map.put(k, "v" + k);
            oracle.put(k, "v" + k);
        }
        while (!oracle.isEmpty()) {
            int rootKey = map.root.getKey();
            assertThat("remove(" + rootKey + "), the root", map.remove(rootKey), is(oracle.remove(rootKey)));
            Invariants.checkBst(map);
            assertThat(
                    "the keys left after removing the root " + rootKey,
                    Iterations.toList(map.keySet(), oracle.size()),
                    equalTo(new ArrayList<>(oracle.keySet())));
        }
        assertThat("every key removed: the root is null", map.root, is(nullValue()));
    }

    @Test
    void iteratorRemoveDeletesDuringTheIteration() {
        List<Integer> keys = new ArrayList<>(IntStream.range(0, 500).boxed().toList());
        Collections.shuffle(keys, new Random(12));
        BstMap<Integer, String> map = new BstMap<>();
        for (int k : keys) {
            map.put(k, "v" + k);
        }
        List<Integer> visited = new ArrayList<>();
        for (Iterator<Map.Entry<Integer, String>> it = map.entrySet().iterator(); it.hasNext(); ) {
            int k = it.next().getKey();
            visited.add(k);
            if (visited.size() > keys.size()) {
                throw new AssertionError("the iteration visits more than the " + keys.size() + " keys the tree held:"
                        + " after a removal, a step revisits a node (check the parent links removeNode leaves)");
            }
            if (k % 3 != 1) {
                it.remove();
            }
        }
        assertThat(
                "an iteration that removes two keys in three still visits every key once, in order",
                visited,
                equalTo(IntStream.range(0, 500).boxed().toList()));
        Invariants.checkBst(map);
        List<Integer> kept =
                IntStream.range(0, 500).filter(k -> k % 3 == 1).boxed().toList();
        assertThat("the keys left are those not removed", Iterations.toList(map.keySet(), kept.size()), equalTo(kept));
        Iterator<Integer> all = map.keySet().iterator();
        for (int removed = 0; all.hasNext(); removed++) {
            assertThat(
                    "removing every key through the iterator takes one step per key",
                    removed,
                    is(lessThan(kept.size())));
            all.next();
            all.remove();
        }
        assertThat("removing every key through the iterator empties the tree", map.size(), is(0));
        assertThat("and the root is null", map.root, is(nullValue()));
    }

    @Test
    void pollFirstAndPollLastTakeTheEnds() {
        Random random = new Random(13);
        BstMap<Integer, String> map = new BstMap<>();
        TreeMap<Integer, String> oracle = new TreeMap<>();
        for (int i = 0; i < 400; i++) {
            int k = random.nextInt(1_000);
            map.put(k, "v" + k);
            oracle.put(k, "v" + k);
        }
        while (!oracle.isEmpty()) {
            boolean first = random.nextBoolean();
            assertThat(
                    first
                            ? "pollFirstEntry removes and returns the smallest entry"
                            : "pollLastEntry removes and returns the largest entry",
                    first ? map.pollFirstEntry() : map.pollLastEntry(),
                    is(first ? oracle.pollFirstEntry() : oracle.pollLastEntry()));
            Invariants.checkBst(map);
            assertThat("size after polling", map.size(), is(oracle.size()));
        }
        assertThat("polling an empty tree returns null", map.pollFirstEntry(), is(nullValue()));
    }

    @Test
    void randomPutsAndRemovesAgreeWithTreeMap() {
        Random random = new Random(14);
        BstMap<Integer, Integer> map = new BstMap<>();
        TreeMap<Integer, Integer> oracle = new TreeMap<>();
        for (int op = 0; op < 6_000; op++) {
            int key = random.nextInt(400);
            if (random.nextBoolean()) {
                assertThat("put(" + key + ") at operation " + op, map.put(key, op), is(oracle.put(key, op)));
            } else {
                assertThat(
                        "remove(" + key + ") at operation " + op + " returns the removed value, or null if the key"
                                + " was absent",
                        map.remove(key),
                        is(oracle.remove(key)));
                Invariants.checkBst(map);
            }
            if (op % 500 == 0) {
                assertThat(
                        "the entries after operation " + op,
                        Iterations.toList(map.entrySet(), oracle.size()),
                        equalTo(new ArrayList<>(oracle.entrySet())));
            }
        }
        assertThat(
                "the entries at the end",
                Iterations.toList(map.entrySet(), oracle.size()),
                equalTo(new ArrayList<>(oracle.entrySet())));
        for (int key = 0; key < 400; key++) {
            assertThat("get(" + key + ") at the end", map.get(key), is(oracle.get(key)));
        }
    }
}
