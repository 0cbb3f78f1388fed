package dev.storagelab.btree;

import dev.storagelab.kv.Bytes;
import java.util.ArrayList;
import java.util.List;

/**
 * The cells of one or two node pages, taken out of their pages so they can be cut in a new place:
 * what a split, a merge, a redistribution and a bulk load all do. For a leaf each cell is a key
 * and a value; for an internal page a key and a child.
 */
final class CellList {

    final boolean leaf;
    final List<Bytes> keys = new ArrayList<>();
    final List<Bytes> values = new ArrayList<>();
    final List<Long> children = new ArrayList<>();

    CellList(boolean leaf) {
        this.leaf = leaf;
    }

    /** The cells of {@code page}, in key order. */
    static CellList of(SlottedPage page) {
        CellList cells = new CellList(page.isLeaf());
        cells.addAll(page);
        return cells;
    }

    /** Appends the cells of {@code page}, which must be of this list's kind. */
    CellList addAll(SlottedPage page) {
        for (int i = 0; i < page.cellCount(); i++) {
            if (leaf) {
                addLeaf(page.key(i), page.value(i));
            } else {
                addInternal(page.key(i), page.child(i));
            }
        }
        return this;
    }

    void addLeaf(Bytes key, Bytes value) {
        keys.add(key);
        values.add(value);
    }

    void addInternal(Bytes key, long child) {
        keys.add(key);
        children.add(child);
    }

    void insertLeaf(int index, Bytes key, Bytes value) {
        keys.add(index, key);
        values.add(index, value);
    }

    void insertInternal(int index, Bytes key, long child) {
        keys.add(index, key);
        children.add(index, child);
    }

    int size() {
        return keys.size();
    }

    /** The bytes cell {@code i} takes in a page, slot included. */
    int bytes(int i) {
        return PageFormat.SLOT_SIZE
                + (leaf
                        ? PageFormat.leafCellSize(
                                keys.get(i).length(), values.get(i).length())
                        : PageFormat.internalCellSize(keys.get(i).length()));
    }

    /** The bytes cells {@code [from, to)} take in a page, slots included. */
    int bytes(int from, int to) {
        int sum = 0;
        for (int i = from; i < to; i++) {
            sum += bytes(i);
        }
        return sum;
    }

    /**
     * Where to cut for two pages of nearly equal bytes. For leaves, cells {@code [0, m)} go left and
     * {@code [m, n)} right. For internal pages cell {@code m} moves up to the parent and is in
     * neither half, so both halves keep at least one cell. The cut minimises the difference between
     * the halves' bytes.
     */
    int splitPoint() {
        int n = size();
        int lo = 1;
        int hi = leaf ? n - 1 : n - 2;
        int total = bytes(0, n);
        int best = lo;
        int bestDiff = Integer.MAX_VALUE;
        int left = bytes(0, lo);
        for (int m = lo; m <= hi; m++) {
            int right = total - left - (leaf ? 0 : bytes(m));
            int diff = Math.abs(left - right);
            if (diff < bestDiff) {
                bestDiff = diff;
                best = m;
            }
            left += bytes(m);
        }
        return best;
    }

    /**
     * Where to cut a full leaf whose new cell is the last key of the whole tree, as every put of a
     * key-ordered load is: the right side gets the fewest cells, taken from the end, that make it at
     * least a quarter of {@code capacity}, and the left keeps the rest, about three quarters full.
     * No later key of such a load lands left of the cut, so an equal cut would leave every leaf it
     * passes half full for good. Cells {@code [0, m)} go left and {@code [m, n)} right, and the cut
     * moves further left while the left side would not fit in {@code capacity}.
     */
    int appendSplitPoint(int capacity) {
        int total = bytes(0, size());
        int m = size() - 1;
        int right = bytes(m);
        while (m > 1 && (right * 4 < capacity || total - right > capacity)) {
            m--;
            right += bytes(m);
        }
        return m;
    }

    /**
     * Rewrites {@code page} to hold exactly cells {@code [from, to)}, keeping its id, type and
     * sibling links (a leaf) but not its leftmost child, which the caller sets for an internal page.
     */
    void writeTo(SlottedPage page, int from, int to) {
        long prev = page.prev();
        long next = page.next();
        page.init(page.type(), page.pageId());
        page.setPrev(prev);
        page.setNext(next);
        for (int i = from; i < to; i++) {
            boolean ok = leaf
                    ? page.insertLeaf(i - from, keys.get(i), values.get(i))
                    : page.insertInternal(i - from, keys.get(i), children.get(i));
            if (!ok) {
                throw new IllegalStateException(
                        "cells " + from + ".." + to + " (" + bytes(from, to) + " bytes) do not fit in " + page);
            }
        }
    }
}
