package dev.storagelab.lsm;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.KeyValueStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Puts and deletes applied atomically: the store gives the batch's operations consecutive sequence
 * numbers starting at one it picks, writes the whole batch as <em>one</em> write-ahead log record
 * (lab-01's framing: a CRC32C over the record, so a torn record is dropped as a whole) and only then
 * applies it to the memtable. After a crash either every operation of the batch is there or none.
 *
 * <p>The log record's payload, {@link #encode}:
 *
 * <pre>
 * +----------------------------+------------------+-----------+-----+-----------+
 * | first sequence (8, big-end)| count (4, big-end)| record 1 | ... | record n  |
 * +----------------------------+------------------+-----------+-----+-----------+
 * record, PUT:    | type 1 (1) | key length (varint) | key | value length (varint) | value |
 * record, DELETE: | type 0 (1) | key length (varint) | key |
 * </pre>
 *
 * Operation {@code i} (from 0) gets sequence number {@code first + i}; a later operation on the
 * same key within one batch therefore wins, as if the operations had been applied one by one.
 */
public final class WriteBatch {

    /** First sequence number and count. */
    public static final int HEADER_BYTES = 12;

    private final List<Entry> ops = new ArrayList<>();
    private long payloadBytes;
    /**
     * Run by {@link #forEach} after each operation it hands over, or null: the hidden race tests'
     * pause point inside the store's write path (they stop a writer between two operations of a
     * batch, where a reader must still see none of it).
     */
    Runnable afterEachOperation;

    /**
     * A batch of {@code ops} in order: a put for each value, a delete for each tombstone, every key
     * and value checked as a store checks them at its edge ({@link KeyValueStore#checkKey},
     * {@link KeyValueStore#checkValue}).
     */
    public static WriteBatch of(List<Entry> ops) {
        WriteBatch batch = new WriteBatch();
        for (Entry e : ops) {
            if (e.isTombstone()) {
                batch.delete(KeyValueStore.checkKey(e.key()));
            } else {
                batch.put(KeyValueStore.checkKey(e.key()), KeyValueStore.checkValue(e.value()));
            }
        }
        return batch;
    }

    /** Adds a put of {@code value} under {@code key}. */
    public WriteBatch put(Bytes key, Bytes value) {
        ops.add(Entry.put(Objects.requireNonNull(key, "key"), value));
        payloadBytes += 1 + Varint.size(key.length()) + key.length() + Varint.size(value.length()) + value.length();
        return this;
    }

    /** Adds a delete of {@code key}. */
    public WriteBatch delete(Bytes key) {
        ops.add(Entry.tombstone(Objects.requireNonNull(key, "key")));
        payloadBytes += 1 + Varint.size(key.length()) + key.length();
        return this;
    }

    /** The operations in the order they were added; a tombstone {@link Entry} is a delete. */
    public List<Entry> operations() {
        return Collections.unmodifiableList(ops);
    }

    /** The number of operations. */
    public int count() {
        return ops.size();
    }

    public boolean isEmpty() {
        return ops.isEmpty();
    }

    /** The exact size of {@link #encode}'s result. */
    public int encodedBytes() {
        return Math.toIntExact(HEADER_BYTES + payloadBytes);
    }

    /**
     * Hands each operation to {@code apply} with its internal key, operation {@code i} at sequence
     * {@code firstSequence + i}; the value is null for a delete. This is how the store applies a
     * batch to its memtable, after the log record is written.
     */
    public void forEach(long firstSequence, BiConsumer<InternalKey, Bytes> apply) {
        checkSequences(firstSequence, ops.size());
        for (int i = 0; i < ops.size(); i++) {
            Entry e = ops.get(i);
            apply.accept(
                    new InternalKey(e.key(), firstSequence + i, e.isTombstone() ? ValueType.DELETE : ValueType.PUT),
                    e.value());
            if (afterEachOperation != null) {
                afterEachOperation.run();
            }
        }
    }

    /**
     * The log record's payload for this batch with its first operation at {@code firstSequence},
     * in the layout of the class comment.
     *
     * @throws IllegalArgumentException if the batch is empty or its last sequence number would pass
     *         {@link InternalKey#MAX_SEQUENCE}
     */
    public byte[] encode(long firstSequence) {
        if (ops.isEmpty()) {
            throw new IllegalArgumentException("an empty write batch has nothing to log");
        }
        checkSequences(firstSequence, ops.size());
        // BEGIN SOLUTION lab-05 T1
        byte[] out = new byte[encodedBytes()]; // the exact size: one array, no copy at the end
        int pos = 0;
        for (int i = 7; i >= 0; i--) {
            out[pos++] = (byte) (firstSequence >>> (8 * i));
        }
        int n = ops.size();
        for (int i = 3; i >= 0; i--) {
            out[pos++] = (byte) (n >>> (8 * i));
        }
        for (int i = 0; i < n; i++) {
            Entry e = ops.get(i);
            out[pos++] = (byte) (e.isTombstone() ? ValueType.DELETE.code() : ValueType.PUT.code());
            pos = Varint.write(out, pos, e.key().length());
            e.key().copyTo(out, pos);
            pos += e.key().length();
            if (!e.isTombstone()) {
                pos = Varint.write(out, pos, e.value().length());
                e.value().copyTo(out, pos);
                pos += e.value().length();
            }
        }
        return out;
        // END SOLUTION
    }

    /** A batch read back from a log record, with the sequence number of its first operation. */
    public record Decoded(long firstSequence, WriteBatch batch) {
        /** The sequence number of the batch's last operation. */
        public long lastSequence() {
            return firstSequence + batch.count() - 1;
        }
    }

    /**
     * Reads back a payload {@link #encode} wrote. Every length is checked against the bytes that
     * remain; nothing is silently skipped.
     *
     * @param file       the log the payload came from, for the exception
     * @param fileOffset where the record starts in that log, for the exception
     * @throws CorruptionException naming the file and offset if the payload is shorter than its
     *         header, holds no operation, has an unknown operation type, a length that runs past the
     *         end, fewer or more records than its count, or sequence numbers past
     *         {@link InternalKey#MAX_SEQUENCE}
     */
    public static Decoded decode(byte[] payload, String file, long fileOffset) throws CorruptionException {
        // BEGIN SOLUTION lab-05 T1
        if (payload.length < HEADER_BYTES) {
            throw new CorruptionException(
                    file, fileOffset, "write batch of " + payload.length + " bytes is shorter than its 12-byte header");
        }
        long first = InternalKey.trailerAt(payload, 0);
        int count = (int) (InternalKey.trailerAt(payload, 4) & 0xffffffffL);
        if (count <= 0) {
            throw new CorruptionException(
                    file, fileOffset, "write batch count " + Integer.toUnsignedString(count) + " is not positive");
        }
        if (first < 0 || first > InternalKey.MAX_SEQUENCE - (count - 1)) {
            throw new CorruptionException(
                    file,
                    fileOffset,
                    "write batch sequence numbers " + Long.toUnsignedString(first) + " + " + count
                            + " pass the largest sequence number");
        }
        WriteBatch batch = new WriteBatch();
        int pos = HEADER_BYTES;
        for (int i = 0; i < count; i++) {
            if (pos >= payload.length) {
                throw new CorruptionException(
                        file, fileOffset, "write batch holds " + i + " records, its header says " + count);
            }
            ValueType type = ValueType.ofCode(payload[pos] & 0xff);
            if (type == null) {
                throw new CorruptionException(
                        file,
                        fileOffset,
                        "write batch record " + i + " has unknown type " + (payload[pos] & 0xff) + " at byte " + pos);
            }
            pos++;
            long keyLen = Varint.read(payload, pos, payload.length);
            if (keyLen < 0 || Varint.value(keyLen) > payload.length - Varint.next(keyLen)) {
                throw new CorruptionException(
                        file,
                        fileOffset,
                        "write batch record " + i + " key length at byte " + pos + " runs past the end of the batch");
            }
            pos = Varint.next(keyLen);
            Bytes key = Bytes.copyOf(payload, pos, Varint.value(keyLen));
            pos += Varint.value(keyLen);
            if (type == ValueType.DELETE) {
                batch.delete(key);
                continue;
            }
            long valueLen = Varint.read(payload, pos, payload.length);
            if (valueLen < 0 || Varint.value(valueLen) > payload.length - Varint.next(valueLen)) {
                throw new CorruptionException(
                        file,
                        fileOffset,
                        "write batch record " + i + " value length at byte " + pos + " runs past the end of the batch");
            }
            pos = Varint.next(valueLen);
            batch.put(key, Bytes.copyOf(payload, pos, Varint.value(valueLen)));
            pos += Varint.value(valueLen);
        }
        if (pos != payload.length) {
            throw new CorruptionException(
                    file,
                    fileOffset,
                    "write batch has " + (payload.length - pos) + " bytes after its " + count + " records");
        }
        return new Decoded(first, batch);
        // END SOLUTION
    }

    private static void checkSequences(long firstSequence, int count) {
        if (firstSequence < 0 || firstSequence > InternalKey.MAX_SEQUENCE - Math.max(0, count - 1)) {
            throw new IllegalArgumentException("sequence numbers " + firstSequence + " to " + firstSequence + " + "
                    + count + " - 1 must lie in [0, 2^56 - 1]");
        }
    }

    @Override
    public String toString() {
        return "WriteBatch" + ops;
    }
}
