package dev.storagelab.sortedlog;

import static com.google.common.base.Preconditions.checkArgument;
import static dev.storagelab.sortedlog.SegmentFormat.*;

import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Writes one segment from entries given in strictly increasing key order, and publishes it
 * atomically: the bytes go to {@code name + ".tmp"}, which is forced, renamed to {@code name}, and
 * the directory synced. A crash at any point leaves either no segment or the complete one.
 */
public final class SegmentWriter implements AutoCloseable {

    /** The suffix of a segment still being written; recovery deletes such files. */
    public static final String TEMP_SUFFIX = ".tmp";

    /** Where one block sits, and the first key in it: one entry of the sparse index. */
    record BlockHandle(Bytes firstKey, long offset, int length) {}

    private final Storage storage;
    private final String name;
    private final String tempName;
    private final int blockSize;
    private final WritableFile file;
    private final BlockBuilder block = new BlockBuilder();
    private final List<BlockHandle> index = new ArrayList<>();
    private long offset;
    private long entryCount;
    private Bytes lastKey;
    private boolean finished;

    /**
     * Starts a segment that will be published as {@code name}.
     *
     * @param blockSize the target block size in bytes (4096 by default)
     */
    public SegmentWriter(Storage storage, String name, int blockSize) throws IOException {
        checkArgument(blockSize >= 64, "blockSize must be at least 64 bytes: %s", blockSize);
        this.storage = storage;
        this.name = Storage.checkName(name);
        this.tempName = name + TEMP_SUFFIX;
        this.blockSize = blockSize;
        this.file = storage.create(tempName);
    }

    /** Adds the next entry; its key must be greater than every key added before. */
    public void add(Entry entry) throws IOException {
        checkArgument(!finished, "segment %s is already finished", name);
        if (lastKey != null && lastKey.compareTo(entry.key()) >= 0) {
            throw new IllegalArgumentException("keys must be added in strictly increasing order: " + entry.key()
                    + " after " + lastKey + " in " + name);
        }
        if (!block.isEmpty() && block.estimatedSize() + BlockBuilder.encodedSize(entry) > blockSize) {
            flushBlock();
        }
        block.add(entry);
        lastKey = entry.key();
        entryCount++;
    }

    private void flushBlock() throws IOException {
        Bytes firstKey = block.firstKey();
        byte[] bytes = block.finish();
        file.append(bytes);
        index.add(new BlockHandle(firstKey, offset, bytes.length));
        offset += bytes.length;
    }

    /**
     * Writes the last block, the index and the footer, then publishes the segment.
     *
     * @return the number of bytes in the published segment
     * @throws IllegalStateException if no entry was added (an empty segment is never written)
     */
    public long finish() throws IOException {
        if (entryCount == 0) {
            throw new IllegalStateException("segment " + name + " has no entries; abort() it instead");
        }
        flushBlock();
        long size = writeIndexAndFooterThenPublish();
        finished = true;
        return size;
    }

    /**
     * Appends the index and the footer after the blocks written so far, then publishes the file.
     *
     * <p>The index lists, for each block ({@link #index}), its first key, offset and length, then
     * the segment's last key ({@link #lastKey}), then a CRC32C over all of that. The footer
     * records where the index is, the entry count, the block size, the version, its own CRC32C and
     * the magic number. Then publish: force the temp file, close it, rename it to the final name,
     * sync the directory. Each step matters: a rename before the force can publish a file whose
     * bytes never reached the disk; without the directory sync the rename itself may be lost.
     *
     * @return the size of the finished file in bytes ({@link #offset} once everything is written)
     */
    private long writeIndexAndFooterThenPublish() throws IOException {
        // BEGIN SOLUTION lab-01 T6
        ByteArrayOutputStream indexBytes = new ByteArrayOutputStream();
        ByteBuffer count = ByteBuffer.allocate(4).putInt(index.size());
        indexBytes.writeBytes(count.array());
        for (BlockHandle h : index) {
            ByteBuffer e = ByteBuffer.allocate(4 + h.firstKey().length() + 12);
            e.putInt(h.firstKey().length());
            h.firstKey().writeTo(e);
            e.putLong(h.offset()).putInt(h.length());
            indexBytes.writeBytes(e.array());
        }
        ByteBuffer last = ByteBuffer.allocate(4 + lastKey.length()).putInt(lastKey.length());
        lastKey.writeTo(last);
        indexBytes.writeBytes(last.array());
        CRC32C crc = new CRC32C();
        byte[] indexBody = indexBytes.toByteArray();
        crc.update(indexBody);
        byte[] indexBlock = ByteBuffer.allocate(indexBody.length + 4)
                .put(indexBody)
                .putInt((int) crc.getValue())
                .array();
        long indexOffset = offset;
        file.append(indexBlock);
        offset += indexBlock.length;

        ByteBuffer footer = ByteBuffer.allocate(FOOTER_SIZE);
        footer.putLong(indexOffset)
                .putInt(indexBlock.length)
                .putLong(entryCount)
                .putInt(blockSize)
                .putInt(VERSION);
        crc.reset();
        crc.update(footer.array(), 0, FOOTER_CHECKED_SIZE);
        footer.putInt((int) crc.getValue()).putLong(MAGIC);
        file.append(footer.flip());
        offset += FOOTER_SIZE;

        file.force();
        file.close();
        storage.rename(tempName, name);
        storage.syncDirectory();
        return offset;
        // END SOLUTION
    }

    /** Abandons the segment and deletes its temp file. */
    public void abort() throws IOException {
        if (finished) {
            return;
        }
        finished = true;
        file.close();
        if (storage.exists(tempName)) {
            storage.delete(tempName);
        }
    }

    /** The number of entries added. */
    public long entryCount() {
        return entryCount;
    }

    /** Aborts the segment unless {@link #finish()} succeeded. */
    @Override
    public void close() throws IOException {
        abort();
    }
}
