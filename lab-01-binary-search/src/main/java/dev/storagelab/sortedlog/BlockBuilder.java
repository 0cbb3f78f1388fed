package dev.storagelab.sortedlog;

import static dev.storagelab.sortedlog.SegmentFormat.*;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Builds one block of a segment: sorted entries followed by the entry count and a CRC32C
 * (format in {@link SegmentFormat}). A block is the unit a lookup reads and checks.
 */
public final class BlockBuilder {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(DEFAULT_BLOCK_SIZE * 2);
    private int count;
    private Bytes firstKey;
    private Bytes lastKey;

    /**
     * Appends {@code entry}, encoded as the format says: type, key length, value length, key,
     * value. The caller guarantees keys arrive in strictly increasing order.
     */
    public void add(Entry entry) {
        if (count == 0) {
            firstKey = entry.key();
        }
        lastKey = entry.key();
        count++;
        // BEGIN SOLUTION lab-01 T6
        int valueLength = entry.isTombstone() ? 0 : entry.value().length();
        ByteBuffer header = ByteBuffer.allocate(ENTRY_HEADER_SIZE);
        header.put(entry.isTombstone() ? TYPE_TOMBSTONE : TYPE_VALUE);
        header.putInt(entry.key().length());
        header.putInt(valueLength);
        out.write(header.array(), 0, ENTRY_HEADER_SIZE);
        out.writeBytes(entry.key().toByteArray());
        if (!entry.isTombstone()) {
            out.writeBytes(entry.value().toByteArray());
        }
        // END SOLUTION
    }

    /** The size the block would have if finished now, trailer included. */
    public int estimatedSize() {
        return out.size() + BLOCK_TRAILER_SIZE;
    }

    /** The size {@code entry} adds to the block. */
    public static int encodedSize(Entry entry) {
        return ENTRY_HEADER_SIZE
                + entry.key().length()
                + (entry.isTombstone() ? 0 : entry.value().length());
    }

    public boolean isEmpty() {
        return count == 0;
    }

    public int count() {
        return count;
    }

    public Bytes firstKey() {
        return firstKey;
    }

    public Bytes lastKey() {
        return lastKey;
    }

    /** Appends the trailer and returns the finished block; then the builder is empty again. */
    public byte[] finish() {
        ByteBuffer trailer = ByteBuffer.allocate(BLOCK_TRAILER_SIZE);
        trailer.putInt(count);
        out.write(trailer.array(), 0, 4);
        CRC32C crc = new CRC32C();
        byte[] body = out.toByteArray();
        crc.update(body);
        byte[] block = ByteBuffer.allocate(body.length + 4)
                .put(body)
                .putInt((int) crc.getValue())
                .array();
        out.reset();
        count = 0;
        firstKey = null;
        lastKey = null;
        return block;
    }
}
