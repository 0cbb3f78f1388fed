package dev.storagelab.btree;

import static dev.storagelab.btree.Trees.b;
import static dev.storagelab.btree.Trees.height;
import static dev.storagelab.btree.Trees.key;
import static dev.storagelab.btree.Trees.value;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.DiskStorage;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
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

/**
 * Tests for lab-04 T10: {@link BPlusTree#bulkLoad}, through {@code BulkLoader.loadLeaves}. Sorted
 * entries fill leaves left to right up to {@code fillFactor} of a page, linked both ways; then
 * levels of internal pages are built over them until one page is left, the root. The input must be
 * strictly increasing, hold no tombstone and no entry too large for a page; a refused input names
 * the entry and leaves the tree empty. Only an empty tree can be bulk loaded.
 *
 * <p>Trees of 512-byte pages; {@link Invariants#check} after every load (a bulk-loaded tree must
 * meet every rule an inserted one does, the last leaf's occupancy included).
 */
class BulkLoadTest {

    @TempDir
    Path dir;

    private static List<Entry> entries(int n) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            entries.add(Entry.put(key(2 * i), value(i)));
        }
        return entries;
    }

    private static TreeMap<Bytes, Bytes> model(List<Entry> entries) {
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        entries.forEach(e -> model.put(e.key(), e.value()));
        return model;
    }

    @Test
    void aBulkLoadedTreeHoldsWhatInsertsWouldHold() throws IOException {
        List<Entry> entries = entries(2000);
        try (BPlusTree loaded = Trees.openSmall(new FaultInjectingStorage(1));
                BPlusTree inserted = Trees.openSmall(new FaultInjectingStorage(2))) {
            loaded.bulkLoad(entries.iterator(), 1.0);
            List<Entry> shuffled = new ArrayList<>(entries);
            Collections.shuffle(shuffled, new Random(3));
            for (Entry e : shuffled) {
                inserted.put(e.key(), e.value());
            }
            Invariants.check(loaded);
            Trees.assertHolds(loaded, model(entries), "a bulk load of 2000 entries");
            for (int i = 0; i < 4000; i += 37) {
                assertThat(
                        "get(" + key(i) + ") is the same on the bulk-loaded and the inserted tree",
                        loaded.get(key(i)),
                        is(inserted.get(key(i))));
            }
            assertThat("odd keys were never loaded", loaded.get(key(1)), is(Optional.empty()));
            TreeDump.Stats bulk = TreeDump.stats(loaded);
            TreeDump.Stats random = TreeDump.stats(inserted);
            assertThat(
                    "full leaves need fewer pages than random inserts, which leave leaves about 69% full",
                    bulk.leaves(), lessThan(random.leaves()));
            assertThat("and never a taller tree", bulk.height(), lessThanOrEqualTo(random.height()));
        }
    }

    @Test
    void theFillFactorSetsHowFullTheLeavesAre() throws IOException {
        List<Entry> entries = entries(3000);
        try (BPlusTree full = Trees.openSmall(new FaultInjectingStorage(4));
                BPlusTree spacious = Trees.openSmall(new FaultInjectingStorage(5))) {
            full.bulkLoad(entries.iterator(), 1.0);
            spacious.bulkLoad(entries.iterator(), 0.7);
            Invariants.check(full);
            Invariants.check(spacious);
            TreeDump.Stats fullStats = TreeDump.stats(full);
            TreeDump.Stats spaciousStats = TreeDump.stats(spacious);
            assertThat(
                    "fill factor 1.0: each leaf takes entries until the next one would not fit, so the leaves are on"
                            + " average at least 95% full (" + fullStats + ")",
                    fullStats.leafFill(),
                    greaterThanOrEqualTo(0.95));
            assertThat(
                    "fill factor 0.7: leaves about 70% full, never more (" + spaciousStats + ")",
                    spaciousStats.leafFill(),
                    allOf(greaterThanOrEqualTo(0.62), lessThanOrEqualTo(0.7)));
            assertThat(
                    "room was left in the leaves for later inserts",
                    spaciousStats.leaves(),
                    greaterThanOrEqualTo(fullStats.leaves() * 13 / 10));
            Trees.assertHolds(spacious, model(entries), "a bulk load at fill factor 0.7");
        }
    }

    @Test
    void everyInputSizeMakesAValidTree() throws IOException {
        // Sizes around one leaf, two leaves, one full internal level... so the last page of a level is in every
        // state: full, nearly empty, alone.
        for (double fill : new double[] {0.5, 0.8, 1.0}) {
            for (int n = 1; n <= 400; n += n < 60 ? 1 : 17) {
                List<Entry> entries = entries(n);
                try (BPlusTree tree = Trees.openSmall(new FaultInjectingStorage(n))) {
                    tree.bulkLoad(entries.iterator(), fill);
                    try {
                        Invariants.check(tree);
                    } catch (AssertionError e) {
                        throw new AssertionError(
                                "bulk load of " + n + " entries at fill factor " + fill + ": " + e.getMessage(), e);
                    }
                    assertThat(
                            "bulk load of " + n + " entries at fill " + fill + ": size()", tree.size(), is((long) n));
                    assertThat("bulk load of " + n + ": the first key", tree.get(key(0)), is(Optional.of(value(0))));
                    assertThat(
                            "bulk load of " + n + ": the last key",
                            tree.get(key(2 * (n - 1))),
                            is(Optional.of(value(n - 1))));
                }
            }
        }
    }

    @Test
    void anEmptyInputLeavesAnEmptyTree() throws IOException {
        try (BPlusTree tree = Trees.openSmall(new FaultInjectingStorage(6))) {
            tree.bulkLoad(Collections.emptyIterator(), 1.0);
            assertThat("nothing loaded: size 0", tree.size(), is(0L));
            assertThat("no root", height(tree), is(0));
            Invariants.check(tree);
            tree.put(b("a"), b("1"));
            assertThat("the tree works as usual", tree.get(b("a")), is(Optional.of(b("1"))));
        }
    }

    @Test
    void aBulkLoadedTreeTakesPutsAndDeletesAndSurvivesReopening() throws IOException {
        TreeMap<Bytes, Bytes> model = model(entries(1000));
        try (DiskStorage storage = DiskStorage.open(dir);
                BPlusTree tree = Trees.openSmall(storage)) {
            tree.bulkLoad(entries(1000).iterator(), 1.0);
            Random random = new Random(7);
            for (int op = 0; op < 400; op++) {
                int k = random.nextInt(2000);
                if (random.nextBoolean()) {
                    tree.put(key(k), b("new-" + op)); // into full leaves: they split at once
                    model.put(key(k), b("new-" + op));
                } else {
                    tree.delete(key(k));
                    model.remove(key(k));
                }
                Invariants.check(tree);
            }
        }
        try (DiskStorage storage = DiskStorage.open(dir);
                BPlusTree tree = Trees.openSmall(storage)) {
            Invariants.check(tree);
            Trees.assertHolds(tree, model, "a bulk-loaded tree after puts, deletes, close and reopen");
        }
    }

    @Test
    void onlyAnEmptyTreeCanBeBulkLoaded() throws IOException {
        try (BPlusTree tree = Trees.openSmall(new FaultInjectingStorage(8))) {
            tree.bulkLoad(entries(10).iterator(), 1.0);
            IllegalStateException e = assertThrows(
                    IllegalStateException.class,
                    () -> tree.bulkLoad(List.of(Entry.put(b("zz"), b("1"))).iterator(), 1.0),
                    "a bulk load builds a tree from scratch: it cannot merge into keys already there");
            assertThat(
                    "the message says the tree is not empty",
                    e.getMessage(),
                    allOf(containsString("empty"), containsString("10")));
            assertThat("the refused load added nothing", tree.size(), is(10L));
            assertThat("the refused entry is not in the tree", tree.get(b("zz")), is(Optional.empty()));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> tree.bulkLoad(Collections.emptyIterator(), 1.5),
                    "a fill factor above 1.0 is refused");
            assertThrows(
                    IllegalArgumentException.class,
                    () -> tree.bulkLoad(Collections.emptyIterator(), 0.3),
                    "a fill factor below 0.5 would break the occupancy rule, so it is refused");
            Invariants.check(tree);
        }
    }

    @Test
    void unsortedDuplicateTombstoneOrOversizedInputIsRefusedNamingTheKey() throws IOException {
        Bytes tooBig = Bytes.wrap(new byte[PageFormat.maxCellSize(PageFormat.MIN_PAGE_SIZE)]);
        List<List<Entry>> inputs = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        List<Entry> late = entries(1500); // the bad entry comes after many leaves, some already evicted
        late.add(Entry.put(key(100), b("again")));
        inputs.add(late);
        expected.add(key(100).toString());
        inputs.add(List.of(Entry.put(b("a"), b("1")), Entry.put(b("c"), b("3")), Entry.put(b("b"), b("2"))));
        expected.add("\"b\"");
        inputs.add(List.of(Entry.put(b("a"), b("1")), Entry.put(b("b"), b("2")), Entry.put(b("b"), b("3"))));
        expected.add("\"b\"");
        inputs.add(List.of(Entry.put(b("a"), b("1")), Entry.tombstone(b("gone"))));
        expected.add("\"gone\"");
        inputs.add(List.of(Entry.put(b("a"), b("1")), Entry.put(b("huge"), tooBig)));
        expected.add("cell"); // a 125-byte cell where a page holds cells up to 114 bytes
        for (int i = 0; i < inputs.size(); i++) {
            try (BPlusTree tree = Trees.openSmall(new FaultInjectingStorage(9 + i))) {
                List<Entry> input = inputs.get(i);
                IllegalArgumentException e = assertThrows(
                        IllegalArgumentException.class,
                        () -> tree.bulkLoad(input.iterator(), 1.0),
                        "input " + i + " (" + input.subList(Math.max(0, input.size() - 3), input.size())
                                + " at its end)"
                                + " is not strictly increasing live entries that fit a page: it must be refused");
                assertThat(
                        "the message names the key at fault (or, for an entry too large, the cell size)",
                        e.getMessage(),
                        containsString(expected.get(i)));
                assertThat("a refused load leaves the tree empty", tree.size(), is(0L));
                assertThat(
                        "and frees every page it made: nothing leaks",
                        tree.pageUsage().pagesInUse(),
                        is(0L));
                Invariants.check(tree);
                tree.bulkLoad(entries(50).iterator(), 1.0);
                assertThat("the tree can be bulk loaded again", tree.size(), is(50L));
                Invariants.check(tree);
            }
        }
    }
}
