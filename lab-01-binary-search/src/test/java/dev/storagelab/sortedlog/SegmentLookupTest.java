package dev.storagelab.sortedlog;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.StoreMetrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-01 T7: {@link SegmentReader#get(Bytes)} (a floor search in the sparse index, then one
 * block read) and {@link BlockReader#find(Bytes)} (the search inside that block).
 *
 * <p>The segment holds the keys key-00000, key-00002, ... (even numbers only, so every odd number is
 * an absent key <em>between</em> two present ones) in 256-byte blocks; every fifth is a tombstone. A
 * {@link TreeMap} of the same entries is the oracle, and {@link StoreMetrics#snapshot()} counts the
 * blocks each lookup reads.
 */
class SegmentLookupTest {

    private static final String NAME = "000001-000001.seg";
    private static final int KEYS = 300;

    private final FaultInjectingStorage storage = new FaultInjectingStorage(41);
    private final TreeMap<Bytes, Entry> oracle = new TreeMap<>();
    private StoreMetrics metrics;
    private SegmentReader segment;

    private static Bytes key(int n) {
        return Bytes.of(String.format("key-%05d", n));
    }

    @BeforeEach
    void writeSegment() throws IOException {
        Random random = new Random(42);
        try (SegmentWriter writer = new SegmentWriter(storage, NAME, 256)) {
            for (int n = 0; n < 2 * KEYS; n += 2) {
                Entry e = n % 10 == 0
                        ? Entry.tombstone(key(n))
                        : Entry.put(key(n), Bytes.of("value-" + n + "-" + "z".repeat(random.nextInt(30))));
                writer.add(e);
                oracle.put(e.key(), e);
            }
            writer.finish();
        }
        metrics = new StoreMetrics(new CountingStorage(storage));
        segment = SegmentReader.open(storage, NAME, metrics);
        assertThat("the test needs a segment of many blocks", segment.blockCount(), greaterThan(20));
    }

    @AfterEach
    void closeSegment() throws IOException {
        segment.close();
    }

    private long blocksRead() {
        return metrics.snapshot().blocksRead();
    }

    /** The lookup's answer, checking that it read exactly {@code blocks} blocks. */
    private Entry getReading(Bytes key, int blocks, String why) throws IOException {
        long before = blocksRead();
        Entry found = segment.get(key);
        assertThat(
                "get(" + key + ") must read exactly " + blocks + " block(s): " + why, blocksRead() - before, is((long)
                        blocks));
        return found;
    }

    @Test
    void everyKeyIsFoundWithOneBlockRead() throws IOException {
        for (Entry e : oracle.values()) {
            assertThat(
                    "get(" + e.key() + ") must return the entry written for it (floor search: the last block"
                            + " whose first key is <= the key)",
                    getReading(e.key(), 1, "the sparse index names the one block" + " that can hold the key"),
                    equalTo(e));
        }
    }

    @Test
    void firstKeyOfEveryBlockIsFound() throws IOException {
        // An exact hit in the sparse index: BinarySearch returns the block itself, not -(i) - 1.
        List<Bytes> firstKeys = segment.blockFirstKeys();
        for (int i = 0; i < firstKeys.size(); i++) {
            Bytes k = firstKeys.get(i);
            assertThat(
                    "get(" + k + "), the first key of block " + i + ": when the index search finds the key"
                            + " itself, that block is the one to read",
                    getReading(k, 1, "an exact index hit"),
                    equalTo(oracle.get(k)));
        }
    }

    @Test
    void tombstonesAreReturnedAsTombstones() throws IOException {
        int tombstones = 0;
        for (Entry e : oracle.values()) {
            if (e.isTombstone()) {
                tombstones++;
                Entry found = segment.get(e.key());
                assertThat(
                        "get(" + e.key() + ") must return the tombstone, not null: null means 'this segment knows"
                                + " nothing, ask an older one', and the older one may still hold the deleted value",
                        found,
                        equalTo(Entry.tombstone(e.key())));
            }
        }
        assertThat("the segment holds tombstones to look up", tombstones, greaterThan(0));
    }

    @Test
    void absentKeysBetweenPresentOnesAreNullAfterOneBlockRead() throws IOException {
        for (int n = 1; n < 2 * KEYS - 1; n += 2) {
            assertThat(
                    "get(" + key(n) + "): odd keys were never written, so the segment has no entry",
                    getReading(key(n), 1, "the key lies inside [first key, last key], so its block must be checked"),
                    nullValue());
        }
    }

    @Test
    void absentKeysJustBeforeABlockStartAreNull() throws IOException {
        // Just before a block's first key, the floor is the previous block: the key would sit at its end.
        List<Bytes> firstKeys = segment.blockFirstKeys();
        for (int i = 1; i < firstKeys.size(); i++) {
            Bytes lastOfPrevious = oracle.lowerKey(firstKeys.get(i));
            Bytes between = Bytes.of(lastOfPrevious.toUtf8() + "~");
            assertThat(
                    "get(" + between + "), which sorts between block " + (i - 1) + " and block " + i,
                    getReading(between, 1, "the floor block is block " + (i - 1)),
                    nullValue());
        }
    }

    @Test
    void keysOutsideTheSegmentsRangeAreNullWithoutReadingABlock() throws IOException {
        Bytes first = oracle.firstKey();
        Bytes last = oracle.lastKey();
        List<Bytes> outside = List.of(
                Bytes.of("a"),
                Bytes.of("key-"),
                Bytes.of("key-0000"),
                Bytes.of("z"),
                Bytes.of(last.toUtf8() + "0"),
                Bytes.copyOf(new byte[] {(byte) 0xff}));
        for (Bytes k : outside) {
            assertThat(
                    "test data: " + k + " lies outside [" + first + ", " + last + "]",
                    k.compareTo(first) < 0 || k.compareTo(last) > 0,
                    is(true));
            assertThat(
                    "get(" + k + ") is outside the segment's key range, so the answer is null",
                    getReading(
                            k,
                            0,
                            "the index knows the first and last key; a key outside them cannot be here,"
                                    + " and reading a block to find that out wastes an I/O"),
                    nullValue());
        }
    }

    @Test
    void randomLookupsAgreeWithTheOracle() throws IOException {
        Random random = new Random(43);
        for (int i = 0; i < 2_000; i++) {
            Bytes k = key(random.nextInt(2 * KEYS + 100) - 50);
            assertThat(
                    "get(" + k + ") must equal the entry written for it, or null if none was",
                    segment.get(k),
                    equalTo(oracle.get(k)));
        }
    }

    @Test
    void blockFindReturnsTheEntryOrNull() throws IOException {
        for (int i = 0; i < segment.blockCount(); i++) {
            BlockReader block = segment.readBlock(i);
            List<Entry> entries = block.entries();
            for (Entry e : entries) {
                assertThat(
                        "block " + i + ": find(" + e.key() + ") must return its entry",
                        block.find(e.key()),
                        equalTo(e));
            }
            List<Bytes> absent = new ArrayList<>();
            absent.add(Bytes.of("key-")); // below every entry
            absent.add(Bytes.of(entries.get(0).key().toUtf8() + "~")); // after the first
            absent.add(Bytes.of(entries.get(entries.size() - 1).key().toUtf8() + "~")); // above every entry
            for (Bytes k : absent) {
                assertThat(
                        "block " + i + ": find(" + k + ") must return null, the block holds no such key",
                        block.find(k),
                        nullValue());
            }
        }
    }

    @Test
    void singleBlockSegmentAnswersEveryLookup() throws IOException {
        Entry a = Entry.put(Bytes.of("a"), Bytes.of("1"));
        Entry c = Entry.tombstone(Bytes.of("c"));
        Entry e = Entry.put(Bytes.of("e"), Bytes.of("5"));
        try (SegmentWriter writer = new SegmentWriter(storage, "small.seg", 4096)) {
            writer.add(a);
            writer.add(c);
            writer.add(e);
            writer.finish();
        }
        try (SegmentReader small = SegmentReader.open(storage, "small.seg", null)) {
            assertThat("the first key", small.get(Bytes.of("a")), equalTo(a));
            assertThat("a tombstone in the middle", small.get(Bytes.of("c")), equalTo(c));
            assertThat("the last key", small.get(Bytes.of("e")), equalTo(e));
            assertThat("absent, between a and c", small.get(Bytes.of("b")), nullValue());
            assertThat("absent, between c and e", small.get(Bytes.of("d")), nullValue());
            assertThat("absent, below the first key", small.get(Bytes.of("0")), nullValue());
            assertThat("absent, above the last key", small.get(Bytes.of("f")), nullValue());
        }
    }
}
