package dev.storagelab.btree.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.btree.Internals;
import dev.storagelab.btree.Invariants;
import dev.storagelab.btree.PageFormat;
import dev.storagelab.btree.TreeDump;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.lab.Graded;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Edge cases of the B+tree (lab-04 T7-T10): the empty tree and the one-key tree, keys and values
 * exactly at the cell limit (and one byte over), unsigned byte order, half-open scan bounds at
 * every leaf boundary, values that grow and shrink in place, bulk loads of one entry, exactly one
 * page and one page plus one, at fill 0.5 and 1.0, a tree emptied and refilled (its freed pages
 * must be reused: the file must not grow), and a file reopened with another page size.
 */
@Tag("hidden")
class EdgeCaseHiddenTest {

    private static final int PAGE = 512;

    @Test
    @Graded(
            task = "T7",
            points = 2,
            concept = "an empty tree (new, or emptied by deletes) answers a get or a scan wrongly, "
                    + "or keeps its last root page instead of freeing it")
    void anEmptyTreeReadsAsEmpty() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        BPlusTree tree = BPlusTree.open(storage, Trees.SMALL_LRU);
        for (int round = 0; round < 3; round++) {
            String when = new String[] {
                        "a new tree", "a tree whose only key was deleted", "an emptied tree after a " + "reopen"
                    }
                    [round];
            assertThat(when + ": get", tree.get(Trees.key(5)), equalTo(Optional.empty()));
            assertThat(when + ": size()", tree.size(), equalTo(0L));
            for (boolean reverse : new boolean[] {false, true}) {
                assertThat(when + ": full scan", Trees.scan(tree, null, null, reverse), empty());
                assertThat(when + ": range scan", Trees.scan(tree, Trees.key(1), Trees.key(9), reverse), empty());
                assertThat(when + ": scan from a key", Trees.scan(tree, Trees.key(1), null, reverse), empty());
                assertThat(when + ": scan to a key", Trees.scan(tree, null, Trees.key(1), reverse), empty());
            }
            tree.delete(Trees.key(5)); // deleting from an empty tree is a no-op
            Invariants.check(tree);
            assertThat(when + ": no page in use", Internals.pageUsage(tree).pagesInUse(), equalTo(0L));
            if (round == 0) {
                tree.put(Trees.key(5), Bytes.of("only"));
                assertThat(tree.get(Trees.key(5)), equalTo(Optional.of(Bytes.of("only"))));
                tree.delete(Trees.key(5));
            } else if (round == 1) {
                tree.checkpoint();
                tree.close();
                tree = BPlusTree.open(storage, Trees.SMALL_LRU);
            }
        }
        tree.put(Trees.key(7), Bytes.EMPTY);
        assertThat("an empty value is a value", tree.get(Trees.key(7)), equalTo(Optional.of(Bytes.EMPTY)));
        tree.close();
    }

    @Test
    @Graded(
            task = "T9",
            points = 2,
            concept = "a one-key tree answers a get of a neighbouring key, or a scan bounded at or "
                    + "around the key, wrongly")
    void aOneKeyTreeAnswersEveryBoundCorrectly() throws IOException {
        try (BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(), Trees.SMALL_LRU)) {
            Bytes k = Bytes.of("m");
            Bytes v = Bytes.of("value");
            tree.put(k, v);
            Invariants.check(tree);
            assertThat(tree.get(k), equalTo(Optional.of(v)));
            for (String other : new String[] {"l", "n", "", "m\u0000", "mm", "\u00ff"}) {
                if (!other.isEmpty()) {
                    assertThat(
                            "get(" + other + ") in a tree holding only \"m\"",
                            tree.get(Bytes.of(other)),
                            equalTo(Optional.empty()));
                }
            }
            TreeMap<Bytes, Bytes> model = new TreeMap<>();
            model.put(k, v);
            String[][] ranges = {
                {null, null},
                {"m", "m"},
                {"m", "m\u0000"},
                {"a", "m"},
                {"m", null},
                {null, "m"},
                {"n", null},
                {null, "l"},
                {"l", "n"},
                {"m\u0000", "z"}
            };
            for (String[] r : ranges) {
                Bytes from = r[0] == null ? null : Bytes.of(r[0]);
                Bytes to = r[1] == null ? null : Bytes.of(r[1]);
                for (boolean reverse : new boolean[] {false, true}) {
                    assertThat(
                            (reverse ? "scanReverse(" : "scan(") + from + ", " + to + ") is half-open",
                            Trees.scan(tree, from, to, reverse),
                            equalTo(Trees.expected(model, from, to, reverse)));
                }
            }
            tree.delete(k);
            Invariants.check(tree);
            assertThat(tree.size(), equalTo(0L));
        }
    }

    @Test
    @Graded(
            task = "T7",
            points = 2,
            concept = "keys put in increasing order leave the leaves half full (the last leaf is cut in "
                    + "equal halves), a leaf that is not the last is cut unequally, or an in-order load of "
                    + "the largest cells breaks a split")
    void onlyAnAppendAtTheTreesRightEndIsCutUnequally() throws IOException {
        try (BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(), Trees.SMALL_LRU)) {
            for (int i = 0; i < Trees.KEY_SPACE; i++) {
                tree.put(Trees.key(i), Trees.value(i, 20));
            }
            Invariants.check(tree);
            TreeDump.Stats stats = TreeDump.stats(tree);
            assertThat(
                    Trees.KEY_SPACE + " keys put in increasing order: the left leaf of each split is never "
                            + "reached again, so it must keep about three quarters (" + stats + ")",
                    stats.leafFill(),
                    greaterThanOrEqualTo(0.7));
        }
        try (BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(), Trees.SMALL_LRU)) {
            int i = 0;
            while (TreeDump.stats(tree).leaves() < 2) {
                tree.put(Bytes.of(String.format("b%04d", i)), Trees.value(i, 20));
                i++;
            }
            while (TreeDump.stats(tree).minLeafFill() < 0.5) { // fill the last leaf without splitting it
                tree.put(Bytes.of(String.format("b%04d", i)), Trees.value(i, 20));
                i++;
            }
            assertThat(
                    "two leaves, the last at least half full",
                    TreeDump.stats(tree).leaves(),
                    equalTo(2L));
            long firstLeaf = Internals.leafOf(tree, Bytes.of("b0000"));
            int last = 0;
            while (Internals.leafOf(tree, Bytes.of(String.format("b%04d", last + 1))) == firstLeaf) {
                last++;
            }
            String lastOfFirst = String.format("b%04d", last);
            for (int j = 0; TreeDump.stats(tree).leaves() < 3; j++) {
                // each key is the last of the first leaf, which has a next leaf: not the tree's right end
                tree.put(Bytes.of(lastOfFirst + String.format("x%03d", j)), Trees.value(j, 20));
            }
            Invariants.check(tree);
            TreeDump.Stats stats = TreeDump.stats(tree);
            assertThat(
                    "keys appended to the first of two leaves split it in two about equal halves: only a put "
                            + "past the tree's last key is cut to leave a quarter (" + stats + ")",
                    stats.minLeafFill(),
                    greaterThanOrEqualTo(0.4));
        }
        for (int pageSize : new int[] {512, 4096}) {
            int maxCell = PageFormat.maxCellSize(pageSize);
            try (BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(), Trees.SMALL_LRU.withPageSize(pageSize))) {
                for (int i = 0; i < 60; i++) {
                    Bytes key = Trees.key(i);
                    tree.put(key, Trees.value(i, maxCell - PageFormat.LEAF_CELL_HEADER - key.length()));
                    Invariants.check(tree);
                }
                assertThat(
                        pageSize + "-byte pages, 60 of the largest cells in increasing order",
                        Trees.contents(tree).size(),
                        equalTo(60));
            }
        }
    }

    @Test
    @Graded(
            task = "T7",
            points = 3,
            concept = "keys of the largest size, or cells exactly at the quarter-page limit, break a "
                    + "split, a merge or a redistribution")
    void largestKeysAndCellsSplitAndMerge() throws IOException {
        for (int pageSize : new int[] {512, 4096}) {
            int maxKey = PageFormat.maxKeyBytes(pageSize);
            int maxCell = PageFormat.maxCellSize(pageSize);
            BTreeOptions options = Trees.SMALL_LRU_2.withPageSize(pageSize);
            FaultInjectingStorage storage = new FaultInjectingStorage();
            BPlusTree tree = BPlusTree.open(storage, options);
            TreeMap<Bytes, Bytes> model = new TreeMap<>();
            Random random = new Random(pageSize);
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < 90; i++) {
                order.add(i);
            }
            Collections.shuffle(order, random);
            for (int i : order) {
                // Alternate the two extremes: the longest key with what value still fits, and a short key
                // with the longest value; every cell is exactly the largest cell.
                Bytes key = i % 2 == 0 ? Trees.longKey(i, maxKey) : Trees.key(i);
                Bytes value = Trees.value(i, maxCell - PageFormat.LEAF_CELL_HEADER - key.length());
                assertThat(PageFormat.leafCellSize(key.length(), value.length()), equalTo(maxCell));
                tree.put(key, value);
                model.put(key, value);
                Invariants.check(tree);
            }
            String where = pageSize + "-byte pages, 90 cells of the largest size (" + maxCell + " bytes, keys up to "
                    + maxKey + ")";
            assertThat(
                    where + ": the tree has at least three levels",
                    TreeDump.stats(tree).height(),
                    greaterThanOrEqualTo(3));
            assertThat(where, Trees.contents(tree), equalTo(model));
            tree.close();
            tree = BPlusTree.open(storage, options);
            Collections.shuffle(order, random);
            for (int i : order.subList(0, 80)) {
                Bytes key = i % 2 == 0 ? Trees.longKey(i, maxKey) : Trees.key(i);
                tree.delete(key);
                model.remove(key);
                Invariants.check(tree);
            }
            assertThat(
                    where + ", then 80 deleted",
                    Trees.scan(tree, null, null, true),
                    equalTo(Trees.expected(model, null, null, true)));
            tree.close();
        }
    }

    @Test
    @Graded(
            task = "T7",
            points = 2,
            concept = "a key or a key-and-value one byte over the limit is accepted (it would not fit "
                    + "in a page), or its refusal changes the tree")
    void oneByteOverTheCellLimitIsRefused() throws IOException {
        for (int pageSize : new int[] {512, 4096}) {
            int maxKey = PageFormat.maxKeyBytes(pageSize);
            int maxCell = PageFormat.maxCellSize(pageSize);
            try (BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(), Trees.SMALL_LRU.withPageSize(pageSize))) {
                for (int i = 0; i < 30; i++) {
                    tree.put(Trees.key(i), Trees.value(i, 20));
                }
                TreeMap<Bytes, Bytes> before = Trees.contents(tree);
                Bytes tooLongKey = Trees.longKey(1, maxKey + 1);
                Bytes maxKeyBytes = Trees.longKey(2, maxKey);
                Bytes fitsWithMaxKey = Bytes.wrap(new byte[maxCell - PageFormat.LEAF_CELL_HEADER - maxKey]);
                Bytes oneOverWithMaxKey = Bytes.wrap(new byte[maxCell - PageFormat.LEAF_CELL_HEADER - maxKey + 1]);
                Bytes shortKey = Trees.key(3);
                Bytes oneOverWithShortKey =
                        Bytes.wrap(new byte[maxCell - PageFormat.LEAF_CELL_HEADER - shortKey.length() + 1]);
                String where = pageSize + "-byte pages: ";
                assertThrows(
                        IllegalArgumentException.class,
                        () -> tree.put(tooLongKey, Bytes.EMPTY),
                        where + "a key of maxKeyBytes + 1 = " + (maxKey + 1) + " bytes must be refused");
                assertThrows(
                        IllegalArgumentException.class,
                        () -> tree.put(maxKeyBytes, oneOverWithMaxKey),
                        where + "a cell one byte over the largest (" + maxCell + ") must be refused");
                assertThrows(
                        IllegalArgumentException.class,
                        () -> tree.put(shortKey, oneOverWithShortKey),
                        where + "a value making the cell one byte over the largest must be refused");
                assertThat(where + "refused writes change nothing", Trees.contents(tree), equalTo(before));
                Invariants.check(tree);
                try (BPlusTree empty =
                        BPlusTree.open(new FaultInjectingStorage(), Trees.SMALL_LRU.withPageSize(pageSize))) {
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> empty.bulkLoad(
                                    List.of(
                                                    Entry.put(Trees.key(1), Bytes.of("ok")),
                                                    Entry.put(Trees.key(900), oneOverWithShortKey))
                                            .iterator(),
                                    1.0),
                            where + "bulk load refuses an entry over the cell limit");
                }
                tree.put(maxKeyBytes, fitsWithMaxKey);
                assertThat(
                        where + "a cell of exactly the largest size is accepted",
                        tree.get(maxKeyBytes),
                        equalTo(Optional.of(fitsWithMaxKey)));
                Invariants.check(tree);
            }
        }
    }

    @Test
    @Graded(
            task = "T7",
            points = 2,
            concept = "keys are compared as signed bytes (0x80 sorts before 0x7f) or a shorter key is "
                    + "not ordered before its extensions")
    void keysAreOrderedAsUnsignedBytes() throws IOException {
        List<Bytes> keys = new ArrayList<>();
        byte[][] tricky = {
            {0x00},
            {0x7f},
            {(byte) 0x80},
            {(byte) 0xff},
            {0x7f, (byte) 0xff},
            {(byte) 0x80, 0x00},
            {0x00, 0x00},
            {(byte) 0xff, (byte) 0xff},
            {'a'},
            {'a', 0x00},
            {'a', (byte) 0x80},
            {'a', 'b'}
        };
        for (byte[] k : tricky) {
            keys.add(Bytes.copyOf(k));
        }
        Random random = new Random(8);
        for (int i = 0; i < 300; i++) {
            byte[] k = new byte[1 + random.nextInt(4)];
            random.nextBytes(k);
            keys.add(Bytes.wrap(k));
        }
        Collections.shuffle(keys, random);
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        try (BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(), Trees.SMALL_LRU)) {
            for (Bytes k : keys) {
                Bytes v = Trees.value(k.hashCode(), 12);
                tree.put(k, v);
                model.put(k, v);
            }
            Invariants.check(tree);
            assertThat(
                    "a full scan is in unsigned byte order (0x7f < 0x80 < 0xff; \"a\" < \"a\\x00\")",
                    Trees.scan(tree, null, null, false),
                    equalTo(Trees.expected(model, null, null, false)));
            Bytes from = Bytes.copyOf(new byte[] {0x7f});
            Bytes to = Bytes.copyOf(new byte[] {(byte) 0x81});
            for (boolean reverse : new boolean[] {false, true}) {
                List<Entry> got = Trees.scan(tree, from, to, reverse);
                assertThat(
                        "scan [0x7f, 0x81) crosses from 0x7f.. to 0x80.. keys",
                        got,
                        equalTo(Trees.expected(model, from, to, reverse)));
            }
            for (byte[] k : tricky) {
                assertThat(tree.get(Bytes.copyOf(k)), equalTo(Optional.of(model.get(Bytes.copyOf(k)))));
            }
        }
    }

    @Test
    @Graded(
            task = "T9",
            points = 2,
            concept = "a scan bounded exactly at a leaf's first or last key returns a key outside "
                    + "[from, to) or misses one (off by one at a leaf boundary, forward or reverse)")
    void scanBoundsAreHalfOpenAtEveryLeafBoundary() throws IOException {
        try (BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(), Trees.SMALL_LRU)) {
            TreeMap<Bytes, Bytes> model = putEvenKeys(tree);
            assertThat(TreeDump.stats(tree).leaves(), greaterThanOrEqualTo(20L));
            for (int i = 0; i < 400; i++) {
                for (int width : new int[] {1, 2, 3, 17}) {
                    Bytes from = Trees.key(i);
                    Bytes to = Trees.key(Math.min(i + width, Trees.KEY_SPACE - 1));
                    for (boolean reverse : new boolean[] {false, true}) {
                        assertThat(
                                (reverse ? "scanReverse(" : "scan(") + from + ", " + to + ")",
                                Trees.scan(tree, from, to, reverse),
                                equalTo(Trees.expected(model, from, to, reverse)));
                    }
                }
                assertThat(
                        "scan(null, " + Trees.key(i) + ") reverse",
                        Trees.scan(tree, null, Trees.key(i), true),
                        equalTo(Trees.expected(model, null, Trees.key(i), true)));
            }
            assertThrows(
                    IllegalArgumentException.class,
                    () -> tree.scan(Trees.key(5), Trees.key(4)),
                    "a range whose start is after its end is refused");
            Invariants.check(tree);
        }
    }

    @Test
    @Graded(
            task = "T9",
            points = 2,
            concept = "a scan reads leaves outside its range: it starts at the first (or last) leaf "
                    + "instead of seeking its bound, walks on along the leaf level after its range has ended, or reads "
                    + "its whole range at its first step instead of a leaf at a time")
    void aScanReadsOnlyTheLeavesOfItsRange() throws IOException {
        try (BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(), Trees.SMALL_LRU)) {
            TreeMap<Bytes, Bytes> model = putEvenKeys(tree);
            TreeDump.Stats shape = TreeDump.stats(tree);
            assertThat(shape.leaves(), greaterThanOrEqualTo(20L));
            // The descent reads one page per level; a range of two keys at most (or none: [41, 42)
            // is empty) spans at most two leaves, and the scan may read the leaf after its last one
            // to see that the range ended.
            long allowed = shape.height() + 2;
            for (int[] range : new int[][] {{40, 43}, {41, 42}, {199, 202}, {200, 203}, {360, 361}, {361, 362}}) {
                Bytes from = Trees.key(range[0]);
                Bytes to = Trees.key(range[1]);
                for (boolean reverse : new boolean[] {false, true}) {
                    String scan = (reverse ? "scanReverse(" : "scan(") + from + ", " + to + ")";
                    long before = tree.poolStats().fetches();
                    assertThat(
                            scan,
                            Trees.scan(tree, from, to, reverse),
                            equalTo(Trees.expected(model, from, to, reverse)));
                    assertThat(
                            "pages " + scan + " fetched, of " + shape.leaves() + " leaves in a tree of height "
                                    + shape.height(),
                            tree.poolStats().fetches() - before,
                            lessThanOrEqualTo(allowed));
                }
            }
            // A scan takes its range a leaf at a time: its first entry costs the descent and one
            // leaf, however far the range goes.
            for (boolean reverse : new boolean[] {false, true}) {
                String scan = reverse ? "scanReverse(null, null)" : "scan(null, null)";
                long before = tree.poolStats().fetches();
                try (EntryIterator it = reverse ? tree.scanReverse(null, null) : tree.scan(null, null)) {
                    assertThat(scan + " has entries", it.hasNext(), is(true));
                    assertThat(
                            scan + "'s first key",
                            it.next().key(),
                            equalTo(reverse ? model.lastKey() : model.firstKey()));
                }
                assertThat(
                        "pages the first entry of " + scan + " fetched, of " + shape.leaves()
                                + " leaves in a tree of height " + shape.height(),
                        tree.poolStats().fetches() - before,
                        lessThanOrEqualTo(shape.height() + 1L));
            }
        }
    }

    /** Puts the even keys 0 to 398 with 30-byte values (200 entries, over 20 leaves of 512 bytes); returns the model. */
    private static TreeMap<Bytes, Bytes> putEvenKeys(BPlusTree tree) throws IOException {
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        for (int i = 0; i < 400; i += 2) {
            Bytes v = Trees.value(i, 30);
            tree.put(Trees.key(i), v);
            model.put(Trees.key(i), v);
        }
        return model;
    }

    @Test
    @Graded(
            task = "T8",
            points = 2,
            concept = "a value replaced by a longer one that no longer fits its leaf is lost or "
                    + "duplicated, or one replaced by a shorter one leaves its leaf under a quarter full")
    void valuesThatGrowAndShrinkInPlaceSplitAndRebalance() throws IOException {
        int maxValue = PageFormat.maxCellSize(PAGE)
                - PageFormat.LEAF_CELL_HEADER
                - Trees.key(0).length()
                - 2;
        try (BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(), Trees.SMALL_LRU)) {
            TreeMap<Bytes, Bytes> model = new TreeMap<>();
            for (int i = 0; i < 120; i++) {
                Bytes v = Trees.value(i, 8);
                tree.put(Trees.key(i), v);
                model.put(Trees.key(i), v);
            }
            for (int round = 0; round < 4; round++) {
                for (int i = round % 2; i < 120; i += 2) {
                    int length = round < 2 ? maxValue : i % 3;
                    Bytes v = Trees.value(1000 * round + i, length);
                    tree.put(Trees.key(i), v);
                    model.put(Trees.key(i), v);
                    try {
                        Invariants.check(tree);
                    } catch (AssertionError e) {
                        throw new AssertionError(
                                "after replacing " + Trees.key(i) + "'s value by one of " + length + " bytes: "
                                        + e.getMessage(),
                                e);
                    }
                }
                assertThat(
                        "round " + round + (round < 2 ? ": values grown" : ": values shrunk"),
                        Trees.contents(tree),
                        equalTo(model));
                assertThat(tree.size(), equalTo(120L));
            }
        }
    }

    @Test
    @Graded(
            task = "T10",
            points = 3,
            concept = "bulk load mishandles an edge case: no entries, one entry, exactly one full "
                    + "page (or three: a leaf filled to exactly its budget), one page plus one entry, fill 0.5 versus 1.0, "
                    + "or input it must refuse (and the pages a refused load built must be freed)")
    void bulkLoadEdgeCases() throws IOException {
        // 8 entries of 58 bytes (slot 2 + cell header 7 + key 5 + value 44) fill the 464-byte capacity of a
        // 512-byte page exactly.
        int perEntry = PageFormat.capacity(PAGE) / 8;
        int valueLength = perEntry - PageFormat.SLOT_SIZE - PageFormat.LEAF_CELL_HEADER - 5;
        List<Entry> eight = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            eight.add(Entry.put(Bytes.of(String.format("k%04d", i)), Trees.value(i, valueLength)));
        }
        // no entries
        try (BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(), Trees.SMALL_LRU)) {
            tree.bulkLoad(Collections.emptyIterator(), 1.0);
            Invariants.check(tree);
            assertThat(
                    "bulk load of nothing leaves an empty tree",
                    Trees.contents(tree).size(),
                    equalTo(0));
            assertThat(
                    "bulk load of nothing allocates no page",
                    Internals.pageUsage(tree).pagesInUse(),
                    equalTo(0L));
            tree.put(Bytes.of("after"), Bytes.of("x"));
            assertThat(tree.get(Bytes.of("after")), equalTo(Optional.of(Bytes.of("x"))));
        }
        for (int n : new int[] {1, 8, 9, 24}) {
            FaultInjectingStorage storage = new FaultInjectingStorage();
            BPlusTree tree = BPlusTree.open(storage, Trees.SMALL_LRU);
            tree.bulkLoad(eight.subList(0, n).iterator(), 1.0);
            Invariants.check(tree);
            TreeDump.Stats stats = TreeDump.stats(tree);
            String where =
                    "bulk load at fill 1.0 of " + n + " entries of " + perEntry + " bytes into " + PAGE + "-byte pages";
            // 24: three leaves filled to exactly the budget ("within" it); at one entry fewer
            // each, the 4th leaf would hold 3 entries, enough not to be repaired away.
            assertThat(where + ": leaves", stats.leaves(), equalTo(n <= 8 ? 1L : n == 9 ? 2L : 3L));
            assertThat(where + ": height", stats.height(), equalTo(n <= 8 ? 1 : 2));
            assertThat(where + ": size()", tree.size(), equalTo((long) n));
            for (int i = 0; i < n; i++) {
                assertThat(
                        where + ": get",
                        tree.get(eight.get(i).key()),
                        equalTo(Optional.of(eight.get(i).value())));
            }
            tree.close();
            tree = BPlusTree.open(storage, Trees.SMALL_LRU);
            assertThat(where + ": after a reopen", Trees.scan(tree, null, null, false), equalTo(eight.subList(0, n)));
            tree.close();
        }
        // fill factors: 600 entries of 39-byte cells
        List<Entry> many = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            many.add(Entry.put(Trees.key(i), Trees.value(i, 24)));
        }
        long[] leaves = new long[2];
        double[] fills = {0.5, 1.0};
        for (int f = 0; f < 2; f++) {
            try (BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(), Trees.SMALL_LRU)) {
                tree.bulkLoad(many.iterator(), fills[f]);
                Invariants.check(tree);
                TreeDump.Stats stats = TreeDump.stats(tree);
                leaves[f] = stats.leaves();
                String where = "bulk load of 600 entries at fill " + fills[f];
                assertThat(
                        where + ": leaves are filled to about the fill factor",
                        stats.leafFill(),
                        closeTo(fills[f] - 0.04, 0.05));
                assertThat(where + ": every entry", Trees.scan(tree, null, null, true), equalTo(reversed(many)));
            }
        }
        assertThat(
                "fill 1.0 makes about half the leaves of fill 0.5", (double) leaves[1] / leaves[0], closeTo(0.5, 0.06));
        // refusals
        try (BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(), Trees.SMALL_LRU)) {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> tree.bulkLoad(many.iterator(), 0.49),
                    "fill factor under 0.5 is refused");
            assertThrows(
                    IllegalArgumentException.class,
                    () -> tree.bulkLoad(many.iterator(), 1.01),
                    "fill factor over 1.0 is refused");
            List<Entry> unsorted = new ArrayList<>(many.subList(0, 50));
            Collections.swap(unsorted, 20, 21);
            assertThrows(
                    IllegalArgumentException.class,
                    () -> tree.bulkLoad(unsorted.iterator(), 1.0),
                    "unsorted input is refused");
            afterARefusedBulkLoad(tree, many.subList(0, 50), "unsorted input");
        }
        try (BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(), Trees.SMALL_LRU)) {
            List<Entry> duplicate = new ArrayList<>(many.subList(0, 50));
            duplicate.add(25, duplicate.get(24));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> tree.bulkLoad(duplicate.iterator(), 1.0),
                    "a repeated key is refused: keys must be strictly increasing");
            afterARefusedBulkLoad(tree, many.subList(0, 80), "a repeated key");
        }
        try (BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(), Trees.SMALL_LRU)) {
            List<Entry> withTombstone = new ArrayList<>(many.subList(0, 50));
            withTombstone.set(30, Entry.tombstone(withTombstone.get(30).key()));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> tree.bulkLoad(withTombstone.iterator(), 1.0),
                    "a tombstone is refused");
            afterARefusedBulkLoad(tree, many.subList(0, 20), "a tombstone");
        }
        try (BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(), Trees.SMALL_LRU)) {
            tree.put(Trees.key(1), Bytes.of("x"));
            assertThrows(
                    IllegalStateException.class,
                    () -> tree.bulkLoad(many.iterator(), 1.0),
                    "bulk load into a tree that is not empty is refused");
            assertThat(Trees.contents(tree).size(), equalTo(1));
        }
    }

    @Test
    @Graded(
            task = "T10",
            points = 2,
            concept = "bulk load puts an entry into a leaf with room for its cell but not for its slot "
                    + "(the entry is lost): a leaf's budget counts each cell's 2-byte slot too")
    void aLeafWithRoomForTheNextCellButNotItsSlotStartsANewLeaf() throws IOException {
        int capacity = PageFormat.capacity(PAGE);
        int bigCell = 100; // slot excluded: four of them, slots included, leave 464 - 408 = 56 bytes
        int before = 4;
        int gap = capacity - before * (PageFormat.SLOT_SIZE + bigCell);
        // The fifth entry's cell is exactly the room left, then one byte smaller: neither fits with its slot.
        for (int fifthCell : new int[] {gap, gap - 1}) {
            List<Entry> entries = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                int cell = i == before ? fifthCell : bigCell;
                Bytes key = Bytes.of(String.format("k%04d", i));
                entries.add(Entry.put(key, Trees.value(i, cell - PageFormat.LEAF_CELL_HEADER - key.length())));
            }
            String where = "bulk load at fill 1.0 into " + PAGE + "-byte pages (capacity " + capacity + "): four "
                    + bigCell + "-byte cells, then one of " + fifthCell + " bytes where " + gap + " bytes are left, "
                    + "slots included; ";
            FaultInjectingStorage storage = new FaultInjectingStorage();
            BPlusTree tree = BPlusTree.open(storage, Trees.SMALL_LRU);
            tree.bulkLoad(entries.iterator(), 1.0);
            Invariants.check(tree);
            assertThat(where + "size()", tree.size(), equalTo((long) entries.size()));
            for (Entry e : entries) {
                assertThat(where + "get(" + e.key() + ")", tree.get(e.key()), equalTo(Optional.of(e.value())));
            }
            assertThat(where + "a scan returns every entry", Trees.scan(tree, null, null, false), equalTo(entries));
            tree.close();
            tree = BPlusTree.open(storage, Trees.SMALL_LRU);
            assertThat(where + "a scan after a reopen", Trees.scan(tree, null, null, false), equalTo(entries));
            tree.close();
        }
    }

    /** A bulk load refused halfway leaves an empty tree with no page in use, ready for another load. */
    private static void afterARefusedBulkLoad(BPlusTree tree, List<Entry> retry, String why) throws IOException {
        Invariants.check(tree);
        assertThat("after a bulk load refused for " + why + " the tree is empty", tree.size(), equalTo(0L));
        assertThat(
                "after a bulk load refused for " + why + " no page is in use: the pages it built are freed",
                Internals.pageUsage(tree).pagesInUse(),
                equalTo(0L));
        tree.bulkLoad(retry.iterator(), 0.8);
        Invariants.check(tree);
        assertThat("a bulk load after one refused for " + why, Trees.scan(tree, null, null, false), equalTo(retry));
    }

    private static List<Entry> reversed(List<Entry> list) {
        List<Entry> out = new ArrayList<>(list);
        Collections.reverse(out);
        return out;
    }

    @Test
    @Graded(
            task = "T8",
            points = 2,
            concept = "pages freed by deletes are never reused: emptying and refilling a tree makes "
                    + "the page file grow without bound")
    void aTreeEmptiedAndRefilledReusesItsPages() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        BPlusTree tree = BPlusTree.open(storage, Trees.SMALL_LRU);
        long[] sizes = new long[8];
        for (int cycle = 0; cycle < sizes.length; cycle++) {
            for (int i = 0; i < 400; i++) {
                tree.put(Trees.key((i * 37) % Trees.KEY_SPACE), Trees.value(cycle * 1000L + i, 30));
            }
            tree.checkpoint();
            Invariants.check(tree);
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < Trees.KEY_SPACE; i++) {
                order.add(i);
            }
            Collections.shuffle(order, new Random(cycle));
            for (int i : order) {
                tree.delete(Trees.key(i));
            }
            Invariants.check(tree);
            assertThat("cycle " + cycle + ": every key deleted", tree.size(), equalTo(0L));
            assertThat(
                    "cycle " + cycle + ": an empty tree has no page in use",
                    Internals.pageUsage(tree).pagesInUse(),
                    equalTo(0L));
            assertThat("cycle " + cycle + ": an empty tree has no root", Internals.rootId(tree), equalTo(0L));
            tree.checkpoint();
            if (cycle == 2) {
                tree.close();
                tree = BPlusTree.open(storage, Trees.SMALL_LRU);
            }
            sizes[cycle] = storage.size(BPlusTree.FILE_NAME);
        }
        tree.close();
        System.out.println(
                "EdgeCaseHiddenTest: page file size after each fill-and-empty cycle: " + Arrays.toString(sizes));
        // Copy-on-write needs some slack (a page changed after a checkpoint has two copies until the next one,
        // and how many depends on evictions), but a file that never reuses freed pages grows by the whole
        // tree every cycle: eight times the first cycle's size by the last.
        assertThat(
                "later fill-and-empty cycles reuse the pages the earlier ones freed: the file stays within "
                        + "a quarter over its size after cycle 1 (sizes: " + Arrays.toString(sizes) + ")",
                (double) sizes[sizes.length - 1],
                lessThanOrEqualTo(1.25 * sizes[1]));
    }

    @Test
    @Graded(
            task = "T2",
            points = 2,
            concept = "a page file reopened with another page size is read with the wrong page size "
                    + "(or reformatted) instead of being refused")
    void reopeningWithAnotherPageSizeIsRefused() throws IOException {
        for (int[] sizes : new int[][] {{512, 1024}, {4096, 512}, {1024, 4096}}) {
            FaultInjectingStorage storage = new FaultInjectingStorage();
            TreeMap<Bytes, Bytes> model = new TreeMap<>();
            try (BPlusTree tree = BPlusTree.open(storage, Trees.SMALL_LRU.withPageSize(sizes[0]))) {
                for (int i = 0; i < 200; i++) {
                    tree.put(Trees.key(i), Trees.value(i, 20));
                    model.put(Trees.key(i), Trees.value(i, 20));
                }
            }
            byte[] before = storage.contents(BPlusTree.FILE_NAME);
            String where = "a file of " + sizes[0] + "-byte pages opened with " + sizes[1] + "-byte pages";
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> BPlusTree.open(storage, Trees.SMALL_LRU.withPageSize(sizes[1]))
                            .close(),
                    where + " must be refused as a wrong argument (the file is fine)");
            assertThat(
                    where + ": the message names the size the file was created with",
                    e.getMessage(),
                    containsString("created with " + sizes[0] + "-byte pages"));
            assertThat(
                    where + ": the cause is the corruption the open ran into",
                    e.getCause(),
                    instanceOf(CorruptionException.class));
            assertThat(
                    where + ": the refused open does not touch the file",
                    Arrays.equals(storage.contents(BPlusTree.FILE_NAME), before),
                    is(true));
            try (BPlusTree tree = BPlusTree.open(storage, Trees.SMALL_LRU.withPageSize(sizes[0]))) {
                assertThat(
                        where + ", then with the right size: everything is there",
                        Trees.contents(tree),
                        equalTo(model));
            }
        }
    }

    @Test
    @Graded(task = "T7", points = 1, concept = "a closed tree still answers or takes writes, or a second close fails")
    void aClosedTreeRefusesEveryOperation() throws IOException {
        BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(), Trees.SMALL_LRU);
        tree.put(Trees.key(1), Bytes.of("x"));
        tree.close();
        tree.close();
        assertThrows(IllegalStateException.class, () -> tree.get(Trees.key(1)), "get after close");
        assertThrows(IllegalStateException.class, () -> tree.put(Trees.key(2), Bytes.of("y")), "put after close");
        assertThrows(IllegalStateException.class, () -> tree.delete(Trees.key(1)), "delete after close");
        assertThrows(IllegalStateException.class, tree::checkpoint, "checkpoint after close");
        assertThrows(IllegalStateException.class, () -> tree.scan(null, null), "scan after close");
    }
}
