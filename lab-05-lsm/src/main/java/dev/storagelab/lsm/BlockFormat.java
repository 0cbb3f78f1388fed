package dev.storagelab.lsm;

/**
 * The byte layout of a block (lab-05 T2), named after the handout's diagram:
 *
 * <pre>
 * +---------+-----+---------+------------+-----+--------------+-------------------+------+--------+
 * | entry 0 | ... | entry n | restart[0] | ... | restart[r-1] | r (4, big-endian) | type | crc32c |
 * +---------+-----+---------+------------+-----+--------------+-------------------+------+--------+
 * entry: | shared (varint) | unshared (varint) | value length (varint) | key[shared..] | value |
 * </pre>
 *
 * Each restart is the offset (4 bytes, big-endian) of an entry whose {@code shared} is 0; the
 * first entry is always a restart. The CRC32C covers every byte before it, the type byte included.
 */
public final class BlockFormat {

    /** A restart point every this many entries unless the builder is told otherwise (LevelDB's default). */
    public static final int DEFAULT_RESTART_INTERVAL = 16;

    /** Bytes of one restart offset and of the restart count. */
    public static final int RESTART_BYTES = 4;

    /** The type byte and the CRC32C after the block's contents. */
    public static final int TRAILER_BYTES = 5;

    /** The only type this lab writes: the contents are stored as they are. */
    public static final byte TYPE_UNCOMPRESSED = 0;

    /** The smallest valid block: no entry, one restart (0), the count, the trailer. */
    public static final int MIN_BLOCK_BYTES = 2 * RESTART_BYTES + TRAILER_BYTES;

    private BlockFormat() {}

    static void putInt(byte[] dst, int pos, int v) {
        dst[pos] = (byte) (v >>> 24);
        dst[pos + 1] = (byte) (v >>> 16);
        dst[pos + 2] = (byte) (v >>> 8);
        dst[pos + 3] = (byte) v;
    }

    static int getInt(byte[] src, int pos) {
        return (src[pos] & 0xff) << 24
                | (src[pos + 1] & 0xff) << 16
                | (src[pos + 2] & 0xff) << 8
                | (src[pos + 3] & 0xff);
    }
}
