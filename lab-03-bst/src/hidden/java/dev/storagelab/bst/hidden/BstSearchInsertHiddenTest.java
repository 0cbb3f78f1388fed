package dev.storagelab.bst.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;

import dev.storagelab.bst.BstMap;
import dev.storagelab.bst.Internals;
import dev.storagelab.bst.Invariants;
import dev.storagelab.lab.Graded;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;

/**
 * Hidden tests of lab-03 T1, {@link BstMap#put} and {@code findNode}: random puts and gets against
 * a {@link java.util.TreeMap} with {@link Invariants#checkBst} after every step, the exact place a
 * new key must land, comparators, and null keys.
 */
@Tag("hidden")
class BstSearchInsertHiddenTest {

    @Property(tries = 300, edgeCases = EdgeCasesMode.NONE)
    @Graded(
            task = "T1",
            points = 3,
            concept = "BST put or get disagrees with a TreeMap: an overwrite adds a node, a new key hangs "
                    + "on the wrong side or loses its parent link, or size is miscounted")
    void putsAndGetsBehaveLikeATreeMap(@ForAll("putsAndGets") List<MapOp> ops) {
        MapModel.run("BstMap", new BstMap<>(), null, ops, Invariants::checkBst, false);
    }

    @Example
    @Graded(
            task = "T1",
            points = 2,
            concept = "BST put does not hang a new key as a leaf under the last node its search "
                    + "visited, or an overwrite replaces the node instead of its value")
    void aNewKeyBecomesALeafWhereItsSearchEnded() {
        BstMap<Integer, String> map = new BstMap<>();
        List<Integer> order = List.of(50, 30, 70, 20, 40, 60, 80, 35, 65);
        for (int key : order) {
            assertThat("put(" + key + ") of a new key returns null", map.put(key, "v" + key), nullValue());
            Invariants.checkBst(map);
        }
        // Each key walks down from the root and hangs where its search fell off the tree.
        assertThat(
                "inserting " + order + " into an empty BST (shape: key(left,right), - for no child)",
                Internals.shape(map),
                equalTo("50(30(20,40(35,-)),70(60(-,65),80))"));
        Map<Integer, Map.Entry<Integer, String>> before = entriesByKey(map);
        assertThat("put(35, ...) of a present key returns the old value", map.put(35, "new"), equalTo("v35"));
        assertThat(
                "an overwrite changes the value only: the tree keeps its shape",
                Internals.shape(map),
                equalTo("50(30(20,40(35,-)),70(60(-,65),80))"));
        assertThat("an overwrite does not count as a new node", map.size(), equalTo(order.size()));
        assertThat(
                "an overwrite replaces the value in place: the entry handed out before it is still the map's node",
                entriesByKey(map).get(35),
                sameInstance(before.get(35)));
        assertThat(
                "the entry handed out before the overwrite sees the new value",
                before.get(35).getValue(),
                equalTo("new"));
        for (int key : order) {
            assertThat("get(" + key + ")", map.get(key), equalTo(key == 35 ? "new" : "v" + key));
        }
        for (int absent : List.of(0, 25, 36, 55, 62, 75, 99)) {
            assertThat("get(" + absent + ") of an absent key", map.get(absent), nullValue());
            assertThat("containsKey(" + absent + ") of an absent key", map.containsKey(absent), equalTo(false));
        }
    }

    @Property(tries = 120, edgeCases = EdgeCasesMode.NONE)
    @Graded(
            task = "T1",
            points = 2,
            concept = "BST ignores the map's comparator (compares keys by their natural order)")
    void aReverseOrderedBstBehavesLikeAReverseOrderedTreeMap(@ForAll("anything") List<MapOp> ops) {
        MapModel.run(
                "BstMap(reverseOrder)",
                new BstMap<>(Comparator.reverseOrder()),
                Comparator.reverseOrder(),
                ops,
                m -> {
                    Invariants.checkBst(m);
                    Invariants.checkHeight(m);
                },
                true);
    }

    @Example
    @Graded(
            task = "T1",
            points = 1,
            concept = "BST tells keys apart with equals() instead of the comparator: keys the "
                    + "comparator calls equal become two nodes")
    void keysTheComparatorCallsEqualAreOneKey() {
        Comparators.checkCaseInsensitive(new BstMap<>(String.CASE_INSENSITIVE_ORDER), Invariants::checkBst);
    }

    @Example
    @Graded(task = "T1", points = 1, concept = "BST accepts a null key or changes itself before rejecting it")
    void nullKeysAreRejected() {
        Comparators.checkNullKeysRejected(new BstMap<>(), Invariants::checkBst);
    }

    @Provide
    Arbitrary<List<MapOp>> putsAndGets() {
        return MapModel.ops(MapModel.SEARCH_AND_INSERT, 30, 80);
    }

    @Provide
    Arbitrary<List<MapOp>> anything() {
        return MapModel.ops(MapModel.ALL, 20, 80);
    }

    /** The map's own entry objects (its nodes), by key, as its entry set hands them out. */
    static <V> Map<Integer, Map.Entry<Integer, V>> entriesByKey(Map<Integer, V> map) {
        Map<Integer, Map.Entry<Integer, V>> out = new java.util.TreeMap<>();
        for (Map.Entry<Integer, V> e : MapOp.nodes(map)) {
            out.put(e.getKey(), e);
        }
        return out;
    }
}
