package dev.storagelab.bounds.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.storagelab.bounds.SegmentCursor;
import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.StoreMetrics;
import dev.storagelab.lab.Graded;
import dev.storagelab.sortedlog.SegmentReader;
import dev.storagelab.sortedlog.SegmentWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tag;
import net.jqwik.api.Tuple;

/**
 * Hidden tests of lab-02 T2, {@link SegmentCursor}: a seek inside one lab-01 segment yields the
 * segment's {@link TreeMap#tailMap tail} (or head, descending) from any key, tombstones included,
 * and reads only the blocks it walks through (counted with {@link StoreMetrics}).
 */
@Tag("hidden")
class SegmentCursorHiddenTest {

    private static final String NAME = "000001-000001.seg";

    @Property(tries = 200)
    @Graded(
            task = "T2",
            points = 3,
            concept = "segment seek starts at the wrong entry (skips the key itself, starts in the wrong "
                    + "block, or stops at a block's end)")
    void seekYieldsTheSegmentFromTheKeyOn(
            @ForAll("runs") List<Entry> run, @ForAll("blockSizes") int blockSize, @ForAll("probes") List<Bytes> probes)
            throws IOException {
        TreeMap<Bytes, Entry> oracle = byKey(run);
        try (SegmentReader segment = write(new FaultInjectingStorage(), run, blockSize, null)) {
            for (Bytes from : probesFor(segment, probes)) {
                List<Entry> expected = new ArrayList<>((from == null ? oracle : oracle.tailMap(from, true)).values());
                try (EntryIterator it = SegmentCursor.seek(segment, from)) {
                    assertThat(
                            "seek(" + from + ") in a segment of " + segment.blockCount() + " blocks holding " + run
                                    + ": every entry with key >= " + from + ", ascending, tombstones included",
                            Sources.drain(it, expected.size() + 1, "seek(" + from + ")"),
                            equalTo(expected));
                }
            }
        }
    }

    @Property(tries = 200)
    @Graded(
            task = "T2",
            points = 3,
            concept = "reverse segment seek starts at the wrong entry or misses the floor block")
    void seekReverseYieldsTheSegmentUpToTheKeyDescending(
            @ForAll("runs") List<Entry> run, @ForAll("blockSizes") int blockSize, @ForAll("probes") List<Bytes> probes)
            throws IOException {
        TreeMap<Bytes, Entry> oracle = byKey(run);
        try (SegmentReader segment = write(new FaultInjectingStorage(), run, blockSize, null)) {
            for (Bytes from : probesFor(segment, probes)) {
                List<Entry> expected = new ArrayList<>((from == null ? oracle : oracle.headMap(from, true))
                        .descendingMap()
                        .values());
                try (EntryIterator it = SegmentCursor.seekReverse(segment, from)) {
                    assertThat(
                            "seekReverse(" + from + ") in a segment of " + segment.blockCount() + " blocks holding "
                                    + run + ": every entry with key <= " + from + ", descending, tombstones included",
                            Sources.drain(it, expected.size() + 1, "seekReverse(" + from + ")"),
                            equalTo(expected));
                }
            }
        }
    }

    @Example
    @Graded(
            task = "T2",
            points = 3,
            concept = "segment seek reads blocks it does not need (walks from the first block instead of "
                    + "a floor search of the index)")
    void seekReadsOnlyTheBlocksItWalksThrough() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        List<Entry> run = new ArrayList<>();
        for (int i = 0; i < 6000; i += 2) {
            run.add(Entry.put(key(i), Bytes.of("value-of-" + key(i).toUtf8())));
        }
        StoreMetrics metrics = new StoreMetrics(new CountingStorage(storage));
        TreeMap<Bytes, Entry> oracle = byKey(run);
        try (SegmentReader segment = write(storage, run, 256, metrics)) {
            assertThat("the test needs a segment of many blocks", segment.blockCount() > 200, equalTo(true));
            List<Bytes> froms = List.of(
                    key(0), key(2998), key(2999), key(5998), key(3001), key(4800), Bytes.of("a"), Bytes.of("z"));
            for (Bytes from : froms) {
                for (int take : new int[] {1, 25}) {
                    List<Bytes> forward =
                            new ArrayList<>(oracle.tailMap(from, true).keySet());
                    List<Bytes> backward = new ArrayList<>(
                            oracle.headMap(from, true).descendingMap().keySet());
                    checkBlocksRead(
                            segment,
                            metrics,
                            from,
                            take,
                            false,
                            forward.subList(0, Math.min(take, forward.size())),
                            () -> SegmentCursor.seek(segment, from));
                    checkBlocksRead(
                            segment,
                            metrics,
                            from,
                            take,
                            true,
                            backward.subList(0, Math.min(take, backward.size())),
                            () -> SegmentCursor.seekReverse(segment, from));
                }
            }
        }
    }

    @Example
    @Graded(
            task = "T2",
            points = 2,
            concept = "segment seek hides a corrupt block, or reports it as something other than an "
                    + "UncheckedIOException")
    void aCorruptBlockSurfacesOnlyWhenTheSeekWalksIntoIt() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        List<Entry> run = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            run.add(Entry.put(key(i), Bytes.of("v" + i)));
        }
        TreeMap<Bytes, Entry> oracle = byKey(run);
        write(storage, run, 128, null).close();
        storage.flipBit(NAME, 5, 3); // inside the first block: the first entry's header
        try (SegmentReader segment = SegmentReader.open(storage, NAME, null)) {
            Bytes inLastBlock = segment.blockFirstKeys().get(segment.blockCount() - 1);
            Set<Bytes> firstBlock = new HashSet<>();
            for (Entry e :
                    oracle.headMap(segment.blockFirstKeys().get(1), false).values()) {
                firstBlock.add(e.key());
            }
            try (EntryIterator it = SegmentCursor.seek(segment, inLastBlock)) {
                assertThat(
                        "seek(" + inLastBlock + ") starts in the last block and never needs the corrupt first one",
                        Sources.drain(it, run.size(), "seek into the last block"),
                        equalTo(new ArrayList<>(
                                oracle.tailMap(inLastBlock, true).values())));
            }
            List<Entry> before = new ArrayList<>();
            UncheckedIOException forward =
                    readUntilFailure(() -> SegmentCursor.seek(segment, null), before, run.size());
            assertThat(
                    "a forward seek from the start reads the corrupt first block first, so nothing may come before "
                            + "the error",
                    before,
                    empty());
            assertThat("the error's cause", forward.getCause(), instanceOf(CorruptionException.class));

            before.clear();
            UncheckedIOException reverse =
                    readUntilFailure(() -> SegmentCursor.seekReverse(segment, null), before, run.size());
            assertThat("the error's cause", reverse.getCause(), instanceOf(CorruptionException.class));
            for (Entry e : before) {
                assertThat(
                        "a reverse seek returned " + e + " of the corrupt first block",
                        firstBlock.contains(e.key()),
                        equalTo(false));
            }
            List<Entry> descending = new ArrayList<>(oracle.descendingMap().values());
            assertThat(
                    "a reverse seek yields the good blocks, last to first, before it meets the corrupt one",
                    before,
                    equalTo(descending.subList(0, before.size())));
        }
    }

    // ---------------------------------------------------------------------------------- helpers

    private static Bytes key(int i) {
        return Bytes.of(String.format("key-%05d", i));
    }

    private static TreeMap<Bytes, Entry> byKey(Collection<Entry> entries) {
        TreeMap<Bytes, Entry> map = new TreeMap<>();
        entries.forEach(e -> map.put(e.key(), e));
        return map;
    }

    /** Writes {@code run} as the segment {@link #NAME} (lab-01's writer) and opens it. */
    private static SegmentReader write(
            FaultInjectingStorage storage, List<Entry> run, int blockSize, StoreMetrics metrics) throws IOException {
        try (SegmentWriter writer = new SegmentWriter(storage, NAME, blockSize)) {
            for (Entry e : run) {
                writer.add(e);
            }
            writer.finish();
        }
        return SegmentReader.open(storage, NAME, metrics);
    }

    /** The generated probes, null (no bound), and every block's first key and the last key. */
    private static List<Bytes> probesFor(SegmentReader segment, List<Bytes> probes) {
        List<Bytes> all = new ArrayList<>(probes);
        all.add(null);
        all.addAll(segment.blockFirstKeys());
        all.add(segment.lastKey());
        return all;
    }

    /** The index of the block holding {@code key}: the last block whose first key is <= it. */
    private static int blockOf(SegmentReader segment, Bytes key) {
        List<Bytes> firsts = segment.blockFirstKeys();
        int block = 0;
        for (int i = 0; i < firsts.size(); i++) {
            if (firsts.get(i).compareTo(key) <= 0) {
                block = i;
            }
        }
        return block;
    }

    /**
     * Seeks, takes up to {@code take} entries, and checks the blocks read: the distinct blocks
     * holding the entries taken, plus at most one more (a block looked at to find the first entry,
     * or read ahead to answer hasNext).
     */
    private static void checkBlocksRead(
            SegmentReader segment,
            StoreMetrics metrics,
            Bytes from,
            int take,
            boolean reverse,
            List<Bytes> expected,
            Supplier<EntryIterator> seek) {
        long before = metrics.snapshot().blocksRead();
        Set<Integer> walked = new HashSet<>();
        List<Bytes> keys = new ArrayList<>();
        try (EntryIterator it = seek.get()) {
            for (int i = 0; i < take && it.hasNext(); i++) {
                Bytes key = it.next().key();
                keys.add(key);
                walked.add(blockOf(segment, key));
            }
        }
        long read = metrics.snapshot().blocksRead() - before;
        String what = (reverse ? "seekReverse(" : "seek(") + from + ") then " + take + " entries in a segment of "
                + segment.blockCount() + " blocks";
        // few blocks read count only for the right entries: a seek that finds nothing reads none
        assertThat(what + ": the entries, in order", keys, equalTo(expected));
        assertThat(
                what + " walks through " + walked.size() + " block(s); it may read those and one more, and must "
                        + "find the first block from the in-memory index",
                read,
                lessThanOrEqualTo(walked.size() + 1L));
    }

    /** Reads until an UncheckedIOException (from the seek or the iteration), collecting entries before it. */
    private static UncheckedIOException readUntilFailure(Supplier<EntryIterator> seek, List<Entry> before, int bound) {
        try (EntryIterator it = seek.get()) {
            while (it.hasNext() && before.size() <= bound) {
                before.add(it.next());
            }
        } catch (UncheckedIOException e) {
            return e;
        }
        throw new AssertionError("reading through a segment whose first block is corrupt ended normally after "
                + before.size() + " entries: the corruption must surface as an UncheckedIOException");
    }

    // ------------------------------------------------------------------------------- generators

    private static Arbitrary<Bytes> keys() {
        return Arbitraries.of((byte) 0x00, (byte) 'a', (byte) 'b', (byte) 0x7f, (byte) 0x80, (byte) 0xff)
                .array(byte[].class)
                .ofMinSize(1)
                .ofMaxSize(3)
                .map(Bytes::copyOf);
    }

    @Provide
    Arbitrary<List<Entry>> runs() {
        Arbitrary<Entry> entry = Arbitraries.frequencyOf(
                Tuple.of(
                        3,
                        Combinators.combine(
                                        keys(),
                                        Arbitraries.bytes().array(byte[].class).ofMaxSize(40))
                                .as((k, v) -> Entry.put(k, Bytes.copyOf(v)))),
                Tuple.of(1, keys().map(Entry::tombstone)));
        return entry.list()
                .ofMinSize(1)
                .ofMaxSize(200)
                .withSizeDistribution(RandomDistribution.uniform())
                .map(list -> List.copyOf(byKey(list).values()));
    }

    @Provide
    Arbitrary<Integer> blockSizes() {
        return Arbitraries.of(64, 100, 256, 4096);
    }

    @Provide
    Arbitrary<List<Bytes>> probes() {
        return keys().list().ofMaxSize(8);
    }
}
