package dev.storagelab.bst.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.sameInstance;

import dev.storagelab.bst.BstMap;
import dev.storagelab.bst.Internals;
import dev.storagelab.bst.Invariants;
import dev.storagelab.lab.Graded;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;

/**
 * Hidden tests of lab-03 T3, {@code removeNode} and {@code transplant}: random histories with
 * every kind of delete against a {@link TreeMap}, and each delete case on a tree of known shape,
 * where the result's shape follows from the Javadoc (the in-order successor takes a two-children
 * node's place) and every other node object must survive: iterators and entries hold them.
 *
 * <p>The tree most cases start from, built by inserting 50, 30, 70, 20, 40, 60, 80, 35, 65:
 * <pre>
 *            50
 *         /      \
 *       30        70
 *      /  \      /  \
 *    20    40  60    80
 *         /      \
 *       35        65
 * </pre>
 */
@Tag("hidden")
class BstDeleteHiddenTest {

    private static final List<Integer> TREE = List.of(50, 30, 70, 20, 40, 60, 80, 35, 65);
    private static final String TREE_SHAPE = "50(30(20,40(35,-)),70(60(-,65),80))";

    @Property(tries = 400, edgeCases = EdgeCasesMode.NONE)
    @Graded(
            task = "T3",
            points = 4,
            concept = "BST delete breaks the tree: a lost subtree, a stale parent link, a wrong size, "
                    + "or removal through pollFirst/pollLast or an iterator that disagrees with a TreeMap")
    void deletesBehaveLikeATreeMap(@ForAll("anything") List<MapOp> ops) {
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
            task = "T3",
            points = 2,
            concept = "BST delete of a leaf leaves its parent's link to it, or disturbs other nodes")
    void deletingALeafUnlinksItFromItsParent() {
        deleteAndCheck(TREE, 20, "50(30(-,40(35,-)),70(60(-,65),80))", "a left leaf");
        deleteAndCheck(TREE, 65, "50(30(20,40(35,-)),70(60,80))", "a right leaf");
        deleteAndCheck(List.of(7), 7, "", "the root alone");
    }

    @Example
    @Graded(
            task = "T3",
            points = 2,
            concept = "BST delete of a node with one child does not lift the child into its place "
                    + "(or leaves the child's parent link pointing at the deleted node)")
    void deletingANodeWithOneChildLiftsTheChildIntoItsPlace() {
        deleteAndCheck(TREE, 40, "50(30(20,35),70(60(-,65),80))", "a node with only a left child");
        deleteAndCheck(TREE, 60, "50(30(20,40(35,-)),70(65,80))", "a node with only a right child");
        deleteAndCheck(List.of(10, 20, 15), 10, "20(15,-)", "the root with only a right child");
        deleteAndCheck(List.of(10, 5, 7), 10, "5(-,7)", "the root with only a left child");
    }

    @Example
    @Graded(
            task = "T3",
            points = 2,
            concept = "BST delete of a node with two children mishandles a successor that is the "
                    + "node's own right child")
    void deletingANodeWhoseSuccessorIsItsRightChildLiftsTheSuccessor() {
        // 70's successor is 80, its right child: 80 takes 70's place and adopts 70's left subtree.
        deleteAndCheck(TREE, 70, "50(30(20,40(35,-)),80(60(-,65),-))", "a node whose successor is its right child");
        // The same with a successor that has a right subtree of its own, which it keeps.
        deleteAndCheck(
                List.of(50, 30, 70, 60, 80, 90),
                70,
                "50(30,80(60,90))",
                "a node whose successor is its right child and has a right child");
        deleteAndCheck(List.of(2, 1, 3), 2, "3(1,-)", "the root, whose successor is its right child");
    }

    @Example
    @Graded(
            task = "T3",
            points = 3,
            concept =
                    "BST delete of a node with two children does not splice the in-order successor "
                            + "out of its place first and then into the deleted node's place (a subtree or parent link is lost)")
    void deletingANodeWhoseSuccessorIsDeeperSplicesTheSuccessorOutFirst() {
        // 50's successor is 60, the leftmost node of its right subtree, with a right child 65: 65
        // takes 60's place under 70, then 60 takes 50's place and adopts both its subtrees.
        deleteAndCheck(
                TREE, 50, "60(30(20,40(35,-)),70(65,80))", "the root, whose successor is deeper and has a right child");
        // 30's successor is 35, a leaf two levels down.
        deleteAndCheck(TREE, 30, "50(35(20,40),70(60(-,65),80))", "a node whose successor is a deeper leaf");
        deleteAndCheck(
                List.of(10, 5, 30, 20, 40, 15, 25, 17),
                10,
                "15(5,30(20(17,25),40))",
                "the root, whose successor is three levels down and has a right child");
    }

    @Example
    @Graded(
            task = "T3",
            points = 3,
            concept = "deleting through an iterator (or pollFirst/pollLast) loses the iterator's place: "
                    + "the successor node it holds is replaced or unlinked by the delete")
    void iteratorRemoveWorksForEveryDeleteCase() {
        List<IntPredicate> selections = new ArrayList<>();
        selections.add(k -> true);
        selections.add(k -> k % 20 == 0);
        selections.add(k -> k % 20 != 0);
        for (int key : TREE) {
            selections.add(k -> k == key);
        }
        for (boolean descending : List.of(false, true)) {
            for (IntPredicate selected : selections) {
                BstMap<Integer, String> map = build(TREE);
                TreeMap<Integer, String> oracle = new TreeMap<>(map);
                List<Integer> expectedVisits = new ArrayList<>((descending ? oracle.descendingMap() : oracle).keySet());
                List<Integer> visits = new ArrayList<>();
                List<Integer> removed = new ArrayList<>();
                NavigableMap<Integer, String> view = descending ? map.descendingMap() : map;
                for (Iterator<Map.Entry<Integer, String>> it = view.entrySet().iterator();
                        it.hasNext() && visits.size() <= TREE.size(); ) {
                    Map.Entry<Integer, String> e = it.next();
                    visits.add(e.getKey());
                    if (selected.test(e.getKey())) {
                        it.remove();
                        removed.add(e.getKey());
                        oracle.remove(e.getKey());
                        Invariants.checkBst(map);
                    }
                }
                String where = (descending ? "descending" : "ascending") + " iteration over " + TREE_SHAPE
                        + " removing " + removed + " through the iterator";
                assertThat(
                        where + ": the iteration must still visit every key once, in order",
                        visits,
                        equalTo(expectedVisits));
                assertThat(where + ": what is left", MapOp.entries(map), equalTo(MapOp.entries(oracle)));
            }
        }
        BstMap<Integer, String> map = build(TREE);
        TreeMap<Integer, String> oracle = new TreeMap<>(map);
        while (!oracle.isEmpty()) {
            boolean last = oracle.size() % 2 == 0;
            Map.Entry<Integer, String> expected = last ? oracle.pollLastEntry() : oracle.pollFirstEntry();
            Map.Entry<Integer, String> polled = last ? map.pollLastEntry() : map.pollFirstEntry();
            assertThat(
                    (last ? "pollLastEntry" : "pollFirstEntry") + " on " + MapOp.entries(map),
                    MapOp.copy(polled),
                    equalTo(expected));
            Invariants.checkBst(map);
        }
    }

    /**
     * Builds a tree by inserting {@code order}, takes its entry objects, deletes {@code key}, and
     * checks: the shape, the structure, the contents, and that every other key's entry is still the
     * map's own node with its key and value, so that a write through it lands in the map.
     */
    private static void deleteAndCheck(List<Integer> order, int key, String expectedShape, String what) {
        BstMap<Integer, String> map = build(order);
        TreeMap<Integer, String> oracle = new TreeMap<>(map);
        String before = Internals.shape(map);
        Map<Integer, Map.Entry<Integer, String>> held = BstSearchInsertHiddenTest.entriesByKey(map);
        String where = "deleting " + key + " (" + what + ") from " + before;
        assertThat(where + ": remove returns the value", map.remove(key), equalTo("v" + key));
        oracle.remove(key);
        Invariants.checkBst(map);
        assertThat(
                where + ": the tree's shape afterwards (key(left,right), - for no child)",
                Internals.shape(map),
                equalTo(expectedShape));
        assertThat(where + ": the contents", MapOp.entries(map), equalTo(MapOp.entries(oracle)));
        Map<Integer, Map.Entry<Integer, String>> after = BstSearchInsertHiddenTest.entriesByKey(map);
        for (Map.Entry<Integer, Map.Entry<Integer, String>> e : after.entrySet()) {
            Map.Entry<Integer, String> old = held.get(e.getKey());
            assertThat(
                    where + ": the node of " + e.getKey() + " must be the same object as before (a delete moves "
                            + "nodes, it never rebuilds them; iterators and entries hold them)",
                    e.getValue(),
                    sameInstance(old));
            assertThat(
                    where + ": the entry of " + e.getKey() + " taken before the delete keeps its key",
                    old.getKey(),
                    equalTo(e.getKey()));
            assertThat(
                    where + ": the entry of " + e.getKey() + " taken before the delete keeps its value",
                    old.getValue(),
                    equalTo("v" + e.getKey()));
        }
        Set<Integer> left = after.keySet();
        for (int k : left) {
            held.get(k).setValue("w" + k);
            assertThat(
                    where + ": setValue on the entry of " + k + " taken before the delete writes through to the map",
                    map.get(k),
                    equalTo("w" + k));
        }
    }

    private static BstMap<Integer, String> build(List<Integer> order) {
        BstMap<Integer, String> map = new BstMap<>();
        TreeMap<Integer, String> expected = new TreeMap<>();
        for (int key : order) {
            map.put(key, "v" + key);
            expected.put(key, "v" + key);
        }
        Invariants.checkBst(map);
        // every check below compares the map with a copy of itself: it must hold what was put first
        assertThat("the tree built by putting " + order, MapOp.entries(map), equalTo(MapOp.entries(expected)));
        return map;
    }

    @Provide
    Arbitrary<List<MapOp>> anything() {
        return MapModel.ops(MapModel.ALL, 30, 100);
    }
}
