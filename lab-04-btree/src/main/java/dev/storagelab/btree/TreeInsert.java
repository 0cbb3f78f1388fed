package dev.storagelab.btree;

import static dev.storagelab.btree.PageFormat.NO_PAGE;

import dev.storagelab.events.EventListener;
import dev.storagelab.kv.Bytes;
import java.io.IOException;

/**
 * lab-04 T7: search and insert with splits. A search descends from the root to the one leaf whose
 * key range holds a key ({@link #findLeaf}); an insert puts its cell into that leaf, and a leaf with
 * no room <em>splits</em> ({@link #splitLeaf}): half its cells move to a new leaf, and the new
 * leaf's first key goes up into the parent as a separator ({@link #insertSeparator}), which may
 * split the parent in turn, up to the root, where a split grows the tree by one level.
 *
 * <p>Every page is held by a {@link PageGuard} (or a {@link WritePath} of them): closing it lets go
 * of the pin, so nothing here pairs an unpin with a fetch by hand. The tree's state (its root, its
 * entry count, its size rules) is the {@link BPlusTree}'s; this class holds none of its own.
 */
final class TreeInsert {

    private final BPlusTree tree;
    private final BufferPool pool;

    TreeInsert(BPlusTree tree, BufferPool pool) {
        this.tree = tree;
        this.pool = pool;
    }

    /**
     * Descends from the root to the leaf whose key range holds {@code key} and returns it pinned
     * ({@link BufferPool#pin}); every internal page on the way is let go as soon as its child is
     * known. In an internal page the child to follow is the one of the last cell whose key is
     * {@code <= key}, or the leftmost child when every key is greater ({@link BPlusTree#childSlot}).
     * The tree must not be empty. The caller closes the returned guard.
     */
    PageGuard findLeaf(Bytes key) throws IOException {
        // BEGIN SOLUTION lab-04 T7
        PageGuard g = pool.pin(tree.root);
        while (!g.page().isLeaf()) {
            SlottedPage page = g.page();
            long child = page.childAt(BPlusTree.childSlot(page, key));
            g.close();
            g = pool.pin(child);
        }
        return g;
        // END SOLUTION
    }

    /**
     * Inserts or replaces {@code key -> value}. An empty tree gets a root leaf (a new page from
     * {@link BufferPool#newPage}; the tree's root becomes its id). Otherwise the write's path
     * ({@link BPlusTree#pathTo}) is held to the leaf for {@code key}; the new cell goes into that
     * leaf (replacing the old cell of the same key, or counted in the tree's entry count if the key
     * is new); a leaf with no room splits ({@link #splitLeaf}). A shorter value that replaces a
     * longer one shrinks the leaf as a delete does: a non-root leaf left under half full is
     * rebalanced ({@link TreeDelete#rebalance}), or the quarter-full rule would break. Every page
     * changed is marked dirty.
     */
    void insert(Bytes key, Bytes value) throws IOException {
        // BEGIN SOLUTION lab-04 T7
        if (tree.root == NO_PAGE) {
            try (PageGuard g = pool.newPage(PageFormat.TYPE_LEAF)) {
                g.page().insertLeaf(0, key, value);
                tree.root = g.pageId();
                tree.entryCount.incrementAndGet();
            }
            return;
        }
        try (WritePath path = tree.pathTo(key)) {
            int level = path.leafLevel();
            SlottedPage leaf = path.page(level);
            path.markDirty(level);
            int i = leaf.search(key);
            boolean replacing = i >= 0;
            if (replacing) {
                leaf.remove(i);
            } else {
                i = -i - 1;
                tree.entryCount.incrementAndGet();
            }
            if (!leaf.insertLeaf(i, key, value)) {
                splitLeaf(path, i, key, value);
            } else if (replacing && level > 0 && leaf.usedBytes() < tree.underflowBytes) {
                tree.deletes.rebalance(path, level); // a shorter value shrank the leaf, as a delete would
            }
        }
        // END SOLUTION
    }

    /**
     * Splits the leaf at the bottom of {@code path}, which has no room for {@code key -> value} at
     * slot {@code index}: its cells and the new one are cut in two halves of about equal bytes
     * ({@link CellList#splitPoint()}), the right half moves to a new leaf linked in after it (both
     * ways: {@link BPlusTree#setPrev} fixes the next leaf's prev link), and the right half's first
     * key goes up to the parent as the separator ({@link #insertSeparator} at the level above).
     * When the leaf is the last one (no next leaf) and the new key is its last, the put appends at
     * the tree's right end, as a key-ordered load does: the cut is then {@link
     * CellList#appendSplitPoint}, which leaves the right leaf a quarter full and the left about three
     * quarters.
     */
    void splitLeaf(WritePath path, int index, Bytes key, Bytes value) throws IOException {
        // BEGIN SOLUTION lab-04 T7
        int level = path.leafLevel();
        SlottedPage left = path.page(level);
        CellList cells = CellList.of(left);
        cells.insertLeaf(index, key, value);
        boolean append = left.next() == NO_PAGE && index == cells.size() - 1;
        int m = append ? cells.appendSplitPoint(tree.capacity) : cells.splitPoint();
        try (PageGuard rightGuard = pool.newPage(PageFormat.TYPE_LEAF)) {
            SlottedPage right = rightGuard.page();
            right.setNext(left.next());
            right.setPrev(left.pageId());
            cells.writeTo(left, 0, m);
            cells.writeTo(right, m, cells.size());
            left.setNext(right.pageId());
            tree.setPrev(right.next(), right.pageId());
            insertSeparator(path, level - 1, cells.keys.get(m), right.pageId());
        }
        // END SOLUTION
    }

    /**
     * Adds separator {@code key} with child {@code child} to the internal page at {@code level} of
     * {@code path}, right after the slot the path followed there. If the page has no room it splits:
     * its cells and the new one are cut in two ({@link CellList#splitPoint()}), the middle cell's key
     * moves up (it is in neither half) and its child becomes the new right page's leftmost child; the
     * moved-up key is added to the level above the same way. At level -1 (above the root) a new root
     * is made with the old root as its leftmost child: the tree grows by one level.
     */
    void insertSeparator(WritePath path, int level, Bytes key, long child) throws IOException {
        if (EventListener.EMIT && tree.events.isEnabled())
            tree.events.onEvent(TreeEvents.split(
                    path.page(level + 1), child, key, level + 1, tree.capacity)); // the page at level + 1 split
        // BEGIN SOLUTION lab-04 T7
        if (level < 0) {
            try (PageGuard newRoot = pool.newPage(PageFormat.TYPE_INTERNAL)) {
                SlottedPage page = newRoot.page();
                page.setLeftmostChild(tree.root);
                page.insertInternal(0, key, child);
                tree.root = newRoot.pageId();
            }
            return;
        }
        SlottedPage node = path.page(level);
        path.markDirty(level);
        int index = path.slot(level) + 1;
        if (node.insertInternal(index, key, child)) {
            return;
        }
        CellList cells = CellList.of(node);
        cells.insertInternal(index, key, child);
        int m = cells.splitPoint();
        long leftmost = node.leftmostChild();
        try (PageGuard rightGuard = pool.newPage(PageFormat.TYPE_INTERNAL)) {
            SlottedPage right = rightGuard.page();
            cells.writeTo(node, 0, m);
            node.setLeftmostChild(leftmost);
            cells.writeTo(right, m + 1, cells.size());
            right.setLeftmostChild(cells.children.get(m));
            insertSeparator(path, level - 1, cells.keys.get(m), right.pageId());
        }
        // END SOLUTION
    }
}
