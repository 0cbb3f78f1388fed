package dev.storagelab.bst;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-03 T1: {@link BstMap#findNode} and {@link BstMap#put}. A search starts at the root
 * and goes left for a smaller key, right for a greater one, until it finds the key or falls off
 * the tree; an insert of a new key hangs a new leaf exactly where that search fell off, and an
 * insert of a present key only replaces its value.
 *
 * <p>The oracle is a {@link TreeMap}: {@code get}, {@code containsKey}, {@code size} and what
 * {@code put} returns must agree with it. {@link Invariants#checkBst} checks the links and the key
 * order after inserts; {@link TreeShape} prints the tree in failure messages.
 */
class BstSearchAndInsertTest {

    private static BstMap<Integer, String> treeOf(int... keys) {
        BstMap<Integer, String> map = new BstMap<>();
        for (int k : keys) {
            map.put(k, "v" + k);
        }
        return map;
    }

    @Test
    void anEmptyTreeFindsNothing() {
        BstMap<Integer, String> map = new BstMap<>();
        assertThat(
                "get on an empty tree: the search starts at a null root and finds nothing",
                map.get(5),
                is(nullValue()));
        assertThat("containsKey on an empty tree", map.containsKey(5), is(false));
        assertThat("an empty tree has size 0", map.size(), is(0));
    }

    @Test
    void putThenGetFindsEveryKeyAndNoOther() {
        BstMap<Integer, String> map = treeOf(50, 30, 70, 20, 40, 60, 80);
        for (int k : new int[] {50, 30, 70, 20, 40, 60, 80}) {
            assertThat(
                    "get(" + k + ") after put(" + k + ", \"v" + k + "\"); tree " + TreeShape.of(map),
                    map.get(k),
                    is("v" + k));
            assertThat("containsKey(" + k + "); tree " + TreeShape.of(map), map.containsKey(k), is(true));
        }
        for (int k : new int[] {10, 25, 35, 45, 55, 65, 75, 90}) {
            assertThat(
                    "get(" + k + ") of a key never put must be null: the search falls off the tree; tree "
                            + TreeShape.of(map),
                    map.get(k),
                    is(nullValue()));
            assertThat(
                    "containsKey(" + k + ") of a key never put; tree " + TreeShape.of(map),
                    map.containsKey(k),
                    is(false));
        }
        assertThat("seven distinct keys were put", map.size(), is(7));
        Invariants.checkBst(map);
    }

    @Test
    void aNewKeyBecomesALeafWhereTheSearchFellOff() {
        BstMap<Integer, String> map = treeOf(5, 3, 8);
        map.put(4, "v4");
        assertThat("the root is the first key put, and later inserts never move it", map.root.getKey(), is(5));
        assertThat(
                "4 < 5 goes left to 3, 4 > 3 goes right, and 3 has no right child: 4 hangs there; tree "
                        + TreeShape.of(map),
                map.root.left.right == null ? null : map.root.left.right.getKey(),
                is(4));
        assertThat(
                "the new leaf has no children",
                map.root.left.right.left == null && map.root.left.right.right == null,
                is(true));
        assertThat(
                "the new leaf's parent link points to 3 (nextNode and delete climb parent links)",
                map.root.left.right.parent,
                is(sameInstance(map.root.left)));
        map.put(9, "v9");
        assertThat(
                "9 > 5, 9 > 8: the right child of 8; tree " + TreeShape.of(map),
                map.root.right.right == null ? null : map.root.right.right.getKey(),
                is(9));
        Invariants.checkBst(map);
    }

    @Test
    void putOfAPresentKeyReplacesTheValueAndReturnsTheOldOne() {
        BstMap<Integer, String> map = treeOf(5, 3, 8);
        assertThat("put of a new key returns null (there was no old value)", map.put(7, "first"), is(nullValue()));
        assertThat("put of a present key returns the value it replaces", map.put(7, "second"), is("first"));
        assertThat("get sees the new value", map.get(7), is("second"));
        assertThat("a replacement adds no node", map.size(), is(4));
        assertThat("put of the root's key replaces the root's value", map.put(5, "root"), is("v5"));
        assertThat(
                "the tree keeps its shape: a replacement changes a value in place, never the links",
                TreeShape.of(map),
                is("5(3, 8(7, -))"));
        Invariants.checkBst(map);
    }

    @Test
    void replacingAValueIsNotAStructuralChange() {
        BstMap<Integer, String> map = treeOf(2, 1, 3);
        Iterator<Map.Entry<Integer, String>> it = map.entrySet().iterator();
        assertThat("the iteration starts at the smallest key", it.next().getKey(), is(1));
        map.put(2, "replaced");
        Map.Entry<Integer, String> second = it.next();
        assertThat(
                "replacing a value must not count in modCount: an iterator in progress goes on without a"
                        + " ConcurrentModificationException, and sees the new value in place",
                second.getValue(),
                is("replaced"));
        map.put(4, "new");
        assertThrows(
                ConcurrentModificationException.class,
                it::next,
                "inserting a new key is a structural change: put must increment modCount so iterators fail fast");
    }

    @Test
    void nullValuesAreStoredAndDifferFromAbsentKeys() {
        BstMap<Integer, String> map = treeOf(5);
        assertThat("put(k, null) adds a key with a null value", map.put(7, null), is(nullValue()));
        assertThat("containsKey tells a null value from an absent key", map.containsKey(7), is(true));
        assertThat("the key with a null value counts", map.size(), is(2));
        assertThat("replacing a null value returns null, the old value", map.put(7, "x"), is(nullValue()));
        assertThat(map.get(7), is("x"));
    }

    @Test
    void nullKeysAreRejectedWithAMessageAndLeaveTheTreeAlone() {
        BstMap<Integer, String> map = treeOf(5);
        NullPointerException put = assertThrows(
                NullPointerException.class,
                () -> map.put(null, "v"),
                "an ordered map cannot compare a null key: put(null, v) throws NullPointerException");
        assertThat("the message says what was wrong", String.valueOf(put.getMessage()), containsString("null"));
        assertThrows(NullPointerException.class, () -> map.get(null), "get(null) throws NullPointerException");
        assertThrows(
                NullPointerException.class,
                () -> map.containsKey(null),
                "containsKey(null) throws NullPointerException");
        assertThat("the rejected put added nothing", map.size(), is(1));
        assertThat("and the tree still answers", map.get(5), is("v5"));
    }

    @Test
    void keysAreOrderedByTheComparator() {
        BstMap<Integer, String> map = new BstMap<>(Comparator.reverseOrder());
        for (int k : new int[] {5, 3, 8, 1, 9}) {
            map.put(k, "v" + k);
        }
        assertThat(
                "under reverseOrder 8 comes before 5, so 8 is the root's left child: compare keys with"
                        + " compare(a, b), which honours the comparator; tree " + TreeShape.of(map),
                TreeShape.of(map),
                is("5(8(9, -), 3(-, 1))"));
        assertThat("firstKey under reverseOrder is the largest key", map.firstKey(), is(9));
        for (int k : new int[] {5, 3, 8, 1, 9}) {
            assertThat("get(" + k + ") under reverseOrder; tree " + TreeShape.of(map), map.get(k), is("v" + k));
        }
        Invariants.checkBst(map);
    }

    @Test
    void keysTheComparatorCallsEqualAreOneKey() {
        BstMap<String, Integer> map = new BstMap<>(String.CASE_INSENSITIVE_ORDER);
        TreeMap<String, Integer> oracle = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String k : new String[] {"Apple", "banana", "APPLE", "Cherry", "BANANA", "apple"}) {
            assertThat(
                    "put(" + k + ") under CASE_INSENSITIVE_ORDER returns what TreeMap's put returns: keys the"
                            + " comparator calls equal are the same key, whatever equals() says",
                    map.put(k, k.length()),
                    is(oracle.put(k, k.length())));
        }
        assertThat("three distinct keys under CASE_INSENSITIVE_ORDER", map.size(), is(oracle.size()));
        assertThat("get(\"aPPle\") finds Apple: the search compares, it never calls equals()", map.get("aPPle"), is(5));
        assertThat(
                "a replacement keeps the first key object, as TreeMap does",
                Iterations.toList(map.keySet(), oracle.size()),
                equalTo(new ArrayList<>(oracle.keySet())));
        Invariants.checkBst(map);
    }

    @Test
    void afterInsertIsCalledOnceWithTheNewLeaf() {
        List<BstMap.Node<Integer, String>> inserted = new ArrayList<>();
        BstMap<Integer, String> map = new BstMap<>() {
            @Override
            protected void afterInsert(Node<Integer, String> node) {
                inserted.add(node);
            }
        };
        map.put(5, "a");
        map.put(3, "b");
        map.put(3, "c");
        map.put(8, "d");
        assertThat(
                "afterInsert runs once per new key and never for a replacement (the AVL tree rebalances from"
                        + " there)",
                inserted.stream().map(BstMap.Node::getKey).toList(),
                equalTo(List.of(5, 3, 8)));
        assertThat(
                "afterInsert gets the new node itself, already linked in: the root",
                inserted.get(0),
                is(sameInstance(map.root)));
        assertThat(
                "afterInsert gets the new leaf 3, the root's left child",
                inserted.get(1),
                is(sameInstance(map.root.left)));
        assertThat("afterInsert runs after size is counted", map.size(), is(3));
    }

    @Test
    void randomInsertsAgreeWithTreeMap() {
        Random random = new Random(31);
        BstMap<Integer, Integer> map = new BstMap<>();
        TreeMap<Integer, Integer> oracle = new TreeMap<>();
        for (int op = 0; op < 3_000; op++) {
            int key = random.nextInt(600) - 300;
            int value = random.nextInt();
            assertThat(
                    "put(" + key + ", " + value + ") at operation " + op + " returns the old value, or null for a"
                            + " new key",
                    map.put(key, value),
                    is(oracle.put(key, value)));
            assertThat("size() after " + (op + 1) + " puts counts the distinct keys", map.size(), is(oracle.size()));
            if (op % 50 == 0) {
                Invariants.checkBst(map);
            }
        }
        Invariants.checkBst(map);
        for (int key = -310; key <= 310; key++) {
            assertThat("get(" + key + ") after random puts", map.get(key), is(oracle.get(key)));
            assertThat("containsKey(" + key + ") after random puts", map.containsKey(key), is(oracle.containsKey(key)));
        }
    }
}
