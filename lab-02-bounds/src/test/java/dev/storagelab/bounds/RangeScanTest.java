package dev.storagelab.bounds;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.sortedlog.SortedLogOptions;
import dev.storagelab.sortedlog.SortedLogStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests for lab-02 T4: {@link RangeScan#scan}, {@link RangeScan#scanReverse},
 * {@link RangeScan#scanPrefix} and {@link RangeScan#prefixEnd} over the lab-01 store.
 *
 * <p>The oracle is a {@link TreeMap} of the live keys, updated with every put and delete:
 * {@code subMap(from, true, to, false)} is what a scan must return, and its
 * {@code descendingMap()} what a reverse scan must return. The stores are built with small
 * memtables and blocks, so a scan merges several segments, the memtable, and many blocks.
 */
class RangeScanTest {

    @TempDir
    Path dir;

    private static final SortedLogOptions SMALL = SortedLogOptions.builder()
            .memtableBytes(8 * 1024)
            .blockSize(128)
            .compactionTrigger(0)
            .build();

    private static Bytes key(int i) {
        return Bytes.of(String.format("key%04d", i));
    }

    /**
     * Random puts and deletes over {@code keySpace} keys, flushing every 400 operations so the data
     * ends up spread over several segments and the memtable. Overwrites and deletes of keys that
     * live in older segments are common, so newest-wins and tombstones matter.
     */
    private static void randomWrites(
            SortedLogStore store, NavigableMap<Bytes, Bytes> oracle, Random random, int ops, int keySpace)
            throws IOException {
        for (int op = 1; op <= ops; op++) {
            Bytes k = key(random.nextInt(keySpace));
            if (random.nextInt(4) == 0) {
                store.delete(k);
                oracle.remove(k);
            } else {
                Bytes v = Bytes.of("v" + op);
                store.put(k, v);
                oracle.put(k, v);
            }
            if (op % 400 == 0) {
                store.flush();
            }
        }
    }

    private static List<Entry> entries(Map<Bytes, Bytes> map) {
        return map.entrySet().stream()
                .map(e -> Entry.put(e.getKey(), e.getValue()))
                .toList();
    }

    private static List<Entry> drain(EntryIterator it) {
        List<Entry> out = new ArrayList<>();
        try (it) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    private static NavigableMap<Bytes, Bytes> range(NavigableMap<Bytes, Bytes> oracle, Bytes from, Bytes to) {
        NavigableMap<Bytes, Bytes> m = oracle;
        if (from != null) {
            m = m.tailMap(from, true);
        }
        if (to != null) {
            m = m.headMap(to, false);
        }
        return m;
    }

    /** Random ranges: null ends, existing and absent keys, empty ranges, ranges outside the data. */
    private static List<Bytes[]> randomRanges(Random random, int keySpace) {
        List<Bytes[]> ranges = new ArrayList<>();
        ranges.add(new Bytes[] {null, null});
        ranges.add(new Bytes[] {Bytes.of("a"), Bytes.of("b")});
        ranges.add(new Bytes[] {Bytes.of("z"), null});
        for (int i = 0; i < 120; i++) {
            int a = random.nextInt(keySpace + 20) - 10;
            int b = a + random.nextInt(keySpace / 3);
            Bytes from =
                    random.nextInt(8) == 0 ? null : (random.nextBoolean() ? key(a) : Bytes.of(key(a).toUtf8() + "5"));
            Bytes to = random.nextInt(8) == 0 ? null : key(b);
            ranges.add(new Bytes[] {from, to});
        }
        return ranges;
    }

    @Test
    void scansMatchTheOracleAcrossMemtableAndSegments() throws IOException {
        Random random = new Random(6);
        NavigableMap<Bytes, Bytes> oracle = new TreeMap<>();
        try (SortedLogStore store = SortedLogStore.open(DiskStorage.open(dir), SMALL)) {
            randomWrites(store, oracle, random, 3_000, 500);
            assertThat("the test needs several segments", store.segmentNames().size(), greaterThan(3));
            for (Bytes[] r : randomRanges(random, 500)) {
                assertThat(
                        "scan(" + r[0] + ", " + r[1] + ") must return the live keys with from <= key < to,"
                                + " ascending, each with its newest value and no deleted key (oracle: TreeMap.subMap)",
                        drain(RangeScan.scan(store, r[0], r[1])),
                        equalTo(entries(range(oracle, r[0], r[1]))));
            }
        }
    }

    @Test
    void theStoreAsAnOrderedStoreReadsWritesAndScansLikeTheStoreItself() throws IOException {
        Random random = new Random(16);
        NavigableMap<Bytes, Bytes> oracle = new TreeMap<>();
        try (OrderedStore store = OrderedStore.of(SortedLogStore.open(DiskStorage.open(dir), SMALL))) {
            for (int op = 0; op < 600; op++) {
                Bytes k = key(random.nextInt(200));
                if (random.nextInt(4) == 0) {
                    store.delete(k);
                    oracle.remove(k);
                } else {
                    store.put(k, Bytes.of("v" + op));
                    oracle.put(k, Bytes.of("v" + op));
                }
            }
            store.sync();
            assertThat(
                    "get through OrderedStore.of",
                    store.get(key(7)),
                    equalTo(java.util.Optional.ofNullable(oracle.get(key(7)))));
            assertThat(
                    "OrderedStore.of(store).scan is RangeScan.scan",
                    drain(store.scan(key(20), key(120))),
                    equalTo(entries(range(oracle, key(20), key(120)))));
            assertThat(
                    "OrderedStore.of(store).scanReverse is RangeScan.scanReverse",
                    drain(store.scanReverse(null, key(50))),
                    equalTo(entries(range(oracle, null, key(50)).descendingMap())));
        }
    }

    @Test
    void reverseScansMatchTheOracleDescending() throws IOException {
        Random random = new Random(7);
        NavigableMap<Bytes, Bytes> oracle = new TreeMap<>();
        try (SortedLogStore store = SortedLogStore.open(DiskStorage.open(dir), SMALL)) {
            randomWrites(store, oracle, random, 3_000, 500);
            for (Bytes[] r : randomRanges(random, 500)) {
                assertThat(
                        "scanReverse(" + r[0] + ", " + r[1] + ") must return the same range as scan, in"
                                + " decreasing key order: to is still excluded and from still included"
                                + " (oracle: subMap(...).descendingMap())",
                        drain(RangeScan.scanReverse(store, r[0], r[1])),
                        equalTo(entries(range(oracle, r[0], r[1]).descendingMap())));
            }
        }
    }

    @Test
    void aDeleteInTheMemtableHidesTheValueInASegment() throws IOException {
        try (SortedLogStore store = SortedLogStore.open(DiskStorage.open(dir), SMALL)) {
            store.put(Bytes.of("a"), Bytes.of("1"));
            store.put(Bytes.of("b"), Bytes.of("old"));
            store.put(Bytes.of("c"), Bytes.of("3"));
            store.flush();
            store.delete(Bytes.of("b"));
            assertThat(
                    "b was deleted after its value was flushed: the tombstone in the memtable wins the merge,"
                            + " and a scan skips tombstones, so b must not appear at all",
                    drain(RangeScan.scan(store, null, null)),
                    equalTo(List.of(Entry.put(Bytes.of("a"), Bytes.of("1")), Entry.put(Bytes.of("c"), Bytes.of("3")))));
        }
    }

    @Test
    void emptyRangesAreEmptyAndBackwardRangesAreRejected() throws IOException {
        try (SortedLogStore store = SortedLogStore.open(DiskStorage.open(dir), SMALL)) {
            store.put(key(1), Bytes.of("v"));
            assertThat(
                    "[k, k) is empty: the end of a range is exclusive",
                    drain(RangeScan.scan(store, key(1), key(1))),
                    is(empty()));
            assertThat(
                    "[k, k) is empty in reverse too", drain(RangeScan.scanReverse(store, key(1), key(1))), is(empty()));
            assertThat("[k, k+) holds k", drain(RangeScan.scan(store, key(1), key(2))), hasSize(1));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> RangeScan.scan(store, key(2), key(1)),
                    "a range whose start is after its end is a caller bug; reject it at the edge");
        }
    }

    @Test
    void aScanDoesNotSeeAFlushOrCompactionThatHappensMidScan() throws IOException {
        Random random = new Random(8);
        NavigableMap<Bytes, Bytes> oracle = new TreeMap<>();
        try (SortedLogStore store = SortedLogStore.open(DiskStorage.open(dir), SMALL)) {
            randomWrites(store, oracle, random, 1_900, 400); // the last 300 writes are still in the memtable
            for (boolean reverse : new boolean[] {false, true}) {
                List<Entry> expected = entries(reverse ? oracle.descendingMap() : oracle);
                List<Entry> seen = new ArrayList<>();
                try (EntryIterator scan =
                        reverse ? RangeScan.scanReverse(store, null, null) : RangeScan.scan(store, null, null)) {
                    for (int i = 0; i < expected.size() / 3 && scan.hasNext(); i++) {
                        seen.add(scan.next());
                    }
                    store.flush(); // the scan's memtable becomes a segment
                    for (int i = 0; i < expected.size() / 3 && scan.hasNext(); i++) {
                        seen.add(scan.next());
                    }
                    store.compact(); // every segment the scan reads is merged into one and deleted
                    scan.forEachRemaining(seen::add);
                }
                assertThat(
                        (reverse ? "a reverse" : "a") + " scan with a flush and a compaction between its next()"
                                + " calls must return exactly the store as it was when the scan started: it reads its own"
                                + " snapshot (the old memtable and segments stay readable until the scan closes), so no key"
                                + " is seen twice or missed",
                        seen,
                        equalTo(expected));
                store.put(
                        key(9_000 + (reverse ? 1 : 0)), Bytes.of("so the next flush has work")); // keep oracle in step
                oracle.put(key(9_000 + (reverse ? 1 : 0)), Bytes.of("so the next flush has work"));
            }
        }
    }

    /** Files deleted from the directory but still open for reading: only a scan's snapshot keeps them. */
    private static Set<String> pinned(CountingStorage storage) throws IOException {
        Set<String> listed = new TreeSet<>(storage.list());
        return storage.openReadHandles().keySet().stream()
                .filter(n -> !listed.contains(n))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static SortedLogStore twoSegments(Storage storage) throws IOException {
        SortedLogStore store = SortedLogStore.open(storage, SMALL);
        for (int i = 0; i < 100; i++) {
            store.put(key(i), Bytes.of("first"));
        }
        store.flush();
        for (int i = 50; i < 150; i++) {
            store.put(key(i), Bytes.of("second"));
        }
        store.flush();
        return store;
    }

    @Test
    void aScanPinsTheSegmentsItReadsUntilItIsClosed() throws IOException {
        CountingStorage storage = new CountingStorage(DiskStorage.open(dir));
        try (SortedLogStore store = twoSegments(storage)) {
            EntryIterator scan = RangeScan.scan(store, null, null);
            assertThat("the first entry", scan.next(), equalTo(Entry.put(key(0), Bytes.of("first"))));
            store.compact();
            assertThat(
                    "the compaction deleted both input segments, but the open scan still holds them through its"
                            + " snapshot",
                    pinned(storage),
                    hasSize(2));
            scan.close();
            assertThat(
                    "closing the scan must release its snapshot (StoreSnapshot.close), so the deleted segments"
                            + " are finally closed",
                    pinned(storage),
                    is(empty()));
        }
    }

    @Test
    void anExhaustedScanReleasesItsSnapshotWithoutWaitingForClose() throws IOException {
        CountingStorage storage = new CountingStorage(DiskStorage.open(dir));
        try (SortedLogStore store = twoSegments(storage)) {
            EntryIterator scan = RangeScan.scan(store, key(140), null);
            store.compact();
            List<Entry> seen = new ArrayList<>();
            scan.forEachRemaining(seen::add);
            assertThat("keys 140..149 from the second segment", seen.size(), is(10));
            assertThat(
                    "once hasNext() has returned false the scan must have let go of its snapshot: callers that"
                            + " iterate to the end and forget close() must not pin deleted files",
                    pinned(storage),
                    is(empty()));
            scan.close(); // still idempotent
        }
    }

    @Test
    void prefixEndIncrementsTheLastByteThatIsNotFF() {
        assertThat(
                "prefixEnd(\"ab\"): every key starting with ab is < \"ac\"",
                RangeScan.prefixEnd(Bytes.of("ab")),
                equalTo(Bytes.of("ac")));
        assertThat(
                "prefixEnd(a\\xff): 0xFF cannot be incremented, so drop it and increment a to b",
                RangeScan.prefixEnd(Bytes.wrap(new byte[] {'a', (byte) 0xFF})),
                equalTo(Bytes.of("b")));
        assertThat(
                "prefixEnd(a\\x7f): bytes are unsigned, 0x7F + 1 = 0x80",
                RangeScan.prefixEnd(Bytes.wrap(new byte[] {'a', 0x7F})),
                equalTo(Bytes.wrap(new byte[] {'a', (byte) 0x80})));
        assertThat(
                "prefixEnd(\\xff\\xff): no key is greater than every key starting with 0xFF 0xFF, so null"
                        + " (scan to the end)",
                RangeScan.prefixEnd(Bytes.wrap(new byte[] {(byte) 0xFF, (byte) 0xFF})),
                is(nullValue()));
        assertThat(
                "prefixEnd of the empty prefix: every key has it, so null",
                RangeScan.prefixEnd(Bytes.EMPTY),
                is(nullValue()));
    }

    /** Every byte string of length 0..max over a few bytes chosen at the edges of signed and unsigned order. */
    private static List<Bytes> allStrings(int max) {
        byte[] alphabet = {0x00, 0x7F, (byte) 0x80, (byte) 0xFF};
        List<Bytes> out = new ArrayList<>(List.of(Bytes.EMPTY));
        List<byte[]> layer = new ArrayList<>(List.of(new byte[0]));
        for (int len = 1; len <= max; len++) {
            List<byte[]> next = new ArrayList<>();
            for (byte[] s : layer) {
                for (byte c : alphabet) {
                    byte[] t = Arrays.copyOf(s, len);
                    t[len - 1] = c;
                    next.add(t);
                    out.add(Bytes.wrap(t));
                }
            }
            layer = next;
        }
        return out;
    }

    @Test
    void prefixEndBoundsExactlyTheKeysWithThePrefix() {
        List<Bytes> keys = allStrings(4);
        for (Bytes prefix : allStrings(3)) {
            Bytes end = RangeScan.prefixEnd(prefix);
            for (Bytes k : keys) {
                boolean inRange = prefix.compareTo(k) <= 0 && (end == null || k.compareTo(end) < 0);
                assertThat(
                        "key " + k + " is in [" + prefix + ", prefixEnd = " + end + ") exactly when it starts with "
                                + prefix + " (bytes compare unsigned)",
                        inRange,
                        is(k.startsWith(prefix)));
            }
        }
    }

    @Test
    void prefixScansReturnExactlyTheKeysWithThePrefix() throws IOException {
        Random random = new Random(9);
        NavigableMap<Bytes, Bytes> oracle = new TreeMap<>();
        try (SortedLogStore store = SortedLogStore.open(DiskStorage.open(dir), SMALL)) {
            randomWrites(store, oracle, random, 2_000, 300);
            byte[][] tricky = {{'k', (byte) 0xFF}, {'k', (byte) 0xFF, (byte) 0xFF, 1}, {'k', (byte) 0xFE}, {'l'}};
            for (byte[] t : tricky) {
                store.put(Bytes.wrap(t), Bytes.of("t"));
                oracle.put(Bytes.wrap(t), Bytes.of("t"));
            }
            List<Bytes> prefixes = new ArrayList<>(List.of(
                    Bytes.of("key01"),
                    Bytes.of("key0"),
                    Bytes.of("key02"),
                    Bytes.of("key029"),
                    Bytes.of("nope"),
                    Bytes.of("k"),
                    Bytes.wrap(new byte[] {'k', (byte) 0xFF})));
            for (Bytes prefix : prefixes) {
                Map<Bytes, Bytes> expected = new TreeMap<>();
                oracle.forEach((k, v) -> {
                    if (k.startsWith(prefix)) {
                        expected.put(k, v);
                    }
                });
                assertThat(
                        "scanPrefix(" + prefix + ") must return the live keys that start with it, ascending:"
                                + " the range [prefix, prefixEnd(prefix))",
                        drain(RangeScan.scanPrefix(store, prefix)),
                        equalTo(entries(expected)));
            }
        }
    }
}
