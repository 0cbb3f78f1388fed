package dev.storagelab.bounds;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.StoreMetrics;
import dev.storagelab.sortedlog.SegmentReader;
import dev.storagelab.sortedlog.SegmentWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests for lab-02 T2: {@link SegmentCursor#seek} and {@link SegmentCursor#seekReverse}, a cursor
 * that seeks inside one segment by a floor search of its sparse index.
 *
 * <p>The oracle is a {@link TreeMap} of the entries the segment was written from:
 * {@code tailMap(from, true)} for a forward seek, {@code headMap(from, true).descendingMap()} for a
 * reverse one, tombstones included. Segments are written with 64-byte blocks, so a few hundred
 * keys make about a hundred blocks and every seek crosses block boundaries.
 */
class SegmentCursorTest {

    private static final String NAME = "000001-000001.seg";
    private static final int BLOCK_SIZE = 64;

    @TempDir
    Path dir;

    private Storage storage;
    private StoreMetrics metrics;
    private SegmentReader segment;
    private final NavigableMap<Bytes, Entry> oracle = new TreeMap<>();

    private static Bytes key(int i) {
        return Bytes.of(String.format("k%04d", i));
    }

    /** Writes keys k0000, k0002, ..., k0598 (every 7th a tombstone) into one segment. */
    private static NavigableMap<Bytes, Entry> writeSegment(Storage storage) throws IOException {
        NavigableMap<Bytes, Entry> entries = new TreeMap<>();
        try (SegmentWriter writer = new SegmentWriter(storage, NAME, BLOCK_SIZE)) {
            for (int i = 0; i < 600; i += 2) {
                Entry e = i % 7 == 0 ? Entry.tombstone(key(i)) : Entry.put(key(i), Bytes.of("v" + "x".repeat(i % 13)));
                writer.add(e);
                entries.put(e.key(), e);
            }
            writer.finish();
        }
        return entries;
    }

    @BeforeEach
    void writeAndOpenSegment() throws IOException {
        CountingStorage counting = new CountingStorage(DiskStorage.open(dir));
        storage = counting;
        metrics = new StoreMetrics(counting);
        oracle.putAll(writeSegment(storage));
        segment = SegmentReader.open(storage, NAME, metrics);
        assertThat(
                "the test needs a segment of many blocks; the writer made " + segment.blockCount(),
                segment.blockCount(),
                greaterThan(50));
    }

    private static List<Entry> drain(EntryIterator it) {
        List<Entry> out = new ArrayList<>();
        try (it) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    private long blocksRead() {
        return metrics.snapshot().blocksRead();
    }

    /** Probes below, above, on and between the keys, and on and around every block boundary. */
    private List<Bytes> probes() {
        List<Bytes> probes = new ArrayList<>(List.of(Bytes.of("a"), Bytes.of("k"), Bytes.of("z"), Bytes.EMPTY));
        for (int i = -1; i <= 601; i++) {
            probes.add(key(i));
        }
        for (Bytes first : segment.blockFirstKeys()) {
            probes.add(Bytes.of(first.toUtf8() + "\0")); // just after a block's first key
            probes.add(Bytes.of(first.toUtf8().substring(0, 4))); // just before it
        }
        return probes;
    }

    @Test
    void forwardSeekReturnsEveryEntryAtOrAfterTheKeyTombstonesIncluded() {
        for (Bytes from : probes()) {
            assertThat(
                    "seek(segment, " + from + ") must return the entries with key >= " + from
                            + " in increasing order, tombstones included (oracle: TreeMap.tailMap(from, true))",
                    drain(SegmentCursor.seek(segment, from)),
                    equalTo(List.copyOf(oracle.tailMap(from, true).values())));
        }
    }

    @Test
    void reverseSeekReturnsEveryEntryAtOrBeforeTheKeyDescending() {
        for (Bytes from : probes()) {
            assertThat(
                    "seekReverse(segment, " + from + ") must return the entries with key <= " + from
                            + " in decreasing order, tombstones included (oracle: headMap(from, true).descendingMap())",
                    drain(SegmentCursor.seekReverse(segment, from)),
                    equalTo(List.copyOf(
                            oracle.headMap(from, true).descendingMap().values())));
        }
    }

    @Test
    void nullFromMeansTheWholeSegment() {
        assertThat(
                "seek(segment, null) walks the whole segment from its first key",
                drain(SegmentCursor.seek(segment, null)),
                equalTo(List.copyOf(oracle.values())));
        assertThat(
                "seekReverse(segment, null) walks the whole segment from its last key",
                drain(SegmentCursor.seekReverse(segment, null)),
                equalTo(List.copyOf(oracle.descendingMap().values())));
    }

    @Test
    void aSeekReadsOnlyTheBlockWhereTheRangeStarts() {
        List<Bytes> firstKeys = segment.blockFirstKeys();
        for (int j = 0; j < firstKeys.size(); j += 7) {
            Bytes from = firstKeys.get(j);
            long before = blocksRead();
            try (EntryIterator it = SegmentCursor.seek(segment, from)) {
                assertThat(
                        "a seek must be lazy: nothing is read before the first hasNext()",
                        blocksRead() - before,
                        is(0L));
                assertThat("seek(" + from + ") starts at that key", it.next(), equalTo(oracle.get(from)));
                assertThat(
                        "seek(" + from + ") must find block " + j + " with a binary search of the sparse index and"
                                + " read that one block, not the blocks before it",
                        blocksRead() - before,
                        is(1L));
            }
            long beforeReverse = blocksRead();
            try (EntryIterator it = SegmentCursor.seekReverse(segment, from)) {
                assertThat("seekReverse(" + from + ") starts at that key", it.next(), equalTo(oracle.get(from)));
                assertThat("seekReverse(" + from + ") must read only block " + j, blocksRead() - beforeReverse, is(1L));
            }
        }
    }

    @Test
    void aFullWalkReadsEachBlockOnce() {
        long before = blocksRead();
        drain(SegmentCursor.seek(segment, null));
        assertThat(
                "walking the whole segment reads each of its " + segment.blockCount() + " blocks exactly once",
                blocksRead() - before,
                is((long) segment.blockCount()));
        before = blocksRead();
        drain(SegmentCursor.seekReverse(segment, null));
        assertThat("walking it backwards reads each block exactly once too", blocksRead() - before, is((long)
                segment.blockCount()));
    }

    @Test
    void seekingPastEitherEndReadsNoBlock() {
        long before = blocksRead();
        assertThat(
                "seek past the segment's last key (" + segment.lastKey() + ") finds nothing",
                drain(SegmentCursor.seek(segment, Bytes.of("z"))),
                is(empty()));
        assertThat(
                "reverse seek before the segment's first key (" + segment.firstKey() + ") finds nothing",
                drain(SegmentCursor.seekReverse(segment, Bytes.of("a"))),
                is(empty()));
        assertThat(
                "a key outside [firstKey, lastKey] cannot be in the segment: answer from the index alone,"
                        + " reading no block",
                blocksRead() - before,
                is(0L));
    }

    @Test
    void theCursorKeepsTheSegmentReadableAfterItsOpenerLetsGo() throws IOException {
        FaultInjectingStorage memory = new FaultInjectingStorage(1);
        NavigableMap<Bytes, Entry> entries = writeSegment(memory);
        SegmentReader reader = SegmentReader.open(memory, NAME, null);
        EntryIterator cursor = SegmentCursor.seek(reader, key(100));
        reader.close(); // as a compaction does once it has replaced the segment
        assertThat(
                "a cursor holds a reference to its segment (retain on seek, release on close), so it can finish"
                        + " its walk after a compaction drops the segment",
                drain(cursor),
                equalTo(List.copyOf(entries.tailMap(key(100), true).values())));
    }

    @Test
    void aCorruptBlockSurfacesAsUncheckedIOExceptionFromTheCursor() throws IOException {
        FaultInjectingStorage memory = new FaultInjectingStorage(1);
        writeSegment(memory);
        memory.flipBit(NAME, 12, 3); // inside block 0
        try (SegmentReader reader = SegmentReader.open(memory, NAME, null)) {
            EntryIterator cursor = SegmentCursor.seek(reader, null);
            UncheckedIOException e = assertThrows(
                    UncheckedIOException.class,
                    cursor::hasNext,
                    "a block whose checksum fails must surface from hasNext() as UncheckedIOException");
            assertThat("the cause says what was wrong, where", e.getCause(), instanceOf(CorruptionException.class));
            cursor.close();
        }
    }
}
