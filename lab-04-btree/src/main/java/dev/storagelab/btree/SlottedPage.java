package dev.storagelab.btree;

import static dev.storagelab.btree.PageFormat.CELL_COUNT_OFFSET;
import static dev.storagelab.btree.PageFormat.CELL_START_OFFSET;
import static dev.storagelab.btree.PageFormat.FRAGMENTED_OFFSET;
import static dev.storagelab.btree.PageFormat.GENERATION_OFFSET;
import static dev.storagelab.btree.PageFormat.HEADER_SIZE;
import static dev.storagelab.btree.PageFormat.INTERNAL_CELL_HEADER;
import static dev.storagelab.btree.PageFormat.LEAF_CELL_HEADER;
import static dev.storagelab.btree.PageFormat.NEXT_OFFSET;
import static dev.storagelab.btree.PageFormat.PAGE_ID_OFFSET;
import static dev.storagelab.btree.PageFormat.PREV_OFFSET;
import static dev.storagelab.btree.PageFormat.SLOT_SIZE;
import static dev.storagelab.btree.PageFormat.TYPE_INTERNAL;
import static dev.storagelab.btree.PageFormat.TYPE_LEAF;
import static dev.storagelab.btree.PageFormat.TYPE_OFFSET;
import static dev.storagelab.btree.PageFormat.VERSION;
import static dev.storagelab.btree.PageFormat.VERSION_OFFSET;

import dev.storagelab.kv.Bytes;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A view of one B+tree node page (leaf or internal) in the slotted layout of {@link PageFormat}:
 * a slot array of cell offsets, sorted by key, grows up from the header; cells grow down from the
 * end of the page; the gap between them is free. Deleting a cell leaves a hole in the cell area
 * (counted in {@code fragmented}) until {@link #compact()} squeezes the holes out.
 *
 * <p>This is the layout of SQLite's b-tree pages and PostgreSQL's heap and index pages: variable
 * length keys in a fixed-size page, and slots that can be reordered without moving any cell.
 *
 * <p>The view writes straight into the caller's array (a buffer-pool frame); it does not copy.
 * Not thread-safe: the tree's latch protects a page while it is read or changed.
 */
public final class SlottedPage {

    /** Big-endian views of the page's bytes, as {@link ByteBuffer}'s, without a buffer object per page view. */
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final byte[] data;
    private final int pageSize;

    /** A view of {@code page}, whose length is the page size. */
    public SlottedPage(byte[] page) {
        this.data = page;
        this.pageSize = page.length;
    }

    private short getShort(int offset) {
        return (short) SHORT.get(data, offset);
    }

    private void putShort(int offset, short v) {
        SHORT.set(data, offset, v);
    }

    private int getInt(int offset) {
        return (int) INT.get(data, offset);
    }

    private void putInt(int offset, int v) {
        INT.set(data, offset, v);
    }

    private long getLong(int offset) {
        return (long) LONG.get(data, offset);
    }

    private void putLong(int offset, long v) {
        LONG.set(data, offset, v);
    }

    /** Formats the page as an empty node of {@code type} with id {@code pageId}: every byte is reset. */
    public SlottedPage init(byte type, long pageId) {
        Arrays.fill(data, (byte) 0);
        data[TYPE_OFFSET] = type;
        data[VERSION_OFFSET] = VERSION;
        putLong(PAGE_ID_OFFSET, pageId);
        setCellStart(pageSize);
        return this;
    }

    // ---------------------------------------------------------------- header

    public byte type() {
        return data[TYPE_OFFSET];
    }

    public boolean isLeaf() {
        return type() == TYPE_LEAF;
    }

    public long pageId() {
        return getLong(PAGE_ID_OFFSET);
    }

    public long generation() {
        return getLong(GENERATION_OFFSET);
    }

    public void setGeneration(long generation) {
        putLong(GENERATION_OFFSET, generation);
    }

    /** The number of cells (keys) on the page. */
    public int cellCount() {
        return getShort(CELL_COUNT_OFFSET) & 0xffff;
    }

    private void setCellCount(int n) {
        putShort(CELL_COUNT_OFFSET, (short) n);
    }

    /** The lowest byte offset used by a cell; {@code pageSize} when there are none. */
    int cellStart() {
        return getShort(CELL_START_OFFSET) & 0xffff;
    }

    private void setCellStart(int offset) {
        putShort(CELL_START_OFFSET, (short) offset);
    }

    /** Bytes inside the cell area freed by deletes and not yet compacted. */
    int fragmented() {
        return getShort(FRAGMENTED_OFFSET) & 0xffff;
    }

    private void setFragmented(int n) {
        putShort(FRAGMENTED_OFFSET, (short) n);
    }

    /** Leaf: the left sibling's id, or {@link PageFormat#NO_PAGE}. */
    public long prev() {
        return getLong(PREV_OFFSET);
    }

    public void setPrev(long pageId) {
        putLong(PREV_OFFSET, pageId);
    }

    /** Leaf: the right sibling's id, or {@link PageFormat#NO_PAGE}. */
    public long next() {
        return getLong(NEXT_OFFSET);
    }

    public void setNext(long pageId) {
        putLong(NEXT_OFFSET, pageId);
    }

    /** Internal: the leftmost child, which holds the keys below the first key. */
    public long leftmostChild() {
        return getLong(NEXT_OFFSET);
    }

    public void setLeftmostChild(long pageId) {
        putLong(NEXT_OFFSET, pageId);
    }

    // ---------------------------------------------------------------- cells

    /** The byte offset of cell {@code index}'s slot. */
    private static int slotOffset(int index) {
        return HEADER_SIZE + SLOT_SIZE * index;
    }

    /** The byte offset of cell {@code index} in the page. */
    int cellOffset(int index) {
        return getShort(slotOffset(index)) & 0xffff;
    }

    private int keyLength(int cell) {
        return getShort(cell) & 0xffff;
    }

    private int keyOffset(int cell) {
        return cell + (isLeaf() ? LEAF_CELL_HEADER : INTERNAL_CELL_HEADER);
    }

    /** The key of cell {@code index}, copied. */
    public Bytes key(int index) {
        int cell = cellOffset(index);
        return Bytes.copyOf(data, keyOffset(cell), keyLength(cell));
    }

    /** Compares {@code key} with the key of cell {@code index}, without copying the cell's key. */
    public int compareKey(Bytes key, int index) {
        int cell = cellOffset(index);
        return key.compareTo(data, keyOffset(cell), keyLength(cell));
    }

    /** Leaf: the value of cell {@code index}, copied. */
    public Bytes value(int index) {
        int cell = cellOffset(index);
        int valueLength = getInt(cell + 3);
        return Bytes.copyOf(data, keyOffset(cell) + keyLength(cell), valueLength);
    }

    /** Leaf: the length of the value of cell {@code index}. */
    public int valueLength(int index) {
        return getInt(cellOffset(index) + 3);
    }

    /**
     * Leaf: overwrites the value of cell {@code index} with {@code value}, in place: no slot or cell
     * moves, and the page's free space does not change. An overwrite of a value by one of the same
     * length (every row of fixed width) needs no delete, no insert and no compaction.
     *
     * @throws IllegalArgumentException if {@code value} is not as long as the value it replaces
     */
    public void replaceValue(int index, Bytes value) {
        int cell = cellOffset(index);
        if (getInt(cell + 3) != value.length()) {
            throw new IllegalArgumentException("a value replaced in place must keep its length: " + getInt(cell + 3)
                    + " bytes, not " + value.length());
        }
        value.copyTo(data, keyOffset(cell) + keyLength(cell));
    }

    /** Internal: the child of cell {@code index}, which holds keys from that cell's key up to the next one's. */
    public long child(int index) {
        return getLong(cellOffset(index) + 2);
    }

    /** Internal: the child to follow for keys in slot range {@code i}: -1 is the leftmost child. */
    public long childAt(int i) {
        return i < 0 ? leftmostChild() : child(i);
    }

    public void setChild(int index, long pageId) {
        putLong(cellOffset(index) + 2, pageId);
    }

    /** The size of cell {@code index} in bytes, slot excluded. */
    public int cellSize(int index) {
        int cell = cellOffset(index);
        int header = isLeaf() ? LEAF_CELL_HEADER + getInt(cell + 3) : INTERNAL_CELL_HEADER;
        return header + keyLength(cell);
    }

    /** Bytes used by slots and cells (fragments excluded): what the occupancy rules measure. */
    public int usedBytes() {
        return PageFormat.capacity(pageSize) - freeBytes();
    }

    /** Bytes still free: the gap between slots and cells plus the fragments {@link #compact()} would reclaim. */
    public int freeBytes() {
        return cellStart() - slotOffset(cellCount()) + fragmented();
    }

    /** Whether a cell of {@code cellSize} bytes (slot excluded) fits, after compaction if need be. */
    public boolean fits(int cellSize) {
        return freeBytes() >= cellSize + SLOT_SIZE;
    }

    /**
     * Finds {@code key} by binary search over the slots.
     *
     * @return the index of the cell holding {@code key}, or {@code -(insertionPoint) - 1} when it is
     *         absent, where the insertion point is the index of the first cell with a greater key
     *         ({@code cellCount()} if none), as {@link java.util.Arrays#binarySearch(int[], int)}
     */
    public int search(Bytes key) {
        // BEGIN SOLUTION lab-04 T1
        int lo = 0;
        int hi = cellCount() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = compareKey(key, mid);
            if (c > 0) {
                lo = mid + 1;
            } else if (c < 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
        // END SOLUTION
    }

    /**
     * Makes room for a cell of {@code cellSize} bytes at slot {@code index}: the slots from
     * {@code index} on move up by one, the new slot points at {@code cellSize} bytes carved from the
     * bottom of the free gap, and the cell count and cell start are updated. When the gap is too
     * small but the fragments would make it big enough, the page is {@linkplain #compact()
     * compacted} first. The caller writes the cell's bytes at the returned offset.
     *
     * @return the byte offset of the new cell, or -1 if the page cannot hold it (nothing changes)
     */
    int allocateCell(int index, int cellSize) {
        // BEGIN SOLUTION lab-04 T1
        int count = cellCount();
        if (!fits(cellSize)) {
            return -1;
        }
        if (cellStart() - slotOffset(count + 1) < cellSize) {
            compact();
        }
        int offset = cellStart() - cellSize;
        System.arraycopy(data, slotOffset(index), data, slotOffset(index + 1), SLOT_SIZE * (count - index));
        putShort(slotOffset(index), (short) offset);
        setCellStart(offset);
        setCellCount(count + 1);
        return offset;
        // END SOLUTION
    }

    /**
     * Removes cell {@code index}: the slots after it move down by one and its bytes count as
     * fragmented (or, if it was the lowest cell, the cell start moves up past it).
     */
    public void remove(int index) {
        // BEGIN SOLUTION lab-04 T1
        int count = cellCount();
        int offset = cellOffset(index);
        int size = cellSize(index);
        System.arraycopy(data, slotOffset(index + 1), data, slotOffset(index), SLOT_SIZE * (count - index - 1));
        setCellCount(count - 1);
        if (offset == cellStart()) {
            setCellStart(offset + size);
        } else {
            setFragmented(fragmented() + size);
        }
        // END SOLUTION
    }

    /**
     * Squeezes the holes out of the cell area: the cells are rewritten contiguously at the end of
     * the page, in any order, the slots are updated to their new offsets (slot order, which is key
     * order, does not change) and {@code fragmented} becomes 0.
     */
    public void compact() {
        // BEGIN SOLUTION lab-04 T1
        int count = cellCount();
        int[] from = new int[count];
        int[] size = new int[count];
        for (int i = 0; i < count; i++) {
            from[i] = cellOffset(i);
            size[i] = cellSize(i);
        }
        byte[] copy = data.clone(); // cells move over each other's old bytes
        int end = pageSize;
        for (int i = 0; i < count; i++) {
            end -= size[i];
            System.arraycopy(copy, from[i], data, end, size[i]);
            putShort(slotOffset(i), (short) end);
        }
        setCellStart(end);
        setFragmented(0);
        // END SOLUTION
    }

    /**
     * Leaf: inserts {@code key -> value} as cell {@code index}.
     *
     * @return false if the page has no room (nothing changes)
     */
    public boolean insertLeaf(int index, Bytes key, Bytes value) {
        int cell = allocateCell(index, PageFormat.leafCellSize(key.length(), value.length()));
        if (cell < 0) {
            return false;
        }
        putShort(cell, (short) key.length());
        data[cell + 2] = 0;
        putInt(cell + 3, value.length());
        key.copyTo(data, cell + LEAF_CELL_HEADER);
        value.copyTo(data, cell + LEAF_CELL_HEADER + key.length());
        return true;
    }

    /**
     * Internal: inserts {@code key -> child} as cell {@code index}.
     *
     * @return false if the page has no room (nothing changes)
     */
    public boolean insertInternal(int index, Bytes key, long child) {
        int cell = allocateCell(index, PageFormat.internalCellSize(key.length()));
        if (cell < 0) {
            return false;
        }
        putShort(cell, (short) key.length());
        putLong(cell + 2, child);
        key.copyTo(data, cell + INTERNAL_CELL_HEADER);
        return true;
    }

    /** Whether this page is an internal node. */
    public boolean isInternal() {
        return type() == TYPE_INTERNAL;
    }

    /** The page's bytes: the frame it views. */
    byte[] bytes() {
        return data;
    }

    @Override
    public String toString() {
        return PageFormat.typeName(type()) + " page " + pageId() + " (" + cellCount() + " cells, " + usedBytes() + "/"
                + PageFormat.capacity(pageSize) + " bytes used)";
    }
}
