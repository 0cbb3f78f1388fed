package dev.storagelab.sortedlog;

import static dev.storagelab.sortedlog.SegmentFormat.*;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One block read back from a segment, checked and decoded. Construction verifies the CRC and
 * decodes every entry defensively: each length is checked against the bytes that remain, so a
 * corrupt block becomes a {@link CorruptionException} naming the file and the block's offset,
 * never an exception deep inside or a wrong value.
 */
public final class BlockReader {

    private final List<Entry> entries;

    /**
     * Checks and decodes {@code block}.
     *
     * @param block  the block's bytes, trailer included
     * @param file   the segment's name, for error messages
     * @param offset the block's offset in the file, for error messages
     */
    public BlockReader(byte[] block, String file, long offset) throws CorruptionException {
        if (block.length < BLOCK_TRAILER_SIZE) {
            throw new CorruptionException(
                    file, offset, "block is " + block.length + " bytes, shorter than its trailer");
        }
        ByteBuffer buf = ByteBuffer.wrap(block);
        int bodyEnd = block.length - 4;
        CRC32C crc = new CRC32C();
        crc.update(block, 0, bodyEnd);
        if ((int) crc.getValue() != buf.getInt(bodyEnd)) {
            throw new CorruptionException(file, offset, "block checksum mismatch");
        }
        int count = buf.getInt(bodyEnd - 4);
        int entriesEnd = bodyEnd - 4;
        List<Entry> list = new ArrayList<>(Math.max(0, Math.min(count, block.length / ENTRY_HEADER_SIZE)));
        buf.limit(entriesEnd);
        Bytes previous = null;
        while (buf.hasRemaining()) {
            int at = buf.position();
            if (buf.remaining() < ENTRY_HEADER_SIZE) {
                throw new CorruptionException(file, offset + at, "entry header is cut short by the block's end");
            }
            byte type = buf.get();
            int keyLength = buf.getInt();
            int valueLength = buf.getInt();
            if (keyLength <= 0 || valueLength < 0 || (long) keyLength + valueLength > buf.remaining()) {
                throw new CorruptionException(
                        file,
                        offset + at,
                        "entry lengths (key " + keyLength + ", value " + valueLength + ") do not fit the "
                                + buf.remaining() + " bytes left in the block");
            }
            Bytes key = Bytes.read(buf, keyLength);
            if (previous != null && previous.compareTo(key) >= 0) {
                throw new CorruptionException(file, offset + at, "keys out of order: " + key + " after " + previous);
            }
            previous = key;
            if (type == TYPE_VALUE) {
                list.add(Entry.put(key, Bytes.read(buf, valueLength)));
            } else if (type == TYPE_TOMBSTONE && valueLength == 0) {
                list.add(Entry.tombstone(key));
            } else {
                throw new CorruptionException(
                        file, offset + at, "bad entry type " + type + " with value length " + valueLength);
            }
        }
        if (list.size() != count || count == 0) {
            throw new CorruptionException(
                    file, offset, "block trailer says " + count + " entries but holds " + list.size());
        }
        this.entries = Collections.unmodifiableList(list);
    }

    /** The block's entries in key order. */
    public List<Entry> entries() {
        return entries;
    }

    /**
     * The entry for {@code key} in this block (a value or a tombstone), or null. Entries are
     * sorted, so stop as soon as you pass where the key would be.
     */
    public Entry find(Bytes key) {
        // BEGIN SOLUTION lab-01 T7
        // Blocks are small (4 KiB): a linear scan over one array is as fast as a binary search.
        for (Entry e : entries) {
            int c = e.key().compareTo(key);
            if (c == 0) {
                return e;
            }
            if (c > 0) {
                return null;
            }
        }
        return null;
        // END SOLUTION
    }

    /** The entries in key order, as an iterator. */
    public EntryIterator iterator() {
        return EntryIterator.of(entries.iterator());
    }
}
