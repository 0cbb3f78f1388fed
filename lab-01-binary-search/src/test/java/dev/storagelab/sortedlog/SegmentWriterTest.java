package dev.storagelab.sortedlog;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.FaultInjectingStorage.CrashMode;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-01 T6: {@link BlockBuilder#add(Entry)} and {@link SegmentWriter#finish()}, which
 * write a segment's blocks, index and footer and publish it atomically.
 *
 * <p>What is written is read back with {@link SegmentReader} (which checks every checksum) and,
 * for the footer and index, decoded here straight from the diagram in {@link SegmentFormat}.
 */
class SegmentWriterTest {

    private static final String NAME = "000001-000001.seg";

    private final FaultInjectingStorage storage = new FaultInjectingStorage(31);

    /** Sorted entries with keys key-0000, key-0001, ..., values of varying length, some tombstones. */
    private static List<Entry> sortedEntries(int count, int maxValueLength, long seed) {
        Random random = new Random(seed);
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Bytes key = Bytes.of(String.format("key-%04d", i));
            entries.add(
                    random.nextInt(7) == 0
                            ? Entry.tombstone(key)
                            : Entry.put(key, Bytes.of("v".repeat(random.nextInt(maxValueLength + 1)))));
        }
        return entries;
    }

    private long write(List<Entry> entries, int blockSize) throws IOException {
        try (SegmentWriter writer = new SegmentWriter(storage, NAME, blockSize)) {
            for (Entry e : entries) {
                writer.add(e);
            }
            return writer.finish();
        }
    }

    /** The size an entry takes in a block, from the diagram: type u8, two u32 lengths, key, value. */
    private static int encodedSize(Entry e) {
        return SegmentFormat.ENTRY_HEADER_SIZE
                + e.key().length()
                + (e.isTombstone() ? 0 : e.value().length());
    }

    private static int blockBytes(List<Entry> block) {
        return block.stream().mapToInt(SegmentWriterTest::encodedSize).sum() + SegmentFormat.BLOCK_TRAILER_SIZE;
    }

    private static List<Entry> readAll(SegmentReader segment) throws IOException {
        List<Entry> all = new ArrayList<>();
        for (int i = 0; i < segment.blockCount(); i++) {
            all.addAll(segment.readBlock(i).entries());
        }
        return all;
    }

    @Test
    void entriesComeBackInOrderTombstonesIncluded() throws IOException {
        List<Entry> entries = sortedEntries(300, 40, 1);
        long size = write(entries, 256);
        try (SegmentReader segment = SegmentReader.open(storage, NAME, null)) {
            assertThat(
                    "every entry added must be read back, in key order, tombstones as tombstones",
                    readAll(segment),
                    equalTo(entries));
            assertThat(
                    "the footer's entryCount counts every entry, tombstones included", segment.entryCount(), is(300L));
            assertThat("the footer records the target block size", segment.blockSize(), is(256));
            assertThat(
                    "the index records the segment's first key",
                    segment.firstKey(),
                    equalTo(entries.get(0).key()));
            assertThat(
                    "the index records the segment's last key",
                    segment.lastKey(),
                    equalTo(entries.get(entries.size() - 1).key()));
            assertThat("finish() returns the size of the published file", size, is(storage.size(NAME)));
        }
    }

    @Test
    void blocksAreCutAtTheTargetBlockSize() throws IOException {
        int blockSize = 256;
        List<Entry> entries = sortedEntries(300, 40, 2);
        write(entries, blockSize);
        try (SegmentReader segment = SegmentReader.open(storage, NAME, null)) {
            assertThat(
                    "300 entries of up to 57 bytes cannot fit in a few 256-byte blocks",
                    segment.blockCount(),
                    greaterThan(10));
            for (int i = 0; i < segment.blockCount(); i++) {
                List<Entry> block = segment.readBlock(i).entries();
                assertThat(
                        "block " + i + " holds " + block.size() + " entries and its trailer; it may exceed the"
                                + " target block size only if it holds a single entry that alone is larger",
                        block.size() == 1 || blockBytes(block) <= blockSize,
                        is(true));
                assertThat(
                        "the index's first key of block " + i + " is the first key in that block",
                        segment.blockFirstKeys().get(i),
                        equalTo(block.get(0).key()));
                if (i + 1 < segment.blockCount()) {
                    Entry next = segment.readBlock(i + 1).entries().get(0);
                    assertThat(
                            "block " + i + " was cut early: adding " + next.key() + " would have made it "
                                    + (blockBytes(block) + encodedSize(next)) + " bytes, within the target of "
                                    + blockSize,
                            blockBytes(block) + encodedSize(next),
                            greaterThan(blockSize));
                }
            }
        }
    }

    @Test
    void entryLargerThanABlockGetsABlockOfItsOwn() throws IOException {
        int blockSize = 64;
        Entry small1 = Entry.put(Bytes.of("a"), Bytes.of("1"));
        Entry small2 = Entry.put(Bytes.of("b"), Bytes.of("2"));
        Entry big = Entry.put(Bytes.of("c"), Bytes.of("x".repeat(300)));
        Entry small3 = Entry.put(Bytes.of("d"), Bytes.of("3"));
        write(List.of(small1, small2, big, small3), blockSize);
        try (SegmentReader segment = SegmentReader.open(storage, NAME, null)) {
            List<List<Entry>> blocks = new ArrayList<>();
            for (int i = 0; i < segment.blockCount(); i++) {
                blocks.add(segment.readBlock(i).entries());
            }
            assertThat(
                    "with 64-byte blocks: [a, b] share a block (2 x 11 + 8 bytes), the 310-byte c entry cannot"
                            + " share and gets a block of its own, and d starts a new one",
                    blocks,
                    contains(List.of(small1, small2), List.of(big), List.of(small3)));
        }
    }

    @Test
    void segmentBytesMatchTheFormatDiagram() throws IOException {
        List<Entry> entries = sortedEntries(50, 30, 3);
        write(entries, 128);
        byte[] file = storage.contents(NAME);
        ByteBuffer footer = ByteBuffer.wrap(file, file.length - SegmentFormat.FOOTER_SIZE, SegmentFormat.FOOTER_SIZE)
                .slice();
        long indexOffset = footer.getLong(0);
        int indexLength = footer.getInt(8);
        assertThat("footer bytes 32-39: the magic number \"SLSEGMNT\"", footer.getLong(32), is(SegmentFormat.MAGIC));
        assertThat(
                "footer bytes 28-31: CRC32C of footer bytes 0-27",
                footer.getInt(28),
                is(crc32c(file, file.length - SegmentFormat.FOOTER_SIZE, SegmentFormat.FOOTER_CHECKED_SIZE)));
        assertThat("footer bytes 24-27: the format version", footer.getInt(24), is(SegmentFormat.VERSION));
        assertThat("footer bytes 20-23: the target block size", footer.getInt(20), is(128));
        assertThat("footer bytes 12-19: the entry count, tombstones included", footer.getLong(12), is(50L));
        assertThat(
                "footer bytes 0-11: indexOffset u64 and indexLength u32; the index ends where the footer starts",
                indexOffset + indexLength,
                is((long) file.length - SegmentFormat.FOOTER_SIZE));

        ByteBuffer index = ByteBuffer.wrap(file, (int) indexOffset, indexLength).slice();
        assertThat(
                "the index's last 4 bytes: CRC32C of the rest of the index",
                index.getInt(indexLength - 4),
                is(crc32c(file, (int) indexOffset, indexLength - 4)));
        int blocks = index.getInt();
        long expectedBlockOffset = 0;
        for (int i = 0; i < blocks; i++) {
            Bytes firstKey = Bytes.read(index, index.getInt());
            long offset = index.getLong();
            int length = index.getInt();
            assertThat("index handle " + i + ": blocks are contiguous from offset 0", offset, is(expectedBlockOffset));
            ByteBuffer block = ByteBuffer.wrap(file, (int) offset, length).slice();
            assertThat(
                    "block " + i + ": its last 4 bytes are CRC32C of everything before them in the block",
                    block.getInt(length - 4),
                    is(crc32c(file, (int) offset, length - 4)));
            assertThat(
                    "block " + i + ": the handle's first key is the key of the block's first entry (type u8,"
                            + " keyLength u32, valueLength u32, key...)",
                    Bytes.copyOf(file, (int) offset + 9, block.getInt(1)),
                    equalTo(firstKey));
            expectedBlockOffset += length;
        }
        assertThat("the blocks end where the index starts", expectedBlockOffset, is(indexOffset));
        Bytes lastKey = Bytes.read(index, index.getInt());
        assertThat(
                "after the handles: the segment's last key",
                lastKey,
                equalTo(entries.get(entries.size() - 1).key()));
        assertThat("after the last key, only the index CRC remains", index.remaining(), is(4));
    }

    @Test
    void segmentIsPublishedAtomicallyUnderItsFinalName() throws IOException {
        String temp = NAME + SegmentWriter.TEMP_SUFFIX;
        try (SegmentWriter writer = new SegmentWriter(storage, NAME, 128)) {
            for (Entry e : sortedEntries(100, 30, 4)) {
                writer.add(e);
            }
            assertThat("while the segment is being written its bytes go to " + temp, storage.exists(temp), is(true));
            assertThat(
                    "before finish() nothing may exist under the final name: readers would see half a segment",
                    storage.exists(NAME),
                    is(false));
            writer.finish();
        }
        assertThat("after finish() the segment exists under its final name", storage.exists(NAME), is(true));
        assertThat("after finish() the temp file is gone: it was renamed, not copied", storage.exists(temp), is(false));
        assertThat("the directory holds only the published segment", storage.list(), contains(NAME));
    }

    @Test
    void finishedSegmentSurvivesPowerLoss() throws IOException {
        List<Entry> entries = sortedEntries(100, 30, 5);
        write(entries, 128);
        storage.crashMode(CrashMode.LOSE_UNSYNCED).powerLoss();
        assertThat(
                "the segment's name must survive a power loss: sync the directory after the rename",
                storage.exists(NAME),
                is(true));
        String forceFirst = "the segment's bytes must survive a power loss: force the temp file before renaming it,"
                + " or the rename can reach the disk while the data does not";
        try (SegmentReader segment = assertDoesNotThrow(() -> SegmentReader.open(storage, NAME, null), forceFirst)) {
            assertThat(forceFirst, readAll(segment), equalTo(entries));
        }
    }

    @Test
    void keysOutOfOrderAreRejectedAndTheSegmentStaysUsable() throws IOException {
        Entry b = Entry.put(Bytes.of("b"), Bytes.of("2"));
        try (SegmentWriter writer = new SegmentWriter(storage, NAME, 128)) {
            writer.add(b);
            assertThrows(
                    IllegalArgumentException.class,
                    () -> writer.add(Entry.put(Bytes.of("a"), Bytes.of("1"))),
                    "\"a\" after \"b\": a segment is sorted, so an out-of-order key must be rejected");
            assertThrows(
                    IllegalArgumentException.class,
                    () -> writer.add(Entry.put(Bytes.of("b"), Bytes.of("again"))),
                    "\"b\" twice: keys must be strictly increasing, each key at most once per segment");
            writer.finish();
        }
        try (SegmentReader segment = SegmentReader.open(storage, NAME, null)) {
            assertThat("the rejected entries left no trace: the segment holds only b", readAll(segment), contains(b));
        }
    }

    @Test
    void emptySegmentIsRefusedButOneEntryIsEnough() throws IOException {
        try (SegmentWriter writer = new SegmentWriter(storage, "empty.seg", 128)) {
            assertThrows(
                    IllegalStateException.class,
                    writer::finish,
                    "a segment without entries has no first or last key and is never written");
        }
        assertThat(
                "the refused segment left no file behind (close() aborts and deletes the temp file)",
                storage.list(),
                is(List.of()));

        Entry only = Entry.tombstone(Bytes.of("only"));
        write(List.of(only), 128);
        try (SegmentReader segment = SegmentReader.open(storage, NAME, null)) {
            assertThat(
                    "a segment of a single entry (here a tombstone) is the smallest one there is",
                    readAll(segment),
                    contains(only));
            assertThat("one entry makes one block", segment.blockCount(), is(1));
            assertThat("first and last key are the same key", segment.lastKey(), equalTo(segment.firstKey()));
        }
    }

    private static int crc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
