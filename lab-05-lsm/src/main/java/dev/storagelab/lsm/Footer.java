package dev.storagelab.lsm;

import dev.storagelab.kv.CorruptionException;
import java.util.zip.CRC32C;

/**
 * The fixed-size end of a table file (lab-05 T4): where its index, filter and properties blocks
 * are, the format version, a checksum and the magic number. A reader reads the last
 * {@link #BYTES} bytes of the file first, and everything else from the handles found there.
 *
 * <pre>
 * +-------------+-----------+--------------+------------+-------------+-----------+
 * | index       | filter    | properties   | version    | CRC32C      | magic     |
 * | off 8, sz 4 | off 8,sz 4| off 8, sz 4  | 4          | 4           | 8         |
 * +-------------+-----------+--------------+------------+-------------+-----------+
 *  0             12          24             36           40            44        52
 * </pre>
 *
 * Every integer is big-endian. The CRC32C covers bytes 0 to 39 (the handles and the version); the
 * magic comes last, as in LevelDB, so that a file that is not a table at all, or was cut short,
 * fails on the magic before anything else is trusted.
 */
public record Footer(BlockHandle index, BlockHandle filter, BlockHandle properties, int version) {

    /** The footer's size in bytes. */
    public static final int BYTES = 52;

    /** Where the fields start, as in the diagram. */
    public static final int INDEX_AT = 0;

    public static final int FILTER_AT = 12;
    public static final int PROPERTIES_AT = 24;
    public static final int VERSION_AT = 36;
    public static final int CRC_AT = 40;
    public static final int MAGIC_AT = 44;

    /** The footer's bytes, checksum and magic included. */
    public byte[] encode() {
        byte[] out = new byte[BYTES];
        putHandle(out, INDEX_AT, index);
        putHandle(out, FILTER_AT, filter);
        putHandle(out, PROPERTIES_AT, properties);
        BlockFormat.putInt(out, VERSION_AT, version);
        CRC32C crc = new CRC32C();
        crc.update(out, 0, CRC_AT);
        BlockFormat.putInt(out, CRC_AT, (int) crc.getValue());
        TableFormat.putLong(out, MAGIC_AT, TableFormat.MAGIC);
        return out;
    }

    private static void putHandle(byte[] dst, int pos, BlockHandle h) {
        TableFormat.putLong(dst, pos, h.offset());
        BlockFormat.putInt(dst, pos + 8, h.size());
    }

    /**
     * Decodes and checks the footer of a table, in this order: its length, the magic number, the
     * CRC32C, the version, then each handle, which must lie inside the bytes before the footer.
     *
     * @param footer   the last {@link #BYTES} bytes of the file
     * @param file     the file, for exceptions
     * @param footerAt where the footer starts in the file: also the end of the blocks its handles
     *                 may point to
     * @throws CorruptionException naming the file, the offset of the field that failed and what
     *         failed: "bad magic", "footer checksum mismatch", "unsupported format version",
     *         "index handle [..] runs past the footer at .."
     */
    public static Footer decode(byte[] footer, String file, long footerAt) throws CorruptionException {
        if (footer.length != BYTES) {
            throw new CorruptionException(file, footerAt, "footer of " + footer.length + " bytes, expected " + BYTES);
        }
        // BEGIN SOLUTION lab-05 T4
        long magic = TableFormat.getLong(footer, MAGIC_AT);
        if (magic != TableFormat.MAGIC) {
            throw new CorruptionException(
                    file,
                    footerAt + MAGIC_AT,
                    "bad magic " + Long.toHexString(magic) + ", expected " + Long.toHexString(TableFormat.MAGIC)
                            + ": not a table, or the file is truncated");
        }
        CRC32C crc = new CRC32C();
        crc.update(footer, 0, CRC_AT);
        int stored = BlockFormat.getInt(footer, CRC_AT);
        if (stored != (int) crc.getValue()) {
            throw new CorruptionException(
                    file,
                    footerAt + CRC_AT,
                    "footer checksum mismatch: stored " + Integer.toHexString(stored) + ", computed "
                            + Long.toHexString(crc.getValue()));
        }
        int version = BlockFormat.getInt(footer, VERSION_AT);
        if (version != TableFormat.FORMAT_VERSION) {
            throw new CorruptionException(
                    file,
                    footerAt + VERSION_AT,
                    "unsupported format version " + version + " (this reader knows " + TableFormat.FORMAT_VERSION
                            + ")");
        }
        return new Footer(
                handle(footer, INDEX_AT, "index", file, footerAt),
                handle(footer, FILTER_AT, "filter", file, footerAt),
                handle(footer, PROPERTIES_AT, "properties", file, footerAt),
                version);
        // END SOLUTION
    }

    /**
     * The handle at {@code pos} of the footer, checked: its offset is not negative and the block
     * ends at or before the footer, and it is at least as long as a block's trailer.
     */
    static BlockHandle handle(byte[] footer, int pos, String what, String file, long footerAt)
            throws CorruptionException {
        long offset = TableFormat.getLong(footer, pos);
        int size = BlockFormat.getInt(footer, pos + 8);
        if (offset < 0 || size < BlockFormat.TRAILER_BYTES || offset > footerAt - size) {
            throw new CorruptionException(
                    file,
                    footerAt + pos,
                    what + " handle (offset " + offset + ", size " + size + ") does not lie inside the " + footerAt
                            + " bytes before the footer");
        }
        return new BlockHandle(offset, size);
    }
}
