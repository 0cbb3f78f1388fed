package dev.storagelab.btree;

import static dev.storagelab.btree.Trees.b;
import static dev.storagelab.btree.Trees.copyOf;
import static dev.storagelab.btree.Trees.height;
import static dev.storagelab.btree.Trees.key;
import static dev.storagelab.btree.Trees.value;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tests for lab-04 T8: {@link BPlusTree#delete}, through {@code remove} and {@code rebalance}. A
 * delete that leaves a non-root page under half full repairs it with a sibling under the same
 * parent (the left one, or the right one for a leftmost child): if the two fit in one page they
 * <em>merge</em> (the right one is freed, its separator leaves the parent, the leaf links skip it
 * both ways); otherwise they <em>redistribute</em> their cells evenly and the parent's separator
 * changes. A root left with a single child is freed and the child becomes the root; the last key
 * deleted frees the root leaf and the tree is empty. Freed pages go back to the page table, so
 * nothing leaks.
 *
 * <p>Trees of 512-byte pages; {@link Invariants#check} after every operation (sibling links both
 * ways, occupancy, no leaked page); the oracle is a {@link TreeMap}.
 */
class BTreeDeleteTest {

    private static final int CAPACITY = PageFormat.capacity(PageFormat.MIN_PAGE_SIZE);

    private static void put(BPlusTree tree, TreeMap<Bytes, Bytes> model, Bytes key, Bytes value) throws IOException {
        tree.put(key, value);
        model.put(key, value);
        Invariants.check(tree);
    }

    private static void delete(BPlusTree tree, TreeMap<Bytes, Bytes> model, Bytes key) throws IOException {
        tree.delete(key);
        model.remove(key);
        Invariants.check(tree);
        assertThat("after delete(" + key + ") the key is gone", tree.get(key), is(Optional.empty()));
    }

    /** The children of the root, which must be internal. */
    private static List<SlottedPage> rootChildren(BPlusTree tree) throws IOException {
        SlottedPage root = copyOf(tree, tree.rootId());
        List<SlottedPage> children = new ArrayList<>();
        for (int i = -1; i < root.cellCount(); i++) {
            children.add(copyOf(tree, root.childAt(i)));
        }
        return children;
    }

    /** A tree of two leaves, made by ascending puts of the even keys 0, 2, 4, ... with 5-byte values. */
    private static BPlusTree twoLeaves(TreeMap<Bytes, Bytes> model, long seed) throws IOException {
        BPlusTree tree = Trees.openSmall(new FaultInjectingStorage(seed));
        for (int i = 0; height(tree) < 2; i += 2) {
            put(tree, model, key(i), b("value"));
        }
        return tree;
    }

    @Test
    void deletingAnAbsentKeyChangesNothing() throws IOException {
        try (BPlusTree tree = Trees.openSmall(new FaultInjectingStorage(1))) {
            TreeMap<Bytes, Bytes> model = new TreeMap<>();
            for (int i = 10; i < 400; i += 2) {
                put(tree, model, key(i), value(i));
            }
            String shape = TreeDump.text(tree);
            PageTable.Usage usage = tree.pageUsage();
            for (int absent : new int[] {0, 11, 201, 399, 5000}) {
                delete(tree, model, key(absent));
            }
            assertThat(
                    "deleting keys that are not there (before the first, between two, after the last) leaves every"
                            + " page as it was",
                    TreeDump.text(tree),
                    equalTo(shape));
            assertThat("and allocates or frees no page", tree.pageUsage().pagesInUse(), is(usage.pagesInUse()));
            Trees.assertHolds(tree, model, "after deleting absent keys");
        }
        try (BPlusTree empty = Trees.openSmall(new FaultInjectingStorage(2))) {
            empty.delete(b("nothing"));
            assertThat("deleting from an empty tree is a no-op", empty.size(), is(0L));
            Invariants.check(empty);
        }
    }

    @Test
    void deletingTheLastKeyFreesTheRootAndTheTreeIsEmpty() throws IOException {
        try (BPlusTree tree = Trees.openSmall(new FaultInjectingStorage(3))) {
            TreeMap<Bytes, Bytes> model = new TreeMap<>();
            for (String k : new String[] {"b", "a", "c"}) {
                put(tree, model, b(k), b("v" + k));
            }
            delete(tree, model, b("b"));
            assertThat("a root leaf may hold any number of keys: two left", tree.size(), is(2L));
            assertThat("the other keys stay", tree.get(b("a")), is(Optional.of(b("va"))));
            delete(tree, model, b("a"));
            delete(tree, model, b("c"));
            assertThat("the last delete empties the tree", tree.size(), is(0L));
            assertThat("an empty tree has no root page", tree.rootId(), is(PageFormat.NO_PAGE));
            assertThat(
                    "and no page in use: the root leaf was freed",
                    tree.pageUsage().pagesInUse(),
                    is(0L));
            put(tree, model, b("d"), b("vd"));
            assertThat("an emptied tree takes new keys", tree.get(b("d")), is(Optional.of(b("vd"))));
        }
    }

    @Test
    void anUnderfullLeafMergesWithItsSiblingAndTheRootShrinks() throws IOException {
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        try (BPlusTree tree = twoLeaves(model, 4)) {
            while (height(tree) == 2) {
                List<SlottedPage> leaves = rootChildren(tree);
                SlottedPage left = leaves.get(0);
                SlottedPage right = leaves.get(1);
                Bytes last = right.key(right.cellCount() - 1);
                int rightAfter = right.usedBytes() - right.cellSize(right.cellCount() - 1) - PageFormat.SLOT_SIZE;
                boolean shouldMerge = rightAfter < CAPACITY / 2 && left.usedBytes() + rightAfter <= CAPACITY;
                delete(tree, model, last);
                assertThat(
                        "deleting " + last + " leaves the right leaf with " + rightAfter + " of " + CAPACITY
                                + " bytes and the left one with " + left.usedBytes()
                                + ": the leaves merge exactly when the"
                                + " right one is under half full and the two fit in one page",
                        height(tree) == 1,
                        is(shouldMerge));
            }
            assertThat(
                    "after the merge the root leaf is the only page: the right leaf and the old root were freed",
                    tree.pageUsage().pagesInUse(),
                    is(1L));
            SlottedPage root = copyOf(tree, tree.rootId());
            assertThat("the new root is the merged leaf", root.isLeaf(), is(true));
            assertThat("the merged leaf has no siblings", root.next(), is(PageFormat.NO_PAGE));
            Trees.assertHolds(tree, model, "after the merge");
        }
    }

    @Test
    void anUnderfullLeafTakesCellsFromASiblingTooFullToMerge() throws IOException {
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        try (BPlusTree tree = twoLeaves(model, 5)) {
            // Fill the left leaf with the odd keys below the separator, short of a split.
            Bytes separator = copyOf(tree, tree.rootId()).key(0);
            for (int i = 1;
                    key(i).compareTo(separator) < 0
                            && rootChildren(tree).get(0).freeBytes() > 3 * (PageFormat.leafCellSize(9, 5) + 2);
                    i += 2) {
                put(tree, model, key(i), b("value"));
            }
            assertThat("(setup) still two leaves", rootChildren(tree).size(), is(2));
            int leftBefore = rootChildren(tree).get(0).cellCount();
            while (true) {
                SlottedPage right = rootChildren(tree).get(1);
                Bytes last = right.key(right.cellCount() - 1);
                int rightAfter = right.usedBytes() - right.cellSize(right.cellCount() - 1) - PageFormat.SLOT_SIZE;
                delete(tree, model, last);
                if (rightAfter < CAPACITY / 2) {
                    break;
                }
                assertThat(
                        "the right leaf is still at least half full: no rebalancing, the left leaf is untouched",
                        rootChildren(tree).get(0).cellCount(),
                        is(leftBefore));
            }
            List<SlottedPage> leaves = rootChildren(tree);
            assertThat("the two leaves could not fit in one page, so they stay two", leaves.size(), is(2));
            SlottedPage left = leaves.get(0);
            SlottedPage right = leaves.get(1);
            assertThat("the left leaf gave cells to the right one", left.cellCount(), lessThan(leftBefore));
            assertThat(
                    "and the two are about equally full now (within one cell)",
                    Math.abs(left.usedBytes() - right.usedBytes()),
                    lessThanOrEqualTo(PageFormat.leafCellSize(9, 5) + 2));
            assertThat(
                    "the right leaf is at least half full again",
                    right.usedBytes(),
                    greaterThanOrEqualTo(CAPACITY / 2 - 30));
            assertThat(
                    "the root's separator is the right leaf's new first key",
                    copyOf(tree, tree.rootId()).key(0),
                    equalTo(right.key(0)));
            Trees.assertHolds(tree, model, "after redistributing");
        }
    }

    enum Order {
        ASCENDING,
        DESCENDING,
        RANDOM,
        MIDDLE_OUT
    }

    @ParameterizedTest
    @EnumSource(Order.class)
    void deletingEveryKeyInAnyOrderShrinksTheTreeToEmpty(Order order) throws IOException {
        int n = 700;
        List<Integer> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add(i);
        }
        try (BPlusTree tree = Trees.openSmall(new FaultInjectingStorage(6))) {
            TreeMap<Bytes, Bytes> model = new TreeMap<>();
            Collections.shuffle(keys, new Random(7));
            for (int k : keys) {
                tree.put(key(k), value(k));
                model.put(key(k), value(k));
            }
            Invariants.check(tree);
            int height = height(tree);
            assertThat("(setup) 700 keys make at least 3 levels", height, greaterThanOrEqualTo(3));
            switch (order) {
                case ASCENDING -> Collections.sort(keys);
                case DESCENDING -> keys.sort(Collections.reverseOrder());
                case RANDOM -> Collections.shuffle(keys, new Random(9));
                case MIDDLE_OUT -> keys.sort((x, y) -> Integer.compare(Math.abs(2 * x - n), Math.abs(2 * y - n)));
            }
            int deleted = 0;
            for (int k : keys) {
                delete(tree, model, key(k));
                deleted++;
                int h = height(tree);
                assertThat(
                        "deletes never grow the tree, and it shrinks one level at a time (after " + deleted + " "
                                + order + " deletes)",
                        h,
                        allOf(greaterThanOrEqualTo(height - 1), lessThanOrEqualTo(height)));
                height = h;
                if (deleted % 100 == 0) {
                    Trees.assertHolds(tree, model, "after " + deleted + " " + order + " deletes");
                }
            }
            assertThat("every key deleted: the tree is empty", tree.size(), is(0L));
            assertThat("an empty tree has no root", tree.rootId(), is(PageFormat.NO_PAGE));
            assertThat("every page was freed", tree.pageUsage().pagesInUse(), is(0L));
        }
    }

    @Test
    void randomPutsAndDeletesOfVariableSizeMatchATreeMap() throws IOException {
        int maxKey = PageFormat.maxKeyBytes(PageFormat.MIN_PAGE_SIZE);
        int maxCell = PageFormat.maxCellSize(PageFormat.MIN_PAGE_SIZE);
        Random random = new Random(11);
        try (BPlusTree tree = Trees.openSmall(new FaultInjectingStorage(7))) {
            TreeMap<Bytes, Bytes> model = new TreeMap<>();
            for (int op = 0; op < 2000; op++) {
                if (model.size() < 50 || random.nextInt(100) < 50) {
                    // short keys mostly, a long one now and then: separators of every length
                    byte[] k = new byte[random.nextInt(10) == 0 ? 1 + random.nextInt(maxKey) : 1 + random.nextInt(3)];
                    random.nextBytes(k);
                    Bytes key = Bytes.wrap(k);
                    byte[] v = new byte[random.nextInt(maxCell - PageFormat.leafCellSize(k.length, 0) + 1)];
                    put(tree, model, key, Bytes.wrap(v));
                } else {
                    Bytes key = random.nextBoolean()
                            ? model.ceilingKey(Bytes.wrap(new byte[] {(byte) random.nextInt()}))
                            : null;
                    if (key == null) {
                        key = model.firstKey();
                    }
                    delete(tree, model, key);
                }
            }
            Trees.assertHolds(tree, model, "after 2000 random puts and deletes");
        }
    }

    @Test
    void freedPagesAreReusedSoRepeatedFillAndEmptyCyclesDoNotLeak() throws IOException {
        try (BPlusTree tree = Trees.openSmall(new FaultInjectingStorage(8))) {
            long[] inUseWhenFull = new long[3];
            long[] fileWhenFull = new long[3];
            for (int cycle = 0; cycle < 3; cycle++) {
                for (int i = 0; i < 500; i++) {
                    tree.put(key(i), value(i));
                }
                tree.checkpoint();
                Invariants.check(tree);
                inUseWhenFull[cycle] = tree.pageUsage().pagesInUse();
                fileWhenFull[cycle] = tree.pageUsage().physicalPages();
                for (int i = 0; i < 500; i++) {
                    tree.delete(key(i));
                }
                Invariants.check(tree);
                assertThat(
                        "cycle " + cycle + ": after deleting every key no page is in use",
                        tree.pageUsage().pagesInUse(),
                        is(0L));
                tree.checkpoint();
            }
            assertThat(
                    "the same 500 puts need the same pages every cycle: freed logical pages are handed out again",
                    inUseWhenFull[2],
                    is(inUseWhenFull[0]));
            assertThat(
                    "the file does not grow from cycle to cycle: freed physical pages are reused",
                    fileWhenFull[2],
                    lessThanOrEqualTo(fileWhenFull[1]));
        }
    }
}
