package dev.storagelab.btree;

import static dev.storagelab.btree.PageFormat.NO_PAGE;

import dev.storagelab.events.EventListener;
import dev.storagelab.kv.Bytes;
import java.io.IOException;

/**
 * lab-04 T8: delete with merge and redistribution. A delete removes its key's cell from the leaf
 * ({@link #remove}); a non-root page a delete leaves under half full is repaired with a sibling
 * ({@link #rebalance}): <em>merged</em> into one page if the two fit, which takes a separator out
 * of the parent (and may leave the parent under half full in turn, or shrink the tree by one
 * level at the root), else <em>redistributed</em> into two pages about equally full, which
 * replaces the parent's separator.
 *
 * <p>The helpers that cut and join pages ({@link #fitTogether}, {@link #mergeInto},
 * {@link #evenOut}) are given, and {@link BulkLoader} uses them too to mend the last page of a level.
 */
final class TreeDelete {

    private final BPlusTree tree;

    TreeDelete(BPlusTree tree) {
        this.tree = tree;
    }

    /**
     * Removes {@code key} if present, on the write's path ({@link BPlusTree#pathTo}), counted in the
     * tree's entry count. A root leaf left empty is freed ({@link PageGuard#discard}: the tree
     * becomes empty, its root {@link PageFormat#NO_PAGE}); any other page left under half full is
     * rebalanced ({@link #rebalance}). Every page changed is marked dirty.
     */
    void remove(Bytes key) throws IOException {
        // BEGIN SOLUTION lab-04 T8
        if (tree.root == NO_PAGE) {
            return;
        }
        try (WritePath path = tree.pathTo(key)) {
            int level = path.leafLevel();
            SlottedPage leaf = path.page(level);
            int i = leaf.search(key);
            if (i < 0) {
                return;
            }
            leaf.remove(i);
            path.markDirty(level);
            tree.entryCount.decrementAndGet();
            if (level == 0) {
                if (leaf.cellCount() == 0) {
                    path.guard(0).discard();
                    tree.root = NO_PAGE;
                }
            } else if (leaf.usedBytes() < tree.underflowBytes) {
                rebalance(path, level);
            }
        }
        // END SOLUTION
    }

    /**
     * Repairs the under-full page at {@code level} of {@code path} (level >= 1) with a sibling under
     * the same parent: the left one, or the right one if the page is its parent's leftmost child,
     * held for the write with {@link BPlusTree#fetchForWrite} (and marked dirty).
     * <ul>
     *   <li>If the two fit in one page (for internal pages, with the parent's separator pulled down
     *       between them), the right one is merged into the left and freed ({@link PageGuard#discard}),
     *       and its separator leaves the parent. Leaf sibling links skip the freed leaf, both ways
     *       ({@link BPlusTree#setPrev}). A parent left under half full is rebalanced in turn; a root
     *       left with no key is freed and its only child becomes the root: the tree shrinks by one
     *       level.</li>
     *   <li>Otherwise their cells are redistributed into two halves of about equal bytes, and the
     *       parent's separator is replaced by the new right half's first key (leaves) or by the key
     *       that moves up (internal pages); see {@link #replaceSeparator}. A shorter separator
     *       shrinks the parent: a non-root parent it leaves under half full is rebalanced in
     *       turn (unless the replacement split it).</li>
     * </ul>
     */
    void rebalance(WritePath path, int level) throws IOException {
        // BEGIN SOLUTION lab-04 T8
        SlottedPage parent = path.page(level - 1);
        int slot = path.slot(level - 1);
        boolean nodeIsLeft = slot < 0;
        int separator = nodeIsLeft ? 0 : slot;
        try (PageGuard sibling = tree.fetchForWrite(nodeIsLeft ? parent.child(0) : parent.childAt(slot - 1))) {
            sibling.markDirty();
            PageGuard leftGuard = nodeIsLeft ? path.guard(level) : sibling;
            PageGuard rightGuard = nodeIsLeft ? sibling : path.guard(level);
            SlottedPage left = leftGuard.page();
            SlottedPage right = rightGuard.page();
            path.markDirty(level);
            path.markDirty(level - 1);
            Bytes separatorKey = parent.key(separator);
            if (fitTogether(left, separatorKey, right)) {
                mergeInto(left, separatorKey, right);
                tree.setPrev(left.isLeaf() ? left.next() : NO_PAGE, left.pageId());
                parent.remove(separator);
                rightGuard.discard();
                if (level - 1 == 0) {
                    if (parent.cellCount() == 0) {
                        tree.root = left.pageId();
                        path.guard(0).discard();
                    }
                } else if (parent.usedBytes() < tree.underflowBytes) {
                    rebalance(path, level - 1);
                }
            } else if (replaceSeparator(path, level - 1, separator, evenOut(left, separatorKey, right))
                    && level - 1 > 0
                    && parent.usedBytes() < tree.underflowBytes) {
                rebalance(path, level - 1); // a shorter separator shrank the parent
            }
        }
        // END SOLUTION
    }

    /**
     * Whether {@code right} can be merged into {@code left}: their used bytes, plus for internal
     * pages the separator pulled down between them, fit in one page.
     */
    boolean fitTogether(SlottedPage left, Bytes separator, SlottedPage right) {
        int pulledDown = left.isLeaf() ? 0 : PageFormat.SLOT_SIZE + PageFormat.internalCellSize(separator.length());
        boolean fit = left.usedBytes() + pulledDown + right.usedBytes() <= tree.capacity;
        if (fit && EventListener.EMIT && tree.events.isEnabled())
            tree.events.onEvent(TreeEvents.merge(left, right)); // the caller merges the two whenever they fit
        return fit;
    }

    /** The cells of {@code left} and {@code right}, with the separator pulled down between them for internal pages. */
    private static CellList cellsOf(SlottedPage left, Bytes separator, SlottedPage right) {
        CellList cells = CellList.of(left);
        if (!left.isLeaf()) {
            cells.addInternal(separator, right.leftmostChild());
        }
        return cells.addAll(right);
    }

    /**
     * Moves every cell of {@code right} into {@code left} (they {@linkplain #fitTogether fit}); a
     * leaf takes over the right leaf's next link. The caller frees {@code right}, fixes the next
     * leaf's prev link and removes the separator from the parent.
     */
    static void mergeInto(SlottedPage left, Bytes separator, SlottedPage right) {
        CellList cells = cellsOf(left, separator, right);
        long leftmost = left.leftmostChild();
        cells.writeTo(left, 0, cells.size());
        if (left.isLeaf()) {
            left.setNext(right.next());
        } else {
            left.setLeftmostChild(leftmost);
        }
    }

    /**
     * Rewrites {@code left} and {@code right} to hold their cells (with the parent's
     * {@code separator} between them for internal pages) cut in two halves of about equal bytes,
     * and returns the separator that now belongs between them in the parent.
     */
    static Bytes evenOut(SlottedPage left, Bytes separator, SlottedPage right) {
        CellList cells = cellsOf(left, separator, right);
        int m = cells.splitPoint();
        if (cells.leaf) {
            cells.writeTo(left, 0, m);
            cells.writeTo(right, m, cells.size());
            return cells.keys.get(m);
        }
        long leftmost = left.leftmostChild();
        cells.writeTo(left, 0, m);
        left.setLeftmostChild(leftmost);
        cells.writeTo(right, m + 1, cells.size());
        right.setLeftmostChild(cells.children.get(m));
        return cells.keys.get(m);
    }

    /**
     * Replaces the key of cell {@code index} in the internal page at {@code level} of {@code path}
     * with {@code key}, keeping its child. A longer key may not fit: then the page splits as an
     * insert would split it ({@link TreeInsert#insertSeparator}).
     *
     * @return true if the page took the new key in place; false if it split, which changed the
     *         path above it
     */
    private boolean replaceSeparator(WritePath path, int level, int index, Bytes key) throws IOException {
        SlottedPage node = path.page(level);
        long child = node.child(index);
        node.remove(index);
        if (node.insertInternal(index, key, child)) {
            return true;
        }
        path.setSlot(level, index - 1); // insertSeparator inserts right after the slot followed
        tree.inserts.insertSeparator(path, level, key, child);
        return false;
    }
}
