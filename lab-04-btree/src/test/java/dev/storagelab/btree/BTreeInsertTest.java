package dev.storagelab.btree;

import static dev.storagelab.btree.Trees.b;
import static dev.storagelab.btree.Trees.copyOf;
import static dev.storagelab.btree.Trees.height;
import static dev.storagelab.btree.Trees.key;
import static dev.storagelab.btree.Trees.value;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.DiskStorage;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tests for lab-04 T7: {@link BPlusTree#get} and {@link BPlusTree#put}, through
 * {@code findLeaf}, {@code insert}, {@code splitLeaf} and {@code insertSeparator}. A put goes into
 * the leaf whose range holds its key; a leaf with no room splits in two halves of about equal
 * bytes, and the right half's first key goes up to the parent as a separator; a full internal
 * page splits the same way, its middle key moving up; a full root splits under a new root, and
 * only then does the tree grow a level.
 *
 * <p>The trees here have 512-byte pages and 16 frames, so a few dozen keys make two levels and a
 * few hundred make three. {@link Invariants#check} walks the whole tree after every operation;
 * the oracle is a {@link TreeMap}.
 */
class BTreeInsertTest {

    @TempDir
    Path dir;

    /** Puts {@code key -> value} into the tree and the model, then checks every invariant. */
    private static void put(BPlusTree tree, TreeMap<Bytes, Bytes> model, Bytes key, Bytes value) throws IOException {
        tree.put(key, value);
        model.put(key, value);
        Invariants.check(tree);
    }

    @Test
    void getReturnsWhatPutStoredAndAPutOverwrites() throws IOException {
        try (BPlusTree tree = Trees.openSmall(new FaultInjectingStorage(1))) {
            tree.put(b("apple"), b("red"));
            tree.put(b("banana"), b("yellow"));
            assertThat("get returns the value put", tree.get(b("apple")), is(Optional.of(b("red"))));
            assertThat("each key keeps its own value", tree.get(b("banana")), is(Optional.of(b("yellow"))));
            assertThat("a key never put is absent", tree.get(b("cherry")), is(Optional.empty()));
            assertThat("a key before every key is absent", tree.get(b("aardvark")), is(Optional.empty()));
            assertThat("size() counts two keys", tree.size(), is(2L));
            tree.put(b("apple"), b("green"));
            assertThat("a second put of a key replaces its value", tree.get(b("apple")), is(Optional.of(b("green"))));
            assertThat("an overwrite does not add a key", tree.size(), is(2L));
            tree.put(b("apple"), Bytes.EMPTY);
            assertThat("an empty value is a value", tree.get(b("apple")), is(Optional.of(Bytes.EMPTY)));
            Invariants.check(tree);
        }
    }

    @Test
    void aFullRootLeafSplitsIntoTwoLeavesUnderANewRoot() throws IOException {
        try (BPlusTree tree = Trees.openSmall(new FaultInjectingStorage(2))) {
            TreeMap<Bytes, Bytes> model = new TreeMap<>();
            int i = 1000;
            put(tree, model, key(i), value(i));
            assertThat("one key: the root is a leaf", height(tree), is(1));
            while (height(tree) == 1) { // descending keys: each new key is the leaf's first, not an append
                i--;
                put(tree, model, key(i), value(i));
            }
            TreeDump.Stats stats = TreeDump.stats(tree);
            assertThat("the first split makes two leaves:\n" + TreeDump.text(tree), stats.leaves(), is(2L));
            assertThat("under one new internal root", stats.internalPages(), is(1L));
            SlottedPage root = copyOf(tree, tree.rootId());
            assertThat("the root is an internal page", root.isInternal(), is(true));
            assertThat("with one separator", root.cellCount(), is(1));
            SlottedPage right = copyOf(tree, root.child(0));
            assertThat("the separator is the first key of the right leaf", root.key(0), equalTo(right.key(0)));
            SlottedPage left = copyOf(tree, root.leftmostChild());
            assertThat(
                    "the halves are about equal: their key counts differ by at most one or two",
                    Math.abs(left.cellCount() - right.cellCount()),
                    lessThanOrEqualTo(2));
            Trees.assertHolds(tree, model, "after the first split");
        }
    }

    @Test
    void aKeyOrderedLoadLeavesItsLeavesAboutThreeQuartersFull() throws IOException {
        try (BPlusTree tree = Trees.openSmall(new FaultInjectingStorage(12))) {
            TreeMap<Bytes, Bytes> model = new TreeMap<>();
            int i = 0;
            while (height(tree) < 2) {
                put(tree, model, key(i), value(i));
                i++;
            }
            SlottedPage root = copyOf(tree, tree.rootId());
            SlottedPage left = copyOf(tree, root.leftmostChild());
            SlottedPage right = copyOf(tree, root.child(0));
            int capacity = tree.capacity();
            int cell = PageFormat.SLOT_SIZE + left.cellSize(0);
            assertThat(
                    "a put past the last key of the last leaf cuts so the right leaf is only just a quarter full ("
                            + right.usedBytes() + " of " + capacity + " bytes):\n" + TreeDump.text(tree),
                    right.usedBytes() * 4 - capacity,
                    allOf(greaterThanOrEqualTo(0), lessThanOrEqualTo(4 * cell)));
            assertThat(
                    "and the left leaf keeps the rest (" + left.usedBytes() + " of " + capacity + " bytes)",
                    left.usedBytes(),
                    greaterThanOrEqualTo(capacity - capacity / 4 - cell));
            for (; i < 2000; i++) {
                tree.put(key(i), value(i));
                model.put(key(i), value(i));
            }
            Invariants.check(tree);
            Trees.assertHolds(tree, model, "after 2,000 keys in order");
            TreeDump.Stats stats = TreeDump.stats(tree);
            assertThat(
                    "2,000 keys put in order fill their " + stats.leaves() + " leaves to " + stats.leafFill()
                            + " on average; an equal cut at every split would leave them half full",
                    stats.leafFill(),
                    greaterThan(0.7));
        }
    }

    @Test
    void theTreeGrowsOneLevelAtATimeWhenTheRootSplits() throws IOException {
        try (BPlusTree tree = Trees.openSmall(new FaultInjectingStorage(3))) {
            TreeMap<Bytes, Bytes> model = new TreeMap<>();
            Random random = new Random(6);
            int height = 0;
            int rootKeysAtHeight3 = -1;
            boolean internalSplitSeen = false;
            while (height < 4) {
                // 40-byte keys: 8 to an internal page, so four levels come after a few hundred keys
                Bytes key = b(String.format("%040d", random.nextInt(1_000_000)));
                long rootBefore = tree.rootId();
                put(tree, model, key, b("v"));
                int h = height(tree);
                assertThat(
                        "a put grows the tree by at most one level (from " + height + ")",
                        h,
                        allOf(greaterThanOrEqualTo(height), lessThanOrEqualTo(height + 1)));
                if (h > height && height > 0) {
                    assertThat(
                            "the tree grows only by a new root above the old one", tree.rootId(), is(not(rootBefore)));
                    assertThat(
                            "the new root has the old root as its leftmost child",
                            copyOf(tree, tree.rootId()).leftmostChild(),
                            is(rootBefore));
                    assertThat(
                            "and one separator: the key that moved up from the old root's split",
                            copyOf(tree, tree.rootId()).cellCount(),
                            is(1));
                }
                if (h == 3) {
                    int rootKeys = copyOf(tree, tree.rootId()).cellCount();
                    internalSplitSeen |= rootKeysAtHeight3 >= 0 && rootKeys > rootKeysAtHeight3;
                    rootKeysAtHeight3 = rootKeys;
                }
                height = h;
            }
            assertThat(
                    "at height 3 the root gained separators: internal pages below it split (before the root split"
                            + " in turn)",
                    internalSplitSeen,
                    is(true));
            Trees.assertHolds(tree, model, "after growing to height 4 with " + model.size() + " random keys");
        }
    }

    enum Order {
        ASCENDING,
        DESCENDING,
        RANDOM
    }

    @ParameterizedTest
    @EnumSource(Order.class)
    void everyInsertOrderKeepsTheInvariants(Order order) throws IOException {
        List<Integer> keys = new ArrayList<>();
        for (int i = 0; i < 800; i++) {
            keys.add(i);
        }
        if (order == Order.DESCENDING) {
            Collections.reverse(keys);
        } else if (order == Order.RANDOM) {
            Collections.shuffle(keys, new Random(8));
        }
        try (BPlusTree tree = Trees.openSmall(new FaultInjectingStorage(4))) {
            TreeMap<Bytes, Bytes> model = new TreeMap<>();
            for (int k : keys) {
                put(tree, model, key(k), value(k));
            }
            Trees.assertHolds(tree, model, order + " inserts of " + keys.size() + " keys");
            assertThat(
                    order + " inserts of 800 keys into 512-byte pages make at least 3 levels",
                    height(tree),
                    greaterThanOrEqualTo(3));
            assertThat("keys between the keys inserted are absent", tree.get(b("key000010x")), is(Optional.empty()));
        }
    }

    @Test
    void variableSizeEntriesAndOverwritesThatGrowMatchATreeMap() throws IOException {
        int maxKey = PageFormat.maxKeyBytes(PageFormat.MIN_PAGE_SIZE);
        int maxCell = PageFormat.maxCellSize(PageFormat.MIN_PAGE_SIZE);
        Random random = new Random(10);
        try (BPlusTree tree = Trees.openSmall(new FaultInjectingStorage(5))) {
            TreeMap<Bytes, Bytes> model = new TreeMap<>();
            List<Bytes> keys = new ArrayList<>();
            for (int op = 0; op < 400; op++) {
                Bytes key;
                if (!keys.isEmpty() && random.nextInt(4) == 0) {
                    key = keys.get(random.nextInt(keys.size())); // an overwrite, maybe with a larger value
                } else {
                    byte[] k = new byte[1 + random.nextInt(maxKey)];
                    random.nextBytes(k); // bytes above 0x7f too: unsigned order
                    key = Bytes.wrap(k);
                    keys.add(key);
                }
                int room = maxCell - PageFormat.leafCellSize(key.length(), 0);
                byte[] v = new byte[random.nextInt(room + 1)];
                random.nextBytes(v);
                put(tree, model, key, Bytes.wrap(v));
            }
            Trees.assertHolds(
                    tree, model, "400 random puts of keys up to " + maxKey + " bytes and cells up to " + maxCell);
        }
    }

    @Test
    void anOverwriteWithALargerValueThatNoLongerFitsSplitsTheLeaf() throws IOException {
        try (BPlusTree tree = Trees.openSmall(new FaultInjectingStorage(6))) {
            TreeMap<Bytes, Bytes> model = new TreeMap<>();
            int i = 0;
            while (tree.size() < 6) {
                put(tree, model, key(i), b("x".repeat(55)));
                i++;
            }
            assertThat("(setup) six 71-byte cells (73 with their slots) fit in one leaf", height(tree), is(1));
            put(tree, model, key(2), b("y".repeat(PageFormat.maxCellSize(PageFormat.MIN_PAGE_SIZE) - 16)));
            assertThat(
                    "key 2's new 114-byte cell does not fit beside the five others even once its old cell is gone:"
                            + " the leaf splits",
                    height(tree),
                    is(2));
            assertThat("an overwrite does not change the key count", tree.size(), is(6L));
            Trees.assertHolds(tree, model, "after the overwrite that split");
        }
    }

    @Test
    void keysAndValuesTooLargeForAPageAreRefusedWithAClearMessage() throws IOException {
        int maxKey = PageFormat.maxKeyBytes(PageFormat.MIN_PAGE_SIZE);
        int maxCell = PageFormat.maxCellSize(PageFormat.MIN_PAGE_SIZE);
        try (BPlusTree tree = Trees.openSmall(new FaultInjectingStorage(7))) {
            tree.put(b("a"), b("1"));
            Bytes largestKey = Bytes.wrap(new byte[maxKey]);
            tree.put(largestKey, Bytes.EMPTY);
            assertThat(
                    "a key of exactly maxKeyBytes (" + maxKey + ") is accepted",
                    tree.get(largestKey),
                    is(Optional.of(Bytes.EMPTY)));
            Bytes largestValue = Bytes.wrap(new byte[maxCell - PageFormat.leafCellSize(1, 0)]);
            tree.put(b("b"), largestValue);
            assertThat(
                    "a cell of exactly maxCellSize (" + maxCell + " bytes) is accepted",
                    tree.get(b("b")),
                    is(Optional.of(largestValue)));

            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> tree.put(Bytes.wrap(new byte[maxKey + 1]), b("v")),
                    "a key longer than maxKeyBytes could not go up into an internal page as a separator");
            assertThat(
                    "the message gives the key's size and the limit",
                    e.getMessage(),
                    allOf(containsString(String.valueOf(maxKey + 1)), containsString(String.valueOf(maxKey))));
            e = assertThrows(
                    IllegalArgumentException.class,
                    () -> tree.put(b("c"), Bytes.wrap(new byte[maxCell - PageFormat.leafCellSize(1, 0) + 1])),
                    "a cell over a quarter page is refused: there are no overflow pages");
            assertThat(
                    "the message gives the cell's size and the limit",
                    e.getMessage(),
                    allOf(containsString(String.valueOf(maxCell + 1)), containsString(String.valueOf(maxCell))));
            assertThat("refused puts change nothing", tree.size(), is(3L));
            assertThat("the refused key is not in the tree", tree.get(b("c")), is(Optional.empty()));
            Invariants.check(tree);
        }
    }

    @Test
    void cellsOfTheLargestSizeStillSplitCorrectly() throws IOException {
        int maxKey = PageFormat.maxKeyBytes(PageFormat.MIN_PAGE_SIZE);
        int maxCell = PageFormat.maxCellSize(PageFormat.MIN_PAGE_SIZE);
        Random random = new Random(12);
        try (BPlusTree tree = Trees.openSmall(new FaultInjectingStorage(8))) {
            TreeMap<Bytes, Bytes> model = new TreeMap<>();
            for (int i = 0; i < 150; i++) {
                byte[] k = new byte[maxKey];
                random.nextBytes(k);
                put(tree, model, Bytes.wrap(k), Bytes.wrap(new byte[maxCell - PageFormat.leafCellSize(maxKey, 0)]));
            }
            assertThat("150 quarter-page cells with the longest keys make a deep tree", height(tree), greaterThan(3));
            Trees.assertHolds(tree, model, "after 150 puts of the largest cells");
        }
    }

    @Test
    void aSmallPoolEvictsPagesAndEveryKeyStillReadsBack() throws IOException {
        try (BPlusTree tree = Trees.openSmall(new FaultInjectingStorage(9))) {
            TreeMap<Bytes, Bytes> model = new TreeMap<>();
            Random random = new Random(14);
            for (int i = 0; i < 3000; i++) {
                int k = random.nextInt(1_000_000);
                tree.put(key(k), value(k));
                model.put(key(k), value(k));
            }
            Invariants.check(tree);
            assertThat(
                    "(setup) the tree is far bigger than its 16 frames, so pages were evicted and read again",
                    tree.poolStats().evictions(),
                    greaterThan(100L));
            Trees.assertHolds(tree, model, "3000 random puts through a 16-frame pool");
        }
    }

    @Test
    void aClosedTreeReopensWithEveryKey() throws IOException {
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        Random random = new Random(16);
        try (DiskStorage storage = DiskStorage.open(dir);
                BPlusTree tree = Trees.openSmall(storage)) {
            for (int i = 0; i < 1000; i++) {
                int k = random.nextInt(100_000);
                tree.put(key(k), value(i));
                model.put(key(k), value(i));
            }
        }
        try (DiskStorage storage = DiskStorage.open(dir);
                BPlusTree tree = Trees.openSmall(storage)) {
            Invariants.check(tree);
            Trees.assertHolds(tree, model, "after close and reopen");
            tree.put(key(-1), value(-1));
            model.put(key(-1), value(-1));
            Invariants.check(tree);
            assertThat("the reopened tree takes new keys", tree.get(key(-1)), is(Optional.of(value(-1))));
        }
    }
}
