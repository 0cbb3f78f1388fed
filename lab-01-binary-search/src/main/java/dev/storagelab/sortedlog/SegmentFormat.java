package dev.storagelab.sortedlog;

/**
 * The byte layout of a segment (an SSTable), as drawn in the handout
 * ({@code README.md#segment-format}). Every integer is big-endian.
 *
 * <pre>
 * segment := block+ index footer
 * block   := entry+ | entryCount u32 | crc u32          crc: CRC32C of everything before it
 * entry   := type u8 | keyLength u32 | valueLength u32 | key | value
 *            type: 1 = value, 2 = tombstone (valueLength 0)
 * index   := blockCount u32 | handle* | lastKeyLength u32 | lastKey | crc u32
 * handle  := firstKeyLength u32 | firstKey | blockOffset u64 | blockLength u32
 * footer  := indexOffset u64 | indexLength u32 | entryCount u64 | blockSize u32
 *            | version u32 | footerCrc u32 | magic u64                         40 bytes
 *            footerCrc: CRC32C of the 28 bytes before it
 * </pre>
 *
 * A block's length in the index includes its 8-byte trailer. Blocks are cut when adding an entry
 * would take them past the target block size, so a block holds at least one entry and exceeds the
 * target only when a single entry does.
 */
public final class SegmentFormat {

    private SegmentFormat() {}

    /** "SLSEGMNT" in ASCII. */
    public static final long MAGIC = 0x534C5345474D4E54L;

    public static final int VERSION = 1;
    public static final int DEFAULT_BLOCK_SIZE = 4096;

    public static final byte TYPE_VALUE = 1;
    public static final byte TYPE_TOMBSTONE = 2;

    /** type u8 + keyLength u32 + valueLength u32. */
    public static final int ENTRY_HEADER_SIZE = 9;
    /** entryCount u32 + crc u32. */
    public static final int BLOCK_TRAILER_SIZE = 8;

    public static final int FOOTER_SIZE = 40;
    /** The footer bytes covered by footerCrc. */
    public static final int FOOTER_CHECKED_SIZE = 28;
}
