package dev.storagelab.hybrid.query;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.mvcc.VersionedKey;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The keys a {@link Table} writes into its ordered store, and the order-preserving encoding of
 * values inside them (handout, "Formats": the byte diagrams):
 * <pre>
 *   row:   table "/r/" enc(pk)                         -&gt; the row ({@link RowFormat})
 *   index: table "/i/" column "/" enc(value) enc(pk)   -&gt; empty
 * </pre>
 * {@code enc} keeps the order of values in the unsigned byte order of the keys and is
 * self-delimiting, so that {@code enc(value)} followed by {@code enc(pk)} sorts by value, then by
 * primary key:
 * <ul>
 *   <li>a long is its 8 bytes big-endian with the sign bit flipped ({@code v ^ Long.MIN_VALUE}):
 *       -1 becomes {@code 7f ff .. ff} and 0 becomes {@code 80 00 .. 00}, so negatives sort first;</li>
 *   <li>a string is its UTF-8 bytes with every {@code 00} written {@code 00 ff}, then the terminator
 *       {@code 00 01}: lab-06's key escaping ({@link VersionedKey#versionsStart}), so {@code "a"}
 *       sorts before {@code "a\0"} and {@code "ab"}, and the pk after it cannot change the order.</li>
 * </ul>
 * Names are {@code [a-z][a-z0-9_]*}: no table's prefix {@code "orders/"} is a prefix of another's.
 */
public final class TableKeys {

    /** The separator between the parts of a key's prefix. */
    public static final char SEPARATOR = '/';
    /** The bytes of a long's encoding. */
    public static final int LONG_BYTES = 8;

    private final Schema schema;
    private final Bytes rowPrefix;
    private final Bytes[] indexPrefixes;

    public TableKeys(Schema schema) {
        this.schema = schema;
        this.rowPrefix = Bytes.of(schema.table() + "/r/");
        this.indexPrefixes = new Bytes[schema.columns().size()];
        for (String c : schema.indexed()) {
            indexPrefixes[schema.indexOf(c)] = Bytes.of(schema.table() + "/i/" + c + "/");
        }
    }

    public Schema schema() {
        return schema;
    }

    /** The prefix of every row key. */
    public Bytes rowPrefix() {
        return rowPrefix;
    }

    /** The prefix of every index entry of {@code column}. */
    public Bytes indexPrefix(String column) {
        Bytes p = indexPrefixes[schema.indexOf(column)];
        if (p == null) {
            throw new IllegalArgumentException("table " + schema.table() + " has no index on " + column);
        }
        return p;
    }

    /** The key of the row whose primary key is {@code pk}. */
    public Bytes rowKey(Object pk) {
        return concat(rowPrefix, encode(schema.column(schema.primaryKey()).type(), pk));
    }

    /** The key of {@code column}'s index entry for {@code value} in the row of primary key {@code pk}. */
    public Bytes indexKey(String column, Object value, Object pk) {
        return concat(
                indexPrefix(column),
                encode(schema.column(column).type(), value),
                encode(schema.column(schema.primaryKey()).type(), pk));
    }

    /**
     * The key range {@code [from, to)} of the entries of {@code column}'s index whose value lies in
     * {@code p}'s range: from the first entry of {@code p.low} (or after its last, if exclusive) to
     * the first entry past {@code p.high} (or the first of it, if exclusive); an open end is the
     * index's own end. An empty range ({@code [5, 3]}, {@code (4, 4]}) gives {@code from == to}.
     */
    public Bytes[] indexRange(String column, Predicate p) {
        ColumnType type = schema.column(column).type();
        Bytes prefix = indexPrefix(column);
        Bytes from = p.low() == null
                ? prefix
                : p.lowInclusive() ? concat(prefix, encode(type, p.low())) : afterValue(prefix, type, p.low());
        Bytes to = p.high() == null
                ? prefixEnd(prefix)
                : p.highInclusive() ? afterValue(prefix, type, p.high()) : concat(prefix, encode(type, p.high()));
        return new Bytes[] {from, from.compareTo(to) > 0 ? from : to}; // an empty range: from == to
    }

    /** The key range {@code [from, to)} of the rows whose primary key lies in {@code p}'s range (null: every row; empty: {@code from == to}). */
    public Bytes[] rowRange(Predicate p) {
        if (p == null) {
            return new Bytes[] {rowPrefix, prefixEnd(rowPrefix)};
        }
        ColumnType type = schema.column(schema.primaryKey()).type();
        Bytes from = p.low() == null
                ? rowPrefix
                : p.lowInclusive() ? concat(rowPrefix, encode(type, p.low())) : afterValue(rowPrefix, type, p.low());
        Bytes to = p.high() == null
                ? prefixEnd(rowPrefix)
                : p.highInclusive() ? afterValue(rowPrefix, type, p.high()) : concat(rowPrefix, encode(type, p.high()));
        return new Bytes[] {from, from.compareTo(to) > 0 ? from : to}; // an empty range: from == to
    }

    /**
     * The row key an index entry points at: the row prefix and the entry's last part, the encoded
     * primary key (found by skipping the encoded value after the index's prefix).
     *
     * @throws CorruptionException if {@code indexKey} is not an entry of {@code column}'s index
     */
    public Bytes rowKeyOfIndexEntry(String column, Bytes indexKey) throws CorruptionException {
        Bytes prefix = indexPrefix(column);
        if (!indexKey.startsWith(prefix)) {
            throw new CorruptionException("index key " + indexKey, 0, "not an entry of the index on " + column);
        }
        int pos = prefix.length();
        byte[] k = indexKey.toByteArray();
        if (schema.column(column).type() == ColumnType.LONG) {
            pos += LONG_BYTES;
        } else {
            while (pos + 1 < k.length && !(k[pos] == 0 && k[pos + 1] == VersionedKey.TERMINATOR)) {
                pos += k[pos] == 0 ? 2 : 1;
            }
            pos += 2;
        }
        if (pos >= k.length) {
            throw new CorruptionException(
                    "index key " + indexKey, Math.min(pos, k.length), "no primary key after the value");
        }
        byte[] out = new byte[rowPrefix.length() + k.length - pos];
        rowPrefix.copyTo(out, 0);
        System.arraycopy(k, pos, out, rowPrefix.length(), k.length - pos);
        return Bytes.wrap(out);
    }

    /** The order-preserving, self-delimiting encoding of {@code value} of {@code type}. */
    public static Bytes encode(ColumnType type, Object value) {
        if (type == ColumnType.LONG) {
            long v = (Long) value ^ Long.MIN_VALUE;
            byte[] out = new byte[LONG_BYTES];
            for (int i = 0; i < LONG_BYTES; i++) {
                out[i] = (byte) (v >>> (56 - 8 * i));
            }
            return Bytes.wrap(out);
        }
        return VersionedKey.versionsStart(Bytes.of((String) value));
    }

    /** The long encoded at the start of {@code bytes} (the inverse of {@link #encode} for a long). */
    public static long decodeLong(byte[] bytes, int offset) {
        long v = 0;
        for (int i = 0; i < LONG_BYTES; i++) {
            v = (v << 8) | (bytes[offset + i] & 0xff);
        }
        return v ^ Long.MIN_VALUE;
    }

    /**
     * Where {@code value} sits on a line of numbers, for a histogram's interpolation: a long is
     * itself; a string is its first 6 UTF-8 bytes read as an unsigned big-endian number (missing
     * bytes as 0). The order of values is kept, though strings with the same first 6 bytes share a
     * position.
     */
    public static double position(Object value) {
        if (value instanceof Long l) {
            return l;
        }
        byte[] b = ((String) value).getBytes(StandardCharsets.UTF_8);
        long p = 0;
        for (int i = 0; i < 6; i++) {
            p = (p << 8) | (i < b.length ? b[i] & 0xff : 0);
        }
        return p;
    }

    /** The first key after every key that starts with {@code prefix} plus {@code enc(value)}. */
    private static Bytes afterValue(Bytes prefix, ColumnType type, Object value) {
        return prefixEnd(concat(prefix, encode(type, value)));
    }

    /** The smallest key greater than every key that starts with {@code prefix} (its last byte raised; here never 0xff). */
    static Bytes prefixEnd(Bytes prefix) {
        byte[] b = prefix.toByteArray();
        int i = b.length - 1;
        while (i >= 0 && b[i] == (byte) 0xff) {
            i--;
        }
        if (i < 0) {
            throw new IllegalArgumentException("no key follows every key starting with " + prefix);
        }
        b[i]++;
        return Bytes.copyOf(b, 0, i + 1);
    }

    static Bytes concat(Bytes... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Bytes p : parts) {
            out.writeBytes(p.toByteArray());
        }
        return Bytes.wrap(out.toByteArray());
    }
}
