package dev.storagelab.hybrid.query;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A row's bytes, the value of its row key (handout, "Formats"):
 * <pre>
 * +---------+---------+------------------------------------------------------------+
 * | version | columns | per column: tag u8, then the value                          |
 * | u8 = 1  | u16     |   tag 1 (long):   8 bytes big-endian                        |
 * |         |         |   tag 2 (string): u32 length, then that many UTF-8 bytes    |
 * +---------+---------+------------------------------------------------------------+
 * </pre>
 * No checksum of its own: the engine's blocks, pages and log records carry a CRC32C each. The tags
 * let a decoder check the row against the schema, so a row written under another schema is
 * reported, never misread.
 */
public final class RowFormat {

    /** The format's version, the row's first byte. */
    public static final int VERSION = 1;

    static final int TAG_LONG = 1;
    static final int TAG_STRING = 2;

    private RowFormat() {}

    /** The bytes of {@code row} (already checked against its schema). */
    public static Bytes encode(Row row) {
        List<byte[]> strings = new ArrayList<>();
        int size = 1 + 2;
        for (Object v : row.values()) {
            if (v instanceof Long) {
                size += 1 + 8;
            } else {
                byte[] s = ((String) v).getBytes(StandardCharsets.UTF_8);
                strings.add(s);
                size += 1 + 4 + s.length;
            }
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put((byte) VERSION).putShort((short) row.values().size());
        int next = 0;
        for (Object v : row.values()) {
            if (v instanceof Long l) {
                b.put((byte) TAG_LONG).putLong(l);
            } else {
                byte[] s = strings.get(next++);
                b.put((byte) TAG_STRING).putInt(s.length).put(s);
            }
        }
        return Bytes.wrap(b.array());
    }

    /**
     * The row in {@code bytes}, the value of {@code key}.
     *
     * @throws CorruptionException naming the key and the offset, if the version, the column count, a
     *                             tag or a length does not fit the schema and the bytes
     */
    public static Row decode(Schema schema, Bytes key, Bytes bytes) throws CorruptionException {
        byte[] a = bytes.toByteArray();
        String where = "row " + key;
        if (a.length < 3) {
            throw new CorruptionException(where, 0, "a row is at least 3 bytes, this one " + a.length);
        }
        if (a[0] != VERSION) {
            throw new CorruptionException(where, 0, "row format version " + a[0] + ", expected " + VERSION);
        }
        ByteBuffer b = ByteBuffer.wrap(a);
        b.position(1);
        int n = Short.toUnsignedInt(b.getShort());
        if (n != schema.columns().size()) {
            throw new CorruptionException(
                    where,
                    1,
                    "the row has " + n + " columns, table " + schema.table() + " has "
                            + schema.columns().size());
        }
        List<Object> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int at = b.position();
            if (b.remaining() < 1) {
                throw new CorruptionException(where, at, "the row ends before column " + i);
            }
            int tag = b.get();
            ColumnType type = schema.columns().get(i).type();
            if (tag == TAG_LONG && type == ColumnType.LONG) {
                if (b.remaining() < 8) {
                    throw new CorruptionException(where, at, "column " + i + "'s long is cut short");
                }
                values.add(b.getLong());
            } else if (tag == TAG_STRING && type == ColumnType.STRING) {
                if (b.remaining() < 4) {
                    throw new CorruptionException(where, at, "column " + i + "'s string length is cut short");
                }
                int len = b.getInt();
                if (len < 0 || len > b.remaining()) {
                    throw new CorruptionException(
                            where,
                            at + 1,
                            "column " + i + "'s string of " + len + " bytes does not fit in the " + b.remaining()
                                    + " left");
                }
                values.add(new String(a, b.position(), len, StandardCharsets.UTF_8));
                b.position(b.position() + len);
            } else {
                throw new CorruptionException(
                        where,
                        at,
                        "column " + i + " (" + schema.columns().get(i).name() + ", " + type + ") has tag " + tag);
            }
        }
        if (b.hasRemaining()) {
            throw new CorruptionException(where, b.position(), b.remaining() + " bytes after the last column");
        }
        return new Row(values);
    }
}
