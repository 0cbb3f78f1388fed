package dev.storagelab.btree;

import static dev.storagelab.btree.PageFormat.NO_PAGE;

import dev.storagelab.kv.Bytes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The B+tree's structural invariants, checked by walking every page. Call {@link #check} from
 * your own tests after every operation: a failure names the broken rule and the page, and shows
 * the tree (for small trees).
 *
 * <ol>
 *   <li>order: the keys of every page are strictly increasing;</li>
 *   <li>fences: every key of a page lies inside the range its parent's separators give it:
 *       {@code [separator before it, separator after it)};</li>
 *   <li>balance: every leaf is at the same depth;</li>
 *   <li>occupancy: every internal page has at least two children; every non-root page has at
 *       least one key and is at least a quarter full (used bytes over capacity);</li>
 *   <li>sibling links: the leaves, in key order, are linked next and prev both ways, with no
 *       link off either end;</li>
 *   <li>counts: the keys in the leaves are {@link BPlusTree#size()};</li>
 *   <li>no leaked pages: the pages reachable from the root are exactly the pages in use in the
 *       page table;</li>
 *   <li>no pins left: no frame of the buffer pool is pinned between operations.</li>
 * </ol>
 */
public final class Invariants {

    private Invariants() {}

    /** Checks every invariant of {@code tree}; throws an AssertionError naming the first broken one. */
    public static void check(BPlusTree tree) throws IOException {
        List<SlottedPage> leaves = new ArrayList<>();
        int[] leafDepth = {-1};
        long[] pages = {0};
        tree.lock().writeLock().lock();
        try {
            if (tree.rootId() != NO_PAGE) {
                walk(tree, tree.rootId(), 0, null, null, leaves, leafDepth, pages);
            }
            for (int i = 0; i < leaves.size(); i++) {
                long prev = i == 0 ? NO_PAGE : leaves.get(i - 1).pageId();
                long next = i == leaves.size() - 1 ? NO_PAGE : leaves.get(i + 1).pageId();
                SlottedPage leaf = leaves.get(i);
                require(
                        leaf.prev() == prev && leaf.next() == next,
                        tree,
                        () -> "sibling links: leaf " + leaf.pageId()
                                + " has prev " + leaf.prev() + " and next " + leaf.next() + "; in key order they are "
                                + prev
                                + " and " + next);
            }
            long keys = leaves.stream().mapToLong(SlottedPage::cellCount).sum();
            require(
                    keys == tree.size(),
                    tree,
                    () -> "counts: the leaves hold " + keys + " keys but size() is " + tree.size());
            long inUse = tree.pageUsage().pagesInUse();
            require(
                    pages[0] == inUse,
                    tree,
                    () -> "leaked pages: " + pages[0] + " pages are reachable from the root but " + inUse
                            + " are in use in the page table");
            require(
                    tree.pool().pinnedFrames() == 0,
                    tree,
                    () -> "pins left: " + tree.pool().pinnedFrames()
                            + " frames are still pinned between operations (a fetch without an unpin)");
        } finally {
            tree.lock().writeLock().unlock();
        }
    }

    private static void walk(
            BPlusTree tree,
            long id,
            int depth,
            Bytes low,
            Bytes high,
            List<SlottedPage> leaves,
            int[] leafDepth,
            long[] pages)
            throws IOException {
        SlottedPage page = tree.copyOf(id);
        pages[0]++;
        boolean isRoot = depth == 0;
        int n = page.cellCount();
        Bytes previous = null;
        for (int i = 0; i < n; i++) {
            int index = i;
            Bytes key = page.key(i);
            Bytes before = previous;
            if (before != null) {
                require(
                        before.compareTo(key) < 0,
                        tree,
                        () -> "order: keys " + (index - 1) + " and " + index + " of " + page + " are " + before
                                + " and " + key);
            }
            require(
                    (low == null || key.compareTo(low) >= 0) && (high == null || key.compareTo(high) < 0),
                    tree,
                    () -> "fences: key " + key + " of " + page + " is outside its range [" + low + ", " + high + ")");
            previous = key;
        }
        if (!isRoot) {
            require(n >= 1, tree, () -> "occupancy: non-root " + page + " has no key");
            require(
                    page.usedBytes() * 4 >= tree.capacity(),
                    tree,
                    () -> "occupancy: non-root " + page + " is less than a quarter full (" + page.usedBytes() + " of "
                            + tree.capacity() + " bytes)");
        }
        if (page.isLeaf()) {
            if (leafDepth[0] < 0) {
                leafDepth[0] = depth;
            }
            int firstLeafDepth = leafDepth[0];
            require(
                    depth == firstLeafDepth,
                    tree,
                    () -> "balance: " + page + " is at depth " + depth + " but the first leaf is at " + firstLeafDepth);
            leaves.add(page);
            return;
        }
        require(page.isInternal(), tree, () -> "page " + id + " is neither a leaf nor an internal page");
        require(n >= 1, tree, () -> "occupancy: " + page + " has a single child");
        for (int i = -1; i < n; i++) {
            Bytes childLow = i < 0 ? low : page.key(i);
            Bytes childHigh = i + 1 < n ? page.key(i + 1) : high;
            walk(tree, page.childAt(i), depth + 1, childLow, childHigh, leaves, leafDepth, pages);
        }
    }

    /** The message is built only when the check fails: a walk checks every key of every page. */
    private static void require(boolean ok, BPlusTree tree, Supplier<String> message) throws IOException {
        if (!ok) {
            String shape = "";
            if (tree.size() <= 200) {
                shape = "\n" + TreeDump.text(tree); // the read lock is reentrant
            }
            throw new AssertionError("B+tree invariant broken: " + message.get() + shape);
        }
    }
}
