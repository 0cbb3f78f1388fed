package dev.storagelab.lsm;

import dev.storagelab.kv.CorruptionException;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The layout of a table file (lab-05 T4), named after the handout's diagram:
 *
 * <pre>
 * +--------------+-----+--------------+--------------+------------------+-------------+--------------+
 * | data block 0 | ... | data block n | filter block | properties block | index block | footer (52)  |
 * +--------------+-----+--------------+--------------+------------------+-------------+--------------+
 * </pre>
 *
 * Data, index and properties blocks are {@link Block}s (T2): they end with the type byte and the
 * CRC32C. The filter block is a {@link BloomFilter} (T3) sealed with the same 5-byte trailer by
 * {@link #seal}. The {@link Footer} has its own CRC32C and ends with {@link #MAGIC}.
 */
public final class TableFormat {

    /** "SLSSTAB1" in ASCII: the last 8 bytes of every table. */
    public static final long MAGIC = 0x534c_5353_5441_4231L;

    /** The only format version this lab writes and reads. */
    public static final int FORMAT_VERSION = 1;

    /** Data blocks are cut when they reach this many bytes, unless the builder is told otherwise. */
    public static final int DEFAULT_BLOCK_SIZE = 4096;

    /** Bloom filter bits per user key unless the builder is told otherwise: 0.82% false positives. */
    public static final int DEFAULT_BITS_PER_KEY = 10;

    /**
     * The index block stores every key whole (a restart at every entry), as LevelDB's
     * {@code index_block_restart_interval = 1}: a get's binary search over it decodes no entry it
     * does not compare, and the index is small next to the data anyway.
     */
    public static final int INDEX_RESTART_INTERVAL = 1;

    private TableFormat() {}

    /** Appends the block trailer (type {@link BlockFormat#TYPE_UNCOMPRESSED}, CRC32C) to raw contents. */
    public static byte[] seal(byte[] contents) {
        byte[] out = Arrays.copyOf(contents, contents.length + BlockFormat.TRAILER_BYTES);
        out[contents.length] = BlockFormat.TYPE_UNCOMPRESSED;
        CRC32C crc = new CRC32C();
        crc.update(out, 0, contents.length + 1);
        BlockFormat.putInt(out, contents.length + 1, (int) crc.getValue());
        return out;
    }

    /**
     * Checks the trailer {@link #seal} wrote and returns the contents before it.
     *
     * @throws CorruptionException naming the file and the block's offset if the block is shorter
     *         than its trailer, its checksum does not match, or its type is unknown
     */
    public static byte[] unseal(byte[] block, String file, long fileOffset, String what) throws CorruptionException {
        if (block.length < BlockFormat.TRAILER_BYTES) {
            throw new CorruptionException(
                    file, fileOffset, what + " block of " + block.length + " bytes is shorter than its 5-byte trailer");
        }
        int crcAt = block.length - 4;
        CRC32C crc = new CRC32C();
        crc.update(block, 0, crcAt);
        int stored = BlockFormat.getInt(block, crcAt);
        if (stored != (int) crc.getValue()) {
            throw new CorruptionException(
                    file,
                    fileOffset,
                    what + " block checksum mismatch: stored " + Integer.toHexString(stored) + ", computed "
                            + Long.toHexString(crc.getValue()));
        }
        if (block[crcAt - 1] != BlockFormat.TYPE_UNCOMPRESSED) {
            throw new CorruptionException(
                    file, fileOffset, what + " block has unknown type " + (block[crcAt - 1] & 0xff));
        }
        return Arrays.copyOf(block, crcAt - 1);
    }

    static void putLong(byte[] dst, int pos, long v) {
        BlockFormat.putInt(dst, pos, (int) (v >>> 32));
        BlockFormat.putInt(dst, pos + 4, (int) v);
    }

    static long getLong(byte[] src, int pos) {
        return (long) BlockFormat.getInt(src, pos) << 32 | (BlockFormat.getInt(src, pos + 4) & 0xffffffffL);
    }
}
