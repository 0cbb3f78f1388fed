package dev.storagelab.lsm;

import dev.storagelab.kv.CorruptionException;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * Where a block lies in a table file (lab-05 T4): its offset and its size in bytes, trailer
 * included. An index entry's value is one handle, encoded as two varints (the offset as a 64-bit
 * varint, the size as a 32-bit one), as LevelDB's {@code BlockHandle}:
 *
 * <pre>
 * +-------------------------+-----------------------+
 * | offset (varint, 1-9 B)  | size (varint, 1-5 B)  |
 * +-------------------------+-----------------------+
 * </pre>
 *
 * The footer stores its three handles fixed-width instead ({@link Footer}), so that the footer has
 * one size and a reader finds it at {@code fileSize - Footer.BYTES}.
 *
 * @param offset where the block starts in the file
 * @param size   the block's bytes, its trailer included
 */
public record BlockHandle(long offset, int size) {

    /** The most bytes {@link #encode} writes: a 9-byte offset (63 bits) and a 5-byte size. */
    public static final int MAX_ENCODED_BYTES = 9 + Varint.MAX_BYTES_32;

    public BlockHandle {
        if (offset < 0 || size < 0) {
            throw new IllegalArgumentException(
                    "a block handle has a non-negative offset and size: " + offset + ", " + size);
        }
    }

    /** The offset just past the block. */
    public long end() {
        return offset + size;
    }

    /** The two varints (written into one array: a table builder encodes a handle per data block). */
    public byte[] encode() {
        byte[] out = new byte[MAX_ENCODED_BYTES];
        int pos = 0;
        long v = offset;
        while (v >= 0x80) {
            out[pos++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out[pos++] = (byte) v;
        pos = Varint.write(out, pos, size);
        return Arrays.copyOf(out, pos);
    }

    /**
     * Decodes a handle {@link #encode} wrote; the bytes must be exactly one handle.
     *
     * @param file       for the exception
     * @param fileOffset where the bytes lie (the index block's offset), for the exception
     * @param what       what the handle is, for the exception ("index entry 7")
     * @throws CorruptionException if the varints are malformed, or bytes follow them
     */
    public static BlockHandle decode(byte[] src, String file, long fileOffset, String what) throws CorruptionException {
        return decode(src, 0, src.length, file, fileOffset, what, -1);
    }

    /**
     * {@link #decode(byte[], String, long, String)} of the {@code length} bytes of {@code src} at
     * {@code from}, where they lie (an index entry's value inside its block). An exception names
     * {@code what}, followed by {@code index} unless it is negative ("index entry 7"): a table's open
     * decodes every index entry, and makes no string for one that decodes.
     */
    static BlockHandle decode(byte[] src, int from, int length, String file, long fileOffset, String what, long index)
            throws CorruptionException {
        int end = from + length;
        long offset = 0;
        int pos = from;
        for (int shift = 0; ; shift += 7) {
            if (pos >= end || shift > 56) {
                throw corrupt(file, fileOffset, what, index, "block handle offset varint is truncated or too long");
            }
            int b = src[pos++] & 0xff;
            offset |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        long size = Varint.read(src, pos, end);
        if (size < 0 || Varint.next(size) != end) {
            throw corrupt(
                    file, fileOffset, what, index, "block handle size varint is malformed or followed by extra bytes");
        }
        if (offset < 0) {
            throw corrupt(file, fileOffset, what, index, "block handle offset " + offset + " is negative");
        }
        return new BlockHandle(offset, Varint.value(size));
    }

    private static CorruptionException corrupt(String file, long fileOffset, String what, long index, String detail) {
        return new CorruptionException(file, fileOffset, (index < 0 ? what : what + " " + index) + ": " + detail);
    }

    /** Appends {@code value} (non-negative) as an unsigned LEB128 varint of up to 9 bytes. */
    static void writeVarint64(ByteArrayOutputStream out, long value) {
        if (value < 0) {
            throw new IllegalArgumentException("a varint holds a non-negative long: " + value);
        }
        while (value >= 0x80) {
            out.write((int) (value & 0x7f) | 0x80);
            value >>>= 7;
        }
        out.write((int) value);
    }

    @Override
    public String toString() {
        return "[" + offset + ", +" + size + ")";
    }
}
