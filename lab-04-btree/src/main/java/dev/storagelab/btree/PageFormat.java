package dev.storagelab.btree;

import static com.google.common.base.Preconditions.checkArgument;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.KeyValueStore;

/**
 * The byte layout of the B+tree's page file, as drawn in the handout
 * ({@code README.md#page-format}). Every integer is big-endian; every page is {@code pageSize}
 * bytes and starts with the same 48-byte header.
 *
 * <pre>
 * page file := meta(A) meta(B) page*              physical page p lives at byte p * pageSize
 *
 * header    := crc u32 | type u8 | version u8 | cellCount u16 | cellStart u16 | fragmented u16
 *              | reserved u32 | pageId u64 | generation u64 | prev u64 | next u64          48 bytes
 *              crc: CRC32C of bytes [4, pageSize) of the page
 *              pageId: the logical id (meta pages: their slot, 0 or 1; table pages: their chunk)
 *              generation: the checkpoint the page was written for (lab-06's page LSN goes here)
 *              prev/next: leaf siblings; an internal page keeps its leftmost child in next
 * node page := header | slot u16 * cellCount | free space | cells (growing down from the end)
 *              slots are sorted by key and hold each cell's byte offset in the page
 * leaf cell := keyLength u16 | flags u8 | valueLength u32 | key | value       flags: 0 (inline)
 * internal cell := keyLength u16 | child u64 | key       child holds keys >= key
 * </pre>
 *
 * The meta and page-table layouts are in {@link MetaPage} and {@link PageTable}.
 */
public final class PageFormat {

    private PageFormat() {}

    public static final int DEFAULT_PAGE_SIZE = 4096;
    public static final int MIN_PAGE_SIZE = 512;
    /** Cell offsets are u16, so a page cannot be larger. */
    public static final int MAX_PAGE_SIZE = 32768;

    public static final int VERSION = 1;

    public static final byte TYPE_META = 1;
    public static final byte TYPE_LEAF = 2;
    public static final byte TYPE_INTERNAL = 3;
    public static final byte TYPE_TABLE = 4;
    /** Not a type stored in a page: "a leaf or an internal page", for {@link PageFile#read}. */
    public static final byte TYPE_NODE = 0;

    // header offsets
    public static final int CRC_OFFSET = 0;
    public static final int TYPE_OFFSET = 4;
    public static final int VERSION_OFFSET = 5;
    public static final int CELL_COUNT_OFFSET = 6;
    public static final int CELL_START_OFFSET = 8;
    public static final int FRAGMENTED_OFFSET = 10;
    public static final int PAGE_ID_OFFSET = 16;
    public static final int GENERATION_OFFSET = 24;
    public static final int PREV_OFFSET = 32;
    public static final int NEXT_OFFSET = 40;
    public static final int HEADER_SIZE = 48;

    /** The bytes covered by the checksum start here. */
    public static final int CHECKED_FROM = 4;

    public static final int SLOT_SIZE = 2;
    /** keyLength u16 + flags u8 + valueLength u32. */
    public static final int LEAF_CELL_HEADER = 7;
    /** keyLength u16 + child u64. */
    public static final int INTERNAL_CELL_HEADER = 10;
    /** No page: a null sibling or child. Logical ids start at 1. */
    public static final long NO_PAGE = 0;

    /** Checks a page size and returns it: a power of two in [512, 32768]. */
    public static int checkPageSize(int pageSize) {
        checkArgument(
                pageSize >= MIN_PAGE_SIZE && pageSize <= MAX_PAGE_SIZE && Integer.bitCount(pageSize) == 1,
                "pageSize must be a power of two in [%s, %s]: %s",
                MIN_PAGE_SIZE,
                MAX_PAGE_SIZE,
                pageSize);
        return pageSize;
    }

    /** The bytes of a node page available to slots and cells. */
    public static int capacity(int pageSize) {
        return pageSize - HEADER_SIZE;
    }

    /**
     * The largest cell, slot excluded: a quarter of the capacity, so that a page always holds at
     * least four cells and a split always leaves two halves that fit.
     */
    public static int maxCellSize(int pageSize) {
        return capacity(pageSize) / 4 - SLOT_SIZE;
    }

    /** The largest key a tree with this page size accepts: it must fit in an internal cell. */
    public static int maxKeyBytes(int pageSize) {
        return maxCellSize(pageSize) - INTERNAL_CELL_HEADER;
    }

    /** The size of a leaf cell, slot excluded. */
    public static int leafCellSize(int keyLength, int valueLength) {
        return LEAF_CELL_HEADER + keyLength + valueLength;
    }

    /** The size of an internal cell, slot excluded. */
    public static int internalCellSize(int keyLength) {
        return INTERNAL_CELL_HEADER + keyLength;
    }

    /**
     * Checks that a tree with {@code pageSize}-byte pages can hold {@code key} with {@code value}:
     * a valid key and value ({@link KeyValueStore#checkKey}, {@link KeyValueStore#checkValue}), the
     * key at most {@link #maxKeyBytes}, the leaf cell at most {@link #maxCellSize}. The tree has no
     * overflow pages, so a larger entry is refused with a message that says so.
     */
    static void checkEntry(Bytes key, Bytes value, int pageSize) {
        KeyValueStore.checkKey(key);
        KeyValueStore.checkValue(value);
        // Checked before a message is made: every put passes here, and boxing the figures of a
        // message that no valid put needs allocated on every put.
        if (key.length() > maxKeyBytes(pageSize)) {
            throw new IllegalArgumentException(String.format(
                    "key is %s bytes; a B+tree with %s-byte pages takes keys up to %s bytes",
                    key.length(), pageSize, maxKeyBytes(pageSize)));
        }
        int cell = leafCellSize(key.length(), value.length());
        if (cell > maxCellSize(pageSize)) {
            throw new IllegalArgumentException(String.format(
                    "a %s-byte key with a %s-byte value needs a %s-byte cell; a B+tree with %s-byte pages holds cells up"
                            + " to %s bytes (a quarter page) and has no overflow pages for larger values",
                    key.length(), value.length(), cell, pageSize, maxCellSize(pageSize)));
        }
    }

    /** A readable name of a page type, for error messages and dumps. */
    public static String typeName(int type) {
        return switch (type) {
            case TYPE_META -> "meta";
            case TYPE_LEAF -> "leaf";
            case TYPE_INTERNAL -> "internal";
            case TYPE_TABLE -> "page-table";
            case TYPE_NODE -> "node";
            default -> "unknown type " + type;
        };
    }
}
