package dev.storagelab.sortedlog.hidden;

import static dev.storagelab.sortedlog.SegmentFormat.BLOCK_TRAILER_SIZE;
import static dev.storagelab.sortedlog.SegmentFormat.ENTRY_HEADER_SIZE;
import static dev.storagelab.sortedlog.SegmentFormat.FOOTER_CHECKED_SIZE;
import static dev.storagelab.sortedlog.SegmentFormat.FOOTER_SIZE;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.sortedlog.SegmentFormat;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Segments built straight from the byte layout in {@link SegmentFormat}, independently of the
 * student's {@code BlockBuilder} and {@code SegmentWriter} (T6): the oracle for T6's output and
 * the input for the reader tests (T7), which then grade T7 alone.
 */
final class SpecSegment {

    private SpecSegment() {}

    /**
     * A built segment: its bytes, where each block starts and how long it is, and where the index
     * starts (the footer is the last {@value SegmentFormat#FOOTER_SIZE} bytes).
     */
    record Built(byte[] bytes, List<Bytes> firstKeys, List<long[]> blocks, long indexOffset) {

        /** Names the region of the layout that holds byte {@code offset}, for failure messages. */
        String regionOf(long offset) {
            for (int i = 0; i < blocks.size(); i++) {
                long start = blocks.get(i)[0];
                long length = blocks.get(i)[1];
                if (offset >= start && offset < start + length) {
                    return "block " + i + " (bytes " + start + ".." + (start + length) + ", trailer in its last "
                            + BLOCK_TRAILER_SIZE + ")";
                }
            }
            if (offset < bytes.length - FOOTER_SIZE) {
                return "the index (bytes " + indexOffset + ".." + (bytes.length - FOOTER_SIZE) + ")";
            }
            return offset < bytes.length ? "the footer (last " + FOOTER_SIZE + " bytes)" : "past the end";
        }
    }

    /** The segment the format describes for {@code sorted} (strictly increasing keys) and {@code blockSize}. */
    static Built build(List<Entry> sorted, int blockSize) {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        ByteArrayOutputStream index = new ByteArrayOutputStream();
        List<Bytes> firstKeys = new ArrayList<>();
        List<long[]> blocks = new ArrayList<>();
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        int count = 0;
        for (Entry e : sorted) {
            int size = ENTRY_HEADER_SIZE
                    + e.key().length()
                    + (e.isTombstone() ? 0 : e.value().length());
            // Cut when this entry would take the finished block (trailer included) past the target.
            if (count > 0 && block.size() + BLOCK_TRAILER_SIZE + size > blockSize) {
                finishBlock(file, block, count, blocks);
                count = 0;
            }
            if (count == 0) {
                firstKeys.add(e.key());
            }
            byte[] key = e.key().toByteArray();
            byte[] value = e.isTombstone() ? new byte[0] : e.value().toByteArray();
            block.writeBytes(ByteBuffer.allocate(ENTRY_HEADER_SIZE)
                    .put(e.isTombstone() ? SegmentFormat.TYPE_TOMBSTONE : SegmentFormat.TYPE_VALUE)
                    .putInt(key.length)
                    .putInt(value.length)
                    .array());
            block.writeBytes(key);
            block.writeBytes(value);
            count++;
        }
        finishBlock(file, block, count, blocks);

        long indexOffset = file.size();
        index.writeBytes(ByteBuffer.allocate(4).putInt(blocks.size()).array());
        for (int i = 0; i < blocks.size(); i++) {
            byte[] first = firstKeys.get(i).toByteArray();
            index.writeBytes(ByteBuffer.allocate(4 + first.length + 12)
                    .putInt(first.length)
                    .put(first)
                    .putLong(blocks.get(i)[0])
                    .putInt((int) blocks.get(i)[1])
                    .array());
        }
        byte[] last = sorted.get(sorted.size() - 1).key().toByteArray();
        index.writeBytes(ByteBuffer.allocate(4 + last.length)
                .putInt(last.length)
                .put(last)
                .array());
        byte[] indexBody = index.toByteArray();
        file.writeBytes(indexBody);
        file.writeBytes(ByteBuffer.allocate(4)
                .putInt(SpecLog.crc(indexBody, 0, indexBody.length))
                .array());

        ByteBuffer footer = ByteBuffer.allocate(FOOTER_SIZE)
                .putLong(indexOffset)
                .putInt(indexBody.length + 4)
                .putLong(sorted.size())
                .putInt(blockSize)
                .putInt(SegmentFormat.VERSION);
        footer.putInt(SpecLog.crc(footer.array(), 0, FOOTER_CHECKED_SIZE)).putLong(SegmentFormat.MAGIC);
        file.writeBytes(footer.array());
        return new Built(file.toByteArray(), List.copyOf(firstKeys), List.copyOf(blocks), indexOffset);
    }

    private static void finishBlock(
            ByteArrayOutputStream file, ByteArrayOutputStream block, int count, List<long[]> blocks) {
        block.writeBytes(ByteBuffer.allocate(4).putInt(count).array());
        byte[] body = block.toByteArray();
        long start = file.size();
        file.writeBytes(body);
        file.writeBytes(
                ByteBuffer.allocate(4).putInt(SpecLog.crc(body, 0, body.length)).array());
        blocks.add(new long[] {start, body.length + 4});
        block.reset();
    }
}
