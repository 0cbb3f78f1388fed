package dev.storagelab.btree;

import static dev.storagelab.btree.PageFormat.NO_PAGE;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Builds a {@link BPlusTree} bottom-up from sorted input: {@link BPlusTree#bulkLoad}. The leaves
 * are written left to right, each filled to the byte budget; then every level of internal pages
 * is built over the list of (first key, page) of the level below, until a level has one page.
 * Only the first key and id of each page of the level below is kept in memory, not the entries.
 */
final class BulkLoader {

    private final BPlusTree tree;
    private final BufferPool pool;
    /** Bytes of a page to fill, slots and cells: {@code capacity * fillFactor}. */
    private final int budget;

    BulkLoader(BPlusTree tree, int budget) {
        this.tree = tree;
        this.pool = tree.pool();
        this.budget = budget;
    }

    /** A page of a level being built, as its parent will point at it. */
    record Child(Bytes firstKey, long pageId) {}

    /**
     * Loads the tree. If it fails half way, {@link BPlusTree#bulkLoad} frees whatever was built.
     */
    void load(Iterator<Entry> sorted) throws IOException {
        List<Child> level = loadLeaves(sorted);
        while (level.size() > 1) {
            level = loadInternalLevel(level);
        }
        tree.installBulkLoaded(level.isEmpty() ? NO_PAGE : level.get(0).pageId(), entries);
    }

    private long entries;

    /**
     * Writes the leaves: entries go into the current leaf while its used bytes plus the new cell
     * stay within the budget (a leaf always takes at least one entry); then a new leaf is created
     * ({@link BufferPool#newPage}: a guard, the page dirty), linked after the current one both
     * ways, and the guard of the one before the current one is closed. Every entry is
     * checked as {@link BPlusTree#put} checks it, and each key must be greater than the one before.
     * The last leaf is repaired as {@link #repairLast} says. Returns (first key, id) of every leaf, left to right; an empty
     * input makes no leaf. If an entry is refused, let the exception propagate after closing every
     * guard still held: {@link BPlusTree#bulkLoad} then frees every page made so far, so the tree stays
     * empty and no page leaks.
     *
     * @throws IllegalArgumentException if a key is not greater than the key before it: "bulk load
     *                                  input must be strictly increasing: "b" after "c""
     */
    List<Child> loadLeaves(Iterator<Entry> sorted) throws IOException {
        // BEGIN SOLUTION lab-04 T10
        List<Child> leaves = new ArrayList<>();
        PageGuard prev = null;
        PageGuard cur = null;
        Bytes lastKey = null;
        try {
            while (sorted.hasNext()) {
                Entry e = sorted.next();
                tree.checkBulkEntry(e);
                if (lastKey != null && e.key().compareTo(lastKey) <= 0) {
                    throw new IllegalArgumentException(
                            "bulk load input must be strictly increasing: " + e.key() + " after " + lastKey);
                }
                lastKey = e.key();
                int cell = PageFormat.SLOT_SIZE
                        + PageFormat.leafCellSize(e.key().length(), e.value().length());
                if (cur == null || cur.page().cellCount() > 0 && cur.page().usedBytes() + cell > budget) {
                    PageGuard next = pool.newPage(PageFormat.TYPE_LEAF);
                    if (cur != null) {
                        cur.page().setNext(next.pageId());
                        next.page().setPrev(cur.pageId());
                    }
                    if (prev != null) {
                        prev.close();
                    }
                    prev = cur;
                    cur = next;
                    leaves.add(new Child(e.key(), next.pageId()));
                }
                cur.page().insertLeaf(cur.page().cellCount(), e.key(), e.value());
                entries++;
            }
            cur = repairLast(prev, cur, leaves);
        } finally {
            if (prev != null) {
                prev.close();
            }
            if (cur != null) {
                cur.close();
            }
        }
        return leaves;
        // END SOLUTION
    }

    /**
     * Builds one level of internal pages over {@code children} (at least two): a page starts with a
     * child as its leftmost child, then takes (first key, id) cells while they fit the budget, with
     * at least one cell per page (a last page may end up with none: {@link #repairLast} mends it).
     * Returns
     * (first key, id) of every page of the new level, where a page's first key is its leftmost
     * child's.
     */
    private List<Child> loadInternalLevel(List<Child> children) throws IOException {
        List<Child> level = new ArrayList<>();
        PageGuard prev = null;
        PageGuard cur = null;
        try {
            for (Child c : children) {
                int cell = PageFormat.SLOT_SIZE
                        + PageFormat.internalCellSize(c.firstKey().length());
                if (cur == null || cur.page().cellCount() > 0 && cur.page().usedBytes() + cell > budget) {
                    PageGuard next = pool.newPage(PageFormat.TYPE_INTERNAL);
                    next.page().setLeftmostChild(c.pageId());
                    if (prev != null) {
                        prev.close();
                    }
                    prev = cur;
                    cur = next;
                    level.add(new Child(c.firstKey(), next.pageId()));
                } else if (!cur.page().insertInternal(cur.page().cellCount(), c.firstKey(), c.pageId())) {
                    throw new IllegalStateException("bulk load: an internal page overflowed: " + cur.page());
                }
            }
            cur = repairLast(prev, cur, level);
        } finally {
            if (prev != null) {
                prev.close();
            }
            if (cur != null) {
                cur.close();
            }
        }
        return level;
    }

    /**
     * The last page of a level ({@code cur}, the last of {@code pages}) may be nearly empty: the
     * input ran out. If it is under half full and has a left sibling {@code prev}, it is merged
     * into {@code prev} when the two fit in one page (and freed, and dropped from {@code pages}),
     * and otherwise the two share their cells evenly, with the separator between them updated in
     * {@code pages}: what a delete would do to an under-full page, so bulk-loaded pages meet the
     * same occupancy rule. Returns the guard still held for the last page (null if freed).
     */
    private PageGuard repairLast(PageGuard prev, PageGuard cur, List<Child> pages) {
        if (prev == null || cur.page().cellCount() > 0 && cur.page().usedBytes() >= tree.capacity() / 2) {
            return cur;
        }
        Child last = pages.get(pages.size() - 1);
        if (tree.deletes.fitTogether(prev.page(), last.firstKey(), cur.page())) {
            TreeDelete.mergeInto(prev.page(), last.firstKey(), cur.page());
            cur.discard();
            pages.remove(pages.size() - 1);
            return null;
        }
        Bytes separator = TreeDelete.evenOut(prev.page(), last.firstKey(), cur.page());
        pages.set(pages.size() - 1, new Child(separator, cur.pageId()));
        return cur;
    }
}
