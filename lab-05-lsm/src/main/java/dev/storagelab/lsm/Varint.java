package dev.storagelab.lsm;

import java.io.ByteArrayOutputStream;

/**
 * Unsigned LEB128 variable-length integers, as LevelDB and protobuf write them: seven bits per
 * byte, least significant group first, the high bit set on every byte but the last. Lengths below
 * 128 take one byte, which is why block entries and batch records use them.
 */
public final class Varint {

    /** The most bytes a 32-bit varint takes. */
    public static final int MAX_BYTES_32 = 5;

    private Varint() {}

    /** Appends {@code value} (non-negative) to {@code out}. */
    public static void write(ByteArrayOutputStream out, int value) {
        if (value < 0) {
            throw new IllegalArgumentException("a varint holds a non-negative int: " + value);
        }
        while (value >= 0x80) {
            out.write((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        out.write(value);
    }

    /**
     * Writes {@code value} (non-negative) into {@code dst} at {@code pos}, which has room for
     * {@link #size}{@code (value)} bytes, and returns the position after it.
     */
    public static int write(byte[] dst, int pos, int value) {
        if (value < 0) {
            throw new IllegalArgumentException("a varint holds a non-negative int: " + value);
        }
        while (value >= 0x80) {
            dst[pos++] = (byte) ((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        dst[pos++] = (byte) value;
        return pos;
    }

    /** The number of bytes {@link #write} takes for {@code value}. */
    public static int size(int value) {
        int n = 1;
        while ((value >>>= 7) != 0) {
            n++;
        }
        return n;
    }

    /**
     * Reads the varint at {@code pos}, never past {@code limit}.
     *
     * @return the value in the high 32 bits and the position after it in the low 32 bits
     *         ({@link #value}, {@link #next}), or -1 if the varint runs past {@code limit}, is longer
     *         than five bytes or does not fit a non-negative int
     */
    public static long read(byte[] src, int pos, int limit) {
        int value = 0;
        for (int shift = 0, i = pos; shift <= 28 && i < limit; shift += 7, i++) {
            int b = src[i] & 0xff;
            value |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                if (value < 0 || (shift == 28 && b > 0x07)) {
                    return -1;
                }
                return ((long) value << 32) | (i + 1);
            }
        }
        return -1;
    }

    /** The value of a successful {@link #read}. */
    public static int value(long read) {
        return (int) (read >>> 32);
    }

    /** The position after the varint of a successful {@link #read}. */
    public static int next(long read) {
        return (int) read;
    }
}
