package dev.storagelab.sortedlog.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.lab.Graded;
import dev.storagelab.sortedlog.SegmentReader;
import dev.storagelab.sortedlog.SegmentWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;

/**
 * Hidden tests of lab-01 T6 ({@code BlockBuilder.add} and {@code SegmentWriter.finish}: the
 * segment's bytes and its atomic, durable publication) and T7 ({@code BlockReader.find} and
 * {@code SegmentReader.get}: the sparse-index floor search that reads one block). The T7 tests
 * read segments built by {@link SpecSegment}, so they grade T7 alone.
 */
@Tag("hidden")
class SegmentHiddenTest {

    private static final String NAME = "000001-000001.seg";

    // ------------------------------------------------------------------------------- T6: write

    @Property(tries = 100)
    @Graded(
            task = "T6",
            points = 4,
            concept = "segment bytes do not follow SegmentFormat (entry, block trailer, index or footer)")
    void segmentWriterBytesFollowSegmentFormat(@ForAll("runs") List<Entry> entries, @ForAll("blockSizes") int blockSize)
            throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        long written;
        try (SegmentWriter writer = new SegmentWriter(storage, NAME, blockSize)) {
            for (Entry e : entries) {
                writer.add(e);
            }
            written = writer.finish();
        }
        SpecSegment.Built expected = SpecSegment.build(entries, blockSize);
        byte[] actual = storage.contents(NAME);
        int firstDifference = Arrays.mismatch(expected.bytes(), actual);
        if (firstDifference >= 0) {
            throw new AssertionError("the segment of " + entries.size() + " entries (block size " + blockSize
                    + ") differs from SegmentFormat first at byte " + firstDifference + ", in "
                    + expected.regionOf(firstDifference) + ": expected " + expected.bytes().length + " bytes, got "
                    + actual.length);
        }
        assertThat("finish() returns the size of the published segment", written, equalTo((long) actual.length));
    }

    @Example
    @Graded(
            task = "T6",
            points = 2,
            concept = "segment not durable when finish returns (missing force, rename or directory sync)")
    void finishedSegmentIsPublishedDurablyUnderItsFinalName() throws IOException {
        List<Entry> entries = manyEntries(40, 30);
        FaultInjectingStorage storage = new FaultInjectingStorage();
        try (SegmentWriter writer = new SegmentWriter(storage, NAME, 256)) {
            for (Entry e : entries) {
                writer.add(e);
            }
            writer.finish();
        }
        assertThat(
                "after finish() only the published segment is in the directory, no temp file",
                storage.list(),
                contains(NAME));
        byte[] published = storage.contents(NAME);
        storage.crashMode(FaultInjectingStorage.CrashMode.LOSE_UNSYNCED).powerLoss();
        assertThat(
                "a power loss right after finish() returns must keep the segment: its bytes are forced, "
                        + "the rename published it and the directory sync made the rename durable",
                storage.list(),
                contains(NAME));
        assertThat(
                "the segment's bytes survive the power loss whole",
                Arrays.equals(storage.contents(NAME), published),
                is(true));
    }

    @Example
    @Graded(task = "T6", points = 1, concept = "finish() leaves the segment file open (a file handle leaked per flush)")
    void finishClosesTheSegmentFile() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        CountingStorage tracking = new CountingStorage(storage);
        SegmentWriter writer = new SegmentWriter(tracking, NAME, 256);
        for (Entry e : manyEntries(10, 20)) {
            writer.add(e);
        }
        writer.finish();
        assertThat(
                "finish() publishes the segment and closes its file: no handle is left open",
                tracking.openWriteHandles(),
                equalTo(java.util.Map.of()));
        writer.close();
        assertThat(storage.list(), contains(NAME));
    }

    // ------------------------------------------------------------------------------- T7: read

    @Property(tries = 100)
    @Graded(
            task = "T7",
            points = 4,
            concept = "segment lookup misses keys or invents them (sparse index floor search or " + "block scan wrong)")
    void getFindsEveryEntryAndNothingElse(
            @ForAll("runs") List<Entry> entries,
            @ForAll("blockSizes") int blockSize,
            @ForAll("probes") List<Bytes> probes)
            throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        storage.plant(NAME, SpecSegment.build(entries, blockSize).bytes());
        Set<Bytes> present = entries.stream().map(Entry::key).collect(Collectors.toCollection(TreeSet::new));
        try (SegmentReader segment = SegmentReader.open(storage, NAME, null)) {
            for (Entry e : entries) {
                assertThat(
                        "get(" + e.key() + ") in a segment of " + segment.blockCount() + " blocks must return its "
                                + "entry (a tombstone is returned as a tombstone)",
                        segment.get(e.key()),
                        equalTo(e));
            }
            for (Bytes probe : probes) {
                if (!present.contains(probe)) {
                    assertThat(
                            "get(" + probe + ") of a key the segment does not hold (keys " + present + ")",
                            segment.get(probe),
                            nullValue());
                }
            }
        }
    }

    @Example
    @Graded(
            task = "T7",
            points = 3,
            concept =
                    "segment lookup reads more than one block, or reads one for a key outside " + "the segment's range")
    void lookupReadsExactlyOneBlock() throws IOException {
        List<Entry> entries = manyEntries(200, 20);
        FaultInjectingStorage disk = new FaultInjectingStorage();
        disk.plant(NAME, SpecSegment.build(entries, 256).bytes());
        CountingStorage storage = new CountingStorage(disk);
        List<Bytes> inRange = new ArrayList<>();
        entries.forEach(e -> inRange.add(e.key()));
        // Absent keys that sort between two present ones.
        entries.subList(0, entries.size() - 1)
                .forEach(e -> inRange.add(Bytes.of(e.key().toUtf8() + "5")));
        try (SegmentReader segment = SegmentReader.open(storage, NAME, null)) {
            assertThat("the test needs many blocks", segment.blockCount() > 10, is(true));
            for (Bytes key : inRange) {
                long before = storage.reads();
                segment.get(key);
                assertThat(
                        "get(" + key + ") inside the segment's key range: the sparse index names the one "
                                + "block that can hold it, so exactly one block is read",
                        storage.reads() - before,
                        equalTo(1L));
            }
            for (Bytes key : List.of(Bytes.of("a"), Bytes.of("key-"), Bytes.of("key-9999"), Bytes.of("z"))) {
                long before = storage.reads();
                assertThat("get(" + key + ") outside the segment's key range", segment.get(key), nullValue());
                assertThat(
                        "get(" + key + ") lies outside [first key, last key], so no block may be read",
                        storage.reads() - before,
                        equalTo(0L));
            }
        }
    }

    @Example
    @Graded(task = "T7", points = 2, concept = "segment lookup fails when every block holds a single entry")
    void everyKeyIsFoundWhenEachBlockHoldsOneEntry() throws IOException {
        List<Entry> entries = manyEntries(50, 80); // each entry is larger than the 64-byte block target
        FaultInjectingStorage storage = new FaultInjectingStorage();
        storage.plant(NAME, SpecSegment.build(entries, 64).bytes());
        try (SegmentReader segment = SegmentReader.open(storage, NAME, null)) {
            assertThat("one entry per block", segment.blockCount(), equalTo(entries.size()));
            for (Entry e : entries) {
                assertThat("get(" + e.key() + ") when its block holds only it", segment.get(e.key()), equalTo(e));
                Bytes between = Bytes.of(e.key().toUtf8() + "!");
                assertThat(
                        "get(" + between + "), which sorts just after a one-entry block's only key",
                        segment.get(between),
                        nullValue());
            }
        }
    }

    @Example
    @Graded(task = "T7", points = 2, concept = "segment lookup compares keys as signed bytes")
    void keysAroundTheSignedBoundaryAreFound() throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (byte[] key :
                new byte[][] {{0x01}, {0x7f}, {0x7f, (byte) 0xff}, {(byte) 0x80}, {(byte) 0x80, 0x00}, {(byte) 0xff}}) {
            entries.add(Entry.put(Bytes.copyOf(key), Bytes.of("value of " + Bytes.copyOf(key) + " " + "-".repeat(60))));
        }
        FaultInjectingStorage storage = new FaultInjectingStorage();
        storage.plant(NAME, SpecSegment.build(entries, 64).bytes());
        try (SegmentReader segment = SegmentReader.open(storage, NAME, null)) {
            for (Entry e : entries) {
                assertThat(
                        "get(" + e.key() + "): keys order unsigned, 0x7f < 0x80 < 0xff",
                        segment.get(e.key()),
                        equalTo(e));
            }
            for (byte[] absent :
                    new byte[][] {{0x00}, {0x7f, 0x00}, {(byte) 0x80, 0x01}, {(byte) 0xff, 0x00}, {(byte) 0xfe}}) {
                assertThat(
                        "get(" + Bytes.copyOf(absent) + ") of an absent key",
                        segment.get(Bytes.copyOf(absent)),
                        nullValue());
            }
        }
    }

    // ---------------------------------------------------------------------------------- helpers

    /** {@code n} sorted entries "key-0000".. with values of {@code valueLength} bytes, every fifth a tombstone. */
    static List<Entry> manyEntries(int n, int valueLength) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Bytes key = Bytes.of(String.format("key-%04d", i));
            entries.add(
                    i % 5 == 3
                            ? Entry.tombstone(key)
                            : Entry.put(
                                    key,
                                    Bytes.of(("v" + i + "-").repeat(valueLength).substring(0, valueLength))));
        }
        return entries;
    }

    @Provide
    Arbitrary<List<Entry>> runs() {
        return HiddenArbitraries.sortedRun(1, 80, 120);
    }

    @Provide
    Arbitrary<Integer> blockSizes() {
        return Arbitraries.of(64, 100, 256, 1024);
    }

    @Provide
    Arbitrary<List<Bytes>> probes() {
        return HiddenArbitraries.keys().list().ofMaxSize(20);
    }
}
