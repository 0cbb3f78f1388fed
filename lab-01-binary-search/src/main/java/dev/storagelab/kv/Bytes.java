package dev.storagelab.kv;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable byte string: the type of every key and value in the workspace.
 *
 * <p>Bytes order by <em>unsigned</em> lexicographic comparison, the order LevelDB's
 * {@code BytewiseComparator} uses: {@code 0x7f < 0x80}, and a proper prefix sorts first. Signed
 * {@code byte} comparison would put {@code "é"} (0xC3 0xA9) before {@code "a"}, which is the
 * classic bug this class exists to make impossible.
 *
 * <p>Instances never share a mutable array with the outside world except through
 * {@link #wrap(byte[])}, whose caller promises not to modify the array afterwards.
 */
public final class Bytes implements Comparable<Bytes> {

    /** The empty byte string. */
    public static final Bytes EMPTY = new Bytes(new byte[0]);

    private final byte[] data;
    private int hash; // cached; 0 means not yet computed

    private Bytes(byte[] data) {
        this.data = data;
    }

    /** The UTF-8 bytes of {@code s}. */
    public static Bytes of(String s) {
        if (s == null) {
            throw new NullPointerException("string must not be null");
        }
        return new Bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A copy of {@code data}. */
    public static Bytes copyOf(byte[] data) {
        if (data == null) {
            throw new NullPointerException("byte array must not be null");
        }
        return new Bytes(data.clone());
    }

    /**
     * A copy of {@code length} bytes of {@code data} from {@code offset}.
     *
     * @throws IndexOutOfBoundsException if the range is not inside {@code data}
     */
    public static Bytes copyOf(byte[] data, int offset, int length) {
        if (data == null) {
            throw new NullPointerException("byte array must not be null");
        }
        // Arrays.copyOfRange would pad a range past the end with zeros: a key nobody wrote.
        Objects.checkFromIndexSize(offset, length, data.length);
        return new Bytes(Arrays.copyOfRange(data, offset, offset + length));
    }

    /** The next {@code length} bytes of {@code buf}, copied; advances its position. */
    public static Bytes read(ByteBuffer buf, int length) {
        byte[] out = new byte[length];
        buf.get(out);
        return new Bytes(out);
    }

    /**
     * Wraps {@code data} without copying. The caller must never modify the array afterwards; use
     * it only for arrays you just created.
     */
    public static Bytes wrap(byte[] data) {
        if (data == null) {
            throw new NullPointerException("byte array must not be null");
        }
        return new Bytes(data);
    }

    /** The number of bytes. */
    public int length() {
        return data.length;
    }

    /** Whether there are no bytes. */
    public boolean isEmpty() {
        return data.length == 0;
    }

    /** The byte at {@code index}. */
    public byte byteAt(int index) {
        return data[index];
    }

    /** A fresh copy of the bytes. */
    public byte[] toByteArray() {
        return data.clone();
    }

    /** Writes the bytes into {@code dst} at its position. */
    public void writeTo(ByteBuffer dst) {
        dst.put(data);
    }

    /**
     * Copies the bytes into {@code dst} at {@code offset}, without an intermediate array (page
     * code writes keys straight into a page this way).
     *
     * @throws IndexOutOfBoundsException if the bytes do not fit in {@code dst} from {@code offset}
     */
    public void copyTo(byte[] dst, int offset) {
        System.arraycopy(data, 0, dst, offset, data.length);
    }

    /**
     * Compares these bytes, in the unsigned order of {@link #compareTo(Bytes)}, with the
     * {@code length} bytes of {@code other} from {@code offset}: a key stored inside a page
     * compared without copying it out.
     *
     * @return negative, zero or positive as this sorts before, equal to or after the range
     * @throws IndexOutOfBoundsException if the range is not inside {@code other}
     */
    public int compareTo(byte[] other, int offset, int length) {
        return Arrays.compareUnsigned(data, 0, data.length, other, offset, offset + length);
    }

    /** Whether this starts with {@code prefix}. */
    public boolean startsWith(Bytes prefix) {
        return prefix.data.length <= data.length
                && Arrays.equals(data, 0, prefix.data.length, prefix.data, 0, prefix.data.length);
    }

    /** The bytes decoded as UTF-8 (malformed input is replaced, never thrown). */
    public String toUtf8() {
        return new String(data, StandardCharsets.UTF_8);
    }

    @Override
    public int compareTo(Bytes other) {
        return Arrays.compareUnsigned(data, other.data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes b && Arrays.equals(data, b.data);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = hash(data);
            hash = h;
        }
        return h;
    }

    /**
     * {@link Arrays#hashCode(byte[])}'s value, four bytes a step: {@code 31^4 h + 31^3 b0 + 31^2 b1 +
     * 31 b2 + b3} makes one multiply wait for the last where the byte-by-byte loop makes four, so a
     * 16-byte key hashes in a quarter of the time (every hashed look-up of a fresh key pays it).
     */
    static int hash(byte[] a) {
        int h = 1;
        int i = 0;
        for (; i + 3 < a.length; i += 4) {
            h = 923521 * h + 29791 * a[i] + 961 * a[i + 1] + 31 * a[i + 2] + a[i + 3];
        }
        for (; i < a.length; i++) {
            h = 31 * h + a[i];
        }
        return h;
    }

    /** Printable ASCII as is, anything else as {@code \xNN}: readable in test failures. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(data.length + 2).append('"');
        for (byte b : data) {
            int c = b & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return sb.append('"').toString();
    }
}
