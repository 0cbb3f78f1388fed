package dev.storagelab.btree;

import static dev.storagelab.btree.Trees.key;
import static dev.storagelab.btree.Trees.value;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.testkit.TestThreads;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-04 T11: page latches and the concurrent descents, {@code findLeafShared} (readers,
 * latch coupling), {@code findLeafExclusive} (the optimistic writer), {@code pathToExclusive} and
 * {@code isSafe} (latch crabbing for splits and merges). The trees have 512-byte pages, so a few
 * hundred keys make three levels.
 */
class ConcurrentBTreeTest {

    private static BPlusTree filled(int keys) throws IOException {
        BPlusTree tree =
                BPlusTree.open(new FaultInjectingStorage(), Trees.small().withPoolFrames(64));
        for (int i = 0; i < keys; i++) {
            tree.put(key(i), value(i));
        }
        return tree;
    }

    @Test
    void findLeafSharedReturnsTheLeafOfTheKeyLatchedSharedAndHoldsNothingElse() throws IOException {
        try (BPlusTree tree = filled(400)) {
            assertThat("an empty part of the key space still has a leaf", Trees.height(tree), greaterThanOrEqualTo(3));
            try (PageGuard leaf = tree.latches.findLeafShared(key(123))) {
                assertThat("the leaf holds the key", leaf.page().search(key(123)), greaterThanOrEqualTo(0));
                assertThat("the leaf is latched shared", leaf.frame().isLatchedShared(), is(true));
                assertThat(
                        "every internal page was let go on the way down: only the leaf is pinned",
                        tree.pool().pinnedFrames(),
                        is(1));
            }
            assertThat(tree.pool().pinnedFrames(), is(0));
        }
        try (BPlusTree empty = BPlusTree.open(new FaultInjectingStorage(), Trees.small())) {
            assertThat("an empty tree has no leaf", empty.latches.findLeafShared(key(1)), nullValue());
        }
    }

    @Test
    void findLeafExclusiveReturnsTheLeafLatchedExclusiveWithTheInternalPagesLetGo() throws IOException {
        try (BPlusTree tree = filled(400)) {
            try (PageGuard leaf = tree.latches.findLeafExclusive(key(321))) {
                assertThat("the leaf holds the key", leaf.page().search(key(321)), greaterThanOrEqualTo(0));
                assertThat("the leaf is latched exclusive", leaf.frame().isLatchedExclusive(), is(true));
                assertThat("only the leaf is pinned", tree.pool().pinnedFrames(), is(1));
            }
        }
        try (BPlusTree rootLeaf = filled(3)) {
            try (PageGuard leaf = rootLeaf.latches.findLeafExclusive(key(1))) {
                assertThat("a root leaf is latched exclusive too", leaf.frame().isLatchedExclusive(), is(true));
            }
        }
    }

    @Test
    void aReaderWaitsForAWriterThatHoldsItsLeafAndNotForOneElsewhere() throws Exception {
        try (BPlusTree tree = filled(400)) {
            PageGuard writer = tree.latches.findLeafExclusive(key(10));
            Collection<Throwable> failures = new ConcurrentLinkedQueue<>();
            AtomicReference<Optional<Bytes>> sameLeaf = new AtomicReference<>();
            Thread reader;
            try {
                assertThat(
                        "a get in another leaf does not wait for the writer",
                        tree.get(key(390)),
                        equalTo(Optional.of(value(390))));
                reader = TestThreads.start("reader", () -> sameLeaf.set(tree.get(key(10))), failures);
                reader.join(TimeUnit.MILLISECONDS.toMillis(300));
                assertThat(
                        "a get of a key whose leaf a writer holds exclusive waits for it (it latches the leaf shared)",
                        sameLeaf.get(),
                        nullValue());
            } finally {
                writer.close();
            }
            TestThreads.joinAll(List.of(reader));
            TestThreads.rethrow(failures, "a get after the writer let go");
            assertThat(sameLeaf.get(), equalTo(Optional.of(value(10))));
        }
    }

    @Test
    void anOverwriteOfTheSameSizeInALeafJustUnderHalfFullIsMadeInPlace() throws IOException {
        try (BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(), BTreeOptions.defaults())) {
            // 33 cells of 16-byte keys and 100-byte values (125 bytes with the slot) split a 4 KiB
            // leaf into 16 and 17 cells: the left leaf holds 2,000 bytes, just under half of 4,048.
            for (int i = 0; i < 33; i++) {
                tree.put(Bytes.of(String.format("key-%012d", i)), Bytes.wrap(new byte[100]));
            }
            assertThat("two leaves under a root", Trees.height(tree), is(2));
            long before = tree.modCount();
            byte[] again = new byte[100];
            again[0] = 1;
            tree.put(Bytes.of(String.format("key-%012d", 0)), Bytes.wrap(again));
            assertThat(
                    "an overwrite that does not shrink the leaf is no structure change, though the leaf is under half full",
                    tree.modCount(),
                    is(before));
            assertThat(tree.get(Bytes.of(String.format("key-%012d", 0))), is(Optional.of(Bytes.wrap(again))));
        }
    }

    @Test
    void anOverwriteWithAValueOfTheSameLengthIsWrittenWhereTheOldValueLay() throws IOException {
        try (BPlusTree tree = BPlusTree.open(new FaultInjectingStorage(), BTreeOptions.defaults())) {
            assertThat("the optimistic put runs only with T11", tree.latchCrabbing(), is(true));
            for (int i = 0; i < 20; i++) {
                tree.put(Bytes.of(String.format("key-%012d", i)), Bytes.wrap(new byte[100]));
            }
            SlottedPage before = tree.copyOf(tree.rootId());
            byte[] again = new byte[100];
            again[99] = 7;
            tree.put(Bytes.of(String.format("key-%012d", 5)), Bytes.wrap(again));
            SlottedPage after = tree.copyOf(tree.rootId());
            assertThat(
                    "the cell stays where it was: no delete and insert, no compaction",
                    after.cellOffset(5),
                    is(before.cellOffset(5)));
            assertThat("no fragment left behind", after.fragmented(), is(0));
            assertThat("the cell area did not grow", after.cellStart(), is(before.cellStart()));
            assertThat(after.value(5), is(Bytes.wrap(again)));
            assertThat(tree.get(Bytes.of(String.format("key-%012d", 5))), is(Optional.of(Bytes.wrap(again))));
        }
    }

    @Test
    void isSafeAsksForRoomForTheLongestSeparatorAndAtLeastHalfFullWithoutOne() throws IOException {
        try (BPlusTree tree = filled(0)) {
            tree.put(Bytes.of("k".repeat(20)), value(0)); // the longest key so far: 20 bytes
            int separator = PageFormat.SLOT_SIZE + PageFormat.internalCellSize(20);
            SlottedPage leaf = new SlottedPage(new byte[PageFormat.MIN_PAGE_SIZE]).init(PageFormat.TYPE_LEAF, 7);
            assertThat(
                    "a leaf is never safe: the structure change is for the leaf itself",
                    tree.latches.isSafe(leaf, false),
                    is(false));
            SlottedPage internal =
                    new SlottedPage(new byte[PageFormat.MIN_PAGE_SIZE]).init(PageFormat.TYPE_INTERNAL, 8);
            internal.setLeftmostChild(100);
            int i = 0;
            while (internal.usedBytes() - separator < tree.capacity() / 2) {
                assertThat(
                        "an internal page that one removed separator leaves under half full is not safe: " + internal,
                        tree.latches.isSafe(internal, false),
                        is(false));
                internal.insertInternal(i, Bytes.of(String.format("s%09d", i)), 101 + i);
                i++;
            }
            assertThat(
                    "at least half full without one separator, and room for one more: safe " + internal,
                    tree.latches.isSafe(internal, false),
                    is(true));
            while (internal.freeBytes() >= separator) {
                internal.insertInternal(i, Bytes.of(String.format("s%09d", i)), 101 + i);
                i++;
            }
            assertThat(
                    "no room for one more separator: not safe " + internal,
                    tree.latches.isSafe(internal, false),
                    is(false));
            SlottedPage root = new SlottedPage(new byte[PageFormat.MIN_PAGE_SIZE]).init(PageFormat.TYPE_INTERNAL, 9);
            root.setLeftmostChild(100);
            root.insertInternal(0, Bytes.of("m"), 101);
            assertThat(
                    "a root with one key could be left with none: not safe",
                    tree.latches.isSafe(root, true),
                    is(false));
            root.insertInternal(1, Bytes.of("t"), 102);
            assertThat(
                    "a root with two keys and room is safe, however empty", tree.latches.isSafe(root, true), is(true));
        }
    }

    @Test
    void aStructureChangeLetsGoOfEverythingAboveTheLowestSafePage() throws IOException {
        try (BPlusTree tree = filled(400)) {
            int height = Trees.height(tree);
            LatchCrabbing.HeldPath path = tree.latches.structurePath(key(200));
            assertThat("one entry per level", path.held().size(), is(height));
            assertThat("the leaf is held exclusive", path.held().get(height - 1), is(true));
            assertThat(
                    "the leaf's parent is held: the leaf may split or merge into it",
                    path.held().get(height - 2),
                    is(true));
            int lowestSafe = -1;
            SlottedPage page = Trees.copyOf(tree, tree.rootId());
            for (int level = 0; level < height - 1; level++) {
                if (tree.latches.isSafe(page, level == 0)) {
                    lowestSafe = level;
                }
                page = Trees.copyOf(tree, page.childAt(BPlusTree.childSlot(page, key(200))));
            }
            for (int level = 0; level < height; level++) {
                assertThat(
                        "level " + level + " of " + height + " (lowest safe page at level " + lowestSafe
                                + "): held only at or below the lowest safe page",
                        path.held().get(level),
                        is(level >= lowestSafe));
            }
            assertThat(
                    "the root latch is let go with the pages above a safe page",
                    path.rootLatchHeld(),
                    is(lowestSafe < 0));
            assertThat("everything is let go afterwards", tree.pool().pinnedFrames(), is(0));
        }
    }

    @Test
    void writersAndReadersInParallelKeepEveryKey() throws Exception {
        try (BPlusTree tree = filled(0)) {
            assertThat(
                    "with T11 written the tree runs readers beside writers, not on the tree-wide lock",
                    tree.latchCrabbing(),
                    is(true));
            Collection<Throwable> failures = new ConcurrentLinkedQueue<>();
            List<TreeMap<Bytes, Bytes>> models = List.of(new TreeMap<>(), new TreeMap<>());
            TestThreads.runAll(
                    3,
                    t -> {
                        Random random = new Random(t);
                        for (int step = 0; step < 3000; step++) {
                            int i = random.nextInt(1000);
                            if (t == 2) { // a reader: keys the writers own are theirs to change, so only check
                                // values' shape
                                Optional<Bytes> got = tree.get(key(i));
                                if (got.isPresent() && !got.get().startsWith(Bytes.of("w" + (i % 2) + "-" + i + "-"))) {
                                    throw new AssertionError(
                                            "get(" + key(i) + ") returned " + got.get() + ", never written to it");
                                }
                            } else if (i % 2 == t) { // writer t owns the keys i % 2 == t
                                if (random.nextInt(4) == 0) {
                                    tree.delete(key(i));
                                    models.get(t).remove(key(i));
                                } else {
                                    Bytes v = Bytes.of("w" + t + "-" + i + "-" + step + "x".repeat(random.nextInt(40)));
                                    tree.put(key(i), v);
                                    models.get(t).put(key(i), v);
                                }
                            }
                        }
                    },
                    failures);
            TestThreads.rethrow(failures, "while two writers and a reader ran");
            TreeMap<Bytes, Bytes> expected = new TreeMap<>(models.get(0));
            expected.putAll(models.get(1));
            Invariants.check(tree);
            TreeMap<Bytes, Bytes> contents = new TreeMap<>();
            Trees.drain(tree.scan(null, null), expected.size()).forEach(e -> contents.put(e.key(), e.value()));
            assertThat("every writer's last write is in the tree", contents, equalTo(expected));
            Trees.assertHolds(tree, expected, "after two writers and a reader ran");
            assertThat("no page is left pinned", tree.pool().pinnedFrames(), is(0));
        }
    }
}
