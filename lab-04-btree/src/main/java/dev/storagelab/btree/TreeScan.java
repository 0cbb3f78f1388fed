package dev.storagelab.btree;

import static dev.storagelab.btree.PageFormat.NO_PAGE;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.NoSuchElementException;

/**
 * A range scan over a {@link BPlusTree}, forward or backward along the leaf sibling links, one
 * leaf at a time. For each leaf it starts a batch ({@link BPlusTree#beginScanBatch()}: the tree's
 * read lock, and with T11 the structure lock shared, so no split or merge runs meanwhile), copies
 * the leaf's entries that are in range into a batch (the leaf pinned, and with T11 latched shared
 * against the writers that change leaves in place), remembers the leaf and the last key it
 * returned, and ends the batch: an open scan holds no lock, latch or pin between batches, so it
 * never blocks a writer for longer than one leaf's copy.
 *
 * <p>What it sees of concurrent writes: if the tree's structure has not changed since the last
 * batch ({@link BPlusTree#modCount()}), the next leaf is the remembered leaf's sibling. If it has
 * changed, the sibling may have split, merged or been freed, so the scan seeks again from the
 * root to the last key it returned, as lab-02's keyset cursors do. Either way it returns every
 * key in strictly increasing (or decreasing) order, never one twice, and never misses a key that
 * was in the tree for the whole scan; a key written or deleted during the scan may or may not be
 * seen.
 */
final class TreeScan implements EntryIterator {

    private final BPlusTree tree;
    private final Bytes from;
    private final Bytes to;
    private final boolean descending;
    private final ArrayDeque<Entry> batch = new ArrayDeque<>();
    /** The last key handed out (or put in the batch); null before the first batch. */
    private Bytes lastKey;
    /** The leaf the last batch came from, its sibling in the scan's direction, and the tree's modCount then. */
    private long leafId = NO_PAGE;

    private long siblingId = NO_PAGE;
    private long stamp;
    private boolean finished;
    private boolean closed;

    TreeScan(BPlusTree tree, Bytes from, Bytes to, boolean descending) {
        this.tree = tree;
        this.from = from;
        this.to = to;
        this.descending = descending;
    }

    @Override
    public boolean hasNext() {
        if (closed) {
            return false;
        }
        while (batch.isEmpty() && !finished) {
            try {
                refill();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return !batch.isEmpty();
    }

    @Override
    public Entry next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return batch.poll();
    }

    @Override
    public void close() {
        closed = true;
        batch.clear();
    }

    /** Whether {@code key} is inside {@code [from, to)}. */
    private boolean inRange(Bytes key) {
        return (from == null || key.compareTo(from) >= 0) && (to == null || key.compareTo(to) < 0);
    }

    /** Whether {@code key} lies beyond the range in the direction of the scan: no later key can be in it. */
    private boolean beyond(Bytes key) {
        return descending ? from != null && key.compareTo(from) < 0 : to != null && key.compareTo(to) >= 0;
    }

    /** Whether {@code key} comes after {@link #lastKey} in the direction of the scan. */
    private boolean afterLast(Bytes key) {
        return lastKey == null || (descending ? key.compareTo(lastKey) < 0 : key.compareTo(lastKey) > 0);
    }

    /**
     * Descends along the last child of every internal page to the rightmost leaf, and returns it
     * pinned (and latched shared with T11, coupling as {@link LatchCrabbing#findLeafShared} does),
     * for a reverse scan with no upper bound; null for an empty tree. The caller closes the guard.
     */
    private PageGuard seekRightmostLeaf() throws IOException {
        PageGuard g;
        if (tree.latchCrabbing()) {
            long stamp = tree.rootLatch.readLock();
            try {
                if (tree.root == NO_PAGE) {
                    return null;
                }
                g = tree.pool().read(tree.root);
            } finally {
                tree.rootLatch.unlockRead(stamp);
            }
        } else {
            if (tree.root == NO_PAGE) {
                return null;
            }
            g = tree.pool().pin(tree.root);
        }
        try {
            for (SlottedPage page = g.page(); !page.isLeaf(); page = g.page()) {
                PageGuard parent = g;
                g = tree.fetchLeaf(page.childAt(page.cellCount() - 1));
                parent.close(); // coupled: the child is held before the parent is let go
            }
            return g;
        } catch (IOException | RuntimeException e) {
            g.close(); // the parent, if the child's fetch failed
            throw e;
        }
    }

    /**
     * Fills {@link #batch} from the next leaf, between {@link BPlusTree#beginScanBatch()} and
     * {@link BPlusTree#endScanBatch()}; every leaf comes as a {@link PageGuard} from
     * {@link BPlusTree#seekLeaf}, {@link #seekRightmostLeaf} or {@link BPlusTree#fetchLeaf}
     * (latched shared with T11), and closing the guard lets go of it. The leaf to start from:
     * <ul>
     *   <li>the sibling ({@code next} forward, {@code prev} backward) of the last batch's leaf, as
     *       read with that batch, if there was a last batch and the tree's modCount still equals
     *       {@link #stamp} (the link cannot have changed, so that leaf is not fetched again);</li>
     *   <li>otherwise the leaf found by seeking from the root: forward, the leaf for
     *       {@code lastKey}, or {@code from}, or the first leaf; backward, the leaf for
     *       {@code lastKey}, or {@code to}, or the rightmost leaf
     *       ({@link #seekRightmostLeaf()}).</li>
     * </ul>
     * From that leaf, take the entries that are in range and after {@link #lastKey}, in scan order.
     * A leaf with none of them (the seek landed just before the next key, or the keys ran out) is
     * not a reason to stop: move on to its sibling, until a leaf gives entries or a key beyond the
     * range or the end of the leaf level is reached, which sets {@link #finished}. Record the leaf,
     * its sibling, the new last key and the modCount. An empty tree (no leaf to seek) finishes at
     * once. Every leaf taken here is released before returning.
     */
    private void refill() throws IOException {
        // BEGIN SOLUTION lab-04 T9
        tree.beginScanBatch();
        try {
            PageGuard leaf;
            if (leafId != NO_PAGE && stamp == tree.modCount()) {
                // The tree has not changed, so the link read with the last batch still holds: no
                // need to fetch that leaf again (a second access would also make every leaf a scan
                // passes look twice-used, and so hot, to an LRU-2 pool).
                if (siblingId == NO_PAGE) {
                    finished = true;
                    return;
                }
                leaf = tree.fetchLeaf(siblingId);
            } else {
                Bytes seek = lastKey != null ? lastKey : descending ? to : from;
                leaf = seek == null
                        ? (descending ? seekRightmostLeaf() : tree.seekLeaf(Bytes.EMPTY))
                        : tree.seekLeaf(seek);
                if (leaf == null) {
                    finished = true;
                    return;
                }
            }
            while (true) {
                long id;
                long sibling;
                try (PageGuard held = leaf) {
                    SlottedPage page = held.page();
                    // Only the cells past the last key returned (or the range's start) can be taken:
                    // a binary search finds where they begin, so the cells before it are not copied.
                    int begin = 0;
                    int end = page.cellCount();
                    Bytes bound = lastKey != null ? lastKey : descending ? to : from;
                    if (bound != null) {
                        int i = BPlusTree.searchPage(page, bound);
                        if (descending) {
                            end = i >= 0 ? i : -i - 1; // below the bound: lastKey and to are both excluded
                        } else {
                            begin = i < 0 ? -i - 1 : lastKey != null ? i + 1 : i; // from is included
                        }
                    }
                    for (int k = 0; k < end - begin && !finished; k++) {
                        int i = descending ? end - 1 - k : begin + k;
                        Bytes key = page.key(i);
                        if (beyond(key)) {
                            finished = true;
                        } else if (inRange(key) && afterLast(key)) {
                            batch.add(new Entry(key, page.value(i)));
                        }
                    }
                    id = page.pageId();
                    sibling = descending ? page.prev() : page.next();
                }
                if (!batch.isEmpty() || finished) {
                    leafId = id;
                    siblingId = sibling;
                    break;
                }
                if (sibling == NO_PAGE) {
                    finished = true;
                    break;
                }
                leaf = tree.fetchLeaf(sibling);
            }
            if (!batch.isEmpty()) {
                lastKey = batch.peekLast().key();
            }
            stamp = tree.modCount();
        } finally {
            tree.endScanBatch();
        }
        // END SOLUTION
    }
}
