package dev.storagelab.sortedlog;

import static dev.storagelab.sortedlog.SegmentFormat.*;

import dev.storagelab.io.ReadableFile;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.StoreMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

/**
 * An open, immutable segment: its footer and sparse index in memory, its blocks on disk. Opening
 * reads only the footer and the index, so reopening a store costs O(segments), not O(data). A
 * lookup binary-searches the index for the one block that can hold the key and reads that block.
 *
 * <p>Thread-safe. Reference-counted: the opener holds one reference, and every
 * {@link #retain()} must be matched by a {@link #release()}; the file closes when the count
 * reaches zero, so a compaction can drop a segment while a reader is still inside it.
 */
public final class SegmentReader implements AutoCloseable {

    private final String name;
    private final String describe;
    private final ReadableFile file;
    private final StoreMetrics metrics;
    private final long fileSize;
    private final long entryCount;
    private final int blockSize;
    private final List<Bytes> firstKeys;
    private final long[] blockOffsets;
    private final int[] blockLengths;
    private final Bytes lastKey;
    private final AtomicInteger refs = new AtomicInteger(1);

    private SegmentReader(String name, String describe, ReadableFile file, StoreMetrics metrics) throws IOException {
        this.name = name;
        this.describe = describe;
        this.file = file;
        this.metrics = metrics;
        this.fileSize = file.size();
        if (fileSize < FOOTER_SIZE) {
            throw new CorruptionException(
                    describe,
                    0,
                    "file is " + fileSize + " bytes, shorter than a " + FOOTER_SIZE
                            + "-byte footer (truncated segment)");
        }
        long footerOffset = fileSize - FOOTER_SIZE;
        ByteBuffer footer = ByteBuffer.wrap(file.readFully(footerOffset, FOOTER_SIZE));
        long magic = footer.getLong(FOOTER_SIZE - 8);
        if (magic != MAGIC) {
            throw new CorruptionException(
                    describe,
                    footerOffset,
                    String.format(
                            "wrong magic number 0x%016x, expected 0x%016x (not a segment, or truncated)",
                            magic, MAGIC));
        }
        CRC32C crc = new CRC32C();
        crc.update(footer.array(), 0, FOOTER_CHECKED_SIZE);
        if ((int) crc.getValue() != footer.getInt(FOOTER_CHECKED_SIZE)) {
            throw new CorruptionException(describe, footerOffset, "footer checksum mismatch");
        }
        long indexOffset = footer.getLong();
        int indexLength = footer.getInt();
        this.entryCount = footer.getLong();
        this.blockSize = footer.getInt();
        int version = footer.getInt();
        if (version != VERSION) {
            throw new CorruptionException(
                    describe, footerOffset, "unsupported segment version " + version + ", expected " + VERSION);
        }
        if (indexOffset < 0 || indexLength < 8 || indexOffset + indexLength != footerOffset) {
            throw new CorruptionException(
                    describe,
                    footerOffset,
                    "index at " + indexOffset + " (" + indexLength + " bytes) does not end where the footer starts");
        }
        byte[] index = file.readFully(indexOffset, indexLength);
        crc.reset();
        crc.update(index, 0, indexLength - 4);
        ByteBuffer buf = ByteBuffer.wrap(index);
        if ((int) crc.getValue() != buf.getInt(indexLength - 4)) {
            throw new CorruptionException(describe, indexOffset, "index checksum mismatch");
        }
        buf.limit(indexLength - 4);
        int blocks = buf.getInt();
        if (blocks <= 0 || blocks > indexLength / 16) {
            throw new CorruptionException(describe, indexOffset, "index claims " + blocks + " blocks");
        }
        List<Bytes> keys = new ArrayList<>(blocks);
        blockOffsets = new long[blocks];
        blockLengths = new int[blocks];
        long expectedOffset = 0;
        for (int i = 0; i < blocks; i++) {
            Bytes key = readKey(buf, indexOffset);
            if (buf.remaining() < 12) {
                throw new CorruptionException(describe, indexOffset, "index entry " + i + " is cut short");
            }
            blockOffsets[i] = buf.getLong();
            blockLengths[i] = buf.getInt();
            if (blockOffsets[i] != expectedOffset || blockLengths[i] < BLOCK_TRAILER_SIZE) {
                throw new CorruptionException(
                        describe,
                        indexOffset,
                        "index entry " + i + " points at offset " + blockOffsets[i] + " length " + blockLengths[i]
                                + "; blocks must be contiguous");
            }
            expectedOffset += blockLengths[i];
            if (!keys.isEmpty() && keys.get(keys.size() - 1).compareTo(key) >= 0) {
                throw new CorruptionException(describe, indexOffset, "index keys out of order at entry " + i);
            }
            keys.add(key);
        }
        if (expectedOffset != indexOffset) {
            throw new CorruptionException(
                    describe,
                    indexOffset,
                    "blocks end at " + expectedOffset + " but the index starts at " + indexOffset);
        }
        this.lastKey = readKey(buf, indexOffset);
        if (buf.hasRemaining()) {
            throw new CorruptionException(describe, indexOffset, buf.remaining() + " unexpected bytes after the index");
        }
        this.firstKeys = Collections.unmodifiableList(keys);
    }

    private Bytes readKey(ByteBuffer buf, long indexOffset) throws CorruptionException {
        if (buf.remaining() < 4) {
            throw new CorruptionException(describe, indexOffset, "index is cut short");
        }
        int length = buf.getInt();
        if (length <= 0 || length > buf.remaining()) {
            throw new CorruptionException(
                    describe,
                    indexOffset,
                    "index key length " + length + " does not fit the " + buf.remaining() + " bytes left");
        }
        return Bytes.read(buf, length);
    }

    /**
     * Opens the segment {@code name}: reads and checks its footer and index.
     *
     * @param metrics where to count block reads; may be null
     * @throws CorruptionException naming the file and offset if the footer or index is bad
     */
    public static SegmentReader open(Storage storage, String name, StoreMetrics metrics) throws IOException {
        ReadableFile file = storage.openRead(name);
        try {
            return new SegmentReader(name, storage.describe(name), file, metrics);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /**
     * The entry for {@code key}: a value, a tombstone, or null if this segment has no entry for it.
     *
     * <p>Keys outside [first key, last key] cannot be here: answer without reading a block.
     * Otherwise find the last block whose first key is ≤ {@code key} with
     * {@link BinarySearch#indexOf(List, Object, Comparator)} (its contract gives that "floor"
     * directly), read it with {@link #readBlock(int)}, and look inside with
     * {@link BlockReader#find(Bytes)}. Exactly one block is read.
     */
    public Entry get(Bytes key) throws IOException {
        // BEGIN SOLUTION lab-01 T7
        if (key.compareTo(firstKeys.get(0)) < 0 || key.compareTo(lastKey) > 0) {
            return null;
        }
        int i = BinarySearch.indexOf(firstKeys, key, Comparator.naturalOrder());
        int block = i >= 0 ? i : -i - 2;
        return readBlock(block).find(key);
        // END SOLUTION
    }

    /** Reads block {@code i} and checks its CRC. */
    public BlockReader readBlock(int i) throws IOException {
        if (metrics != null) {
            metrics.recordBlockRead();
        }
        byte[] bytes = file.readFully(blockOffsets[i], blockLengths[i]);
        return new BlockReader(bytes, describe, blockOffsets[i]);
    }

    /** Every entry in key order, tombstones included, reading one block at a time. */
    public EntryIterator iterator() {
        return new EntryIterator() {
            private int nextBlock;
            private Iterator<Entry> current = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && nextBlock < blockOffsets.length) {
                    try {
                        current = readBlock(nextBlock++).entries().iterator();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                return current.hasNext();
            }

            @Override
            public Entry next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }

            @Override
            public void close() {}
        };
    }

    /** The file name. */
    public String name() {
        return name;
    }

    /** The first key of each block: the sparse index. */
    public List<Bytes> blockFirstKeys() {
        return firstKeys;
    }

    /** The number of blocks. */
    public int blockCount() {
        return blockOffsets.length;
    }

    public Bytes firstKey() {
        return firstKeys.get(0);
    }

    public Bytes lastKey() {
        return lastKey;
    }

    /** Entries in the segment, tombstones included. */
    public long entryCount() {
        return entryCount;
    }

    /** The target block size the segment was written with. */
    public int blockSize() {
        return blockSize;
    }

    public long fileSize() {
        return fileSize;
    }

    /** Takes one more reference. Fails if the segment is already closed. */
    public SegmentReader retain() {
        while (true) {
            int r = refs.get();
            if (r <= 0) {
                throw new IllegalStateException("segment " + name + " is already closed");
            }
            if (refs.compareAndSet(r, r + 1)) {
                return this;
            }
        }
    }

    /** Drops one reference; the last one closes the file. */
    public void release() throws IOException {
        int r = refs.decrementAndGet();
        if (r == 0) {
            file.close();
        } else if (r < 0) {
            throw new IllegalStateException("segment " + name + " released more often than retained");
        }
    }

    /** Drops the opener's reference. */
    @Override
    public void close() throws IOException {
        release();
    }

    @Override
    public String toString() {
        return name + " [" + firstKey() + " .. " + lastKey + ", " + entryCount + " entries, " + blockCount()
                + " blocks]";
    }
}
