package dev.storagelab.sortedlog.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.lab.Graded;
import dev.storagelab.sortedlog.Compactor;
import dev.storagelab.sortedlog.NewestWinsMerge;
import dev.storagelab.sortedlog.SegmentReader;
import dev.storagelab.sortedlog.SortedLogOptions;
import dev.storagelab.sortedlog.SortedLogStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;

/**
 * Hidden tests of lab-01 T9: {@code NewestWinsMerge.advance} (each key once, the newest source
 * wins) and the tombstone rule of {@code Compactor.compact} (drop a tombstone only when nothing
 * older can resurface). A {@link TreeMap} that applies the sources oldest first is the oracle.
 * Input segments are built by {@link SpecSegment}.
 */
@Tag("hidden")
class CompactionHiddenTest {

    private static final String OUTPUT = "000001-000009.seg";

    @Property(tries = 200)
    @Graded(task = "T9", points = 4, concept = "merge emits a key twice, loses one, or lets an older source win")
    void mergeKeepsTheNewestEntryOfEachKey(@ForAll("sources") List<List<Entry>> newestFirst) {
        List<EntryIterator> iterators = new ArrayList<>();
        newestFirst.forEach(s -> iterators.add(EntryIterator.of(s.iterator())));
        List<Entry> merged = new ArrayList<>();
        try (EntryIterator it = NewestWinsMerge.of(iterators)) {
            while (it.hasNext()) {
                merged.add(it.next());
                if (merged.size() > 10_000) {
                    throw new AssertionError("the merge of small sources never ends");
                }
            }
        }
        assertThat(
                "merging " + newestFirst.size() + " sources (newest first) " + newestFirst
                        + ": each key once, in order, with the newest source's entry (tombstones included)",
                merged,
                equalTo(List.copyOf(newestWins(newestFirst).values())));
    }

    @Property(tries = 60)
    @Graded(task = "T9", points = 3, concept = "compaction drops tombstones it must keep, or keeps ones it may drop")
    void compactionDropsTombstonesOnlyWhenAllowed(@ForAll("segmentSources") List<List<Entry>> newestFirst)
            throws IOException {
        for (boolean drop : new boolean[] {false, true}) {
            FaultInjectingStorage storage = new FaultInjectingStorage();
            List<SegmentReader> inputs = plantSegments(storage, newestFirst);
            List<Entry> expected = new ArrayList<>(newestWins(newestFirst).values());
            if (drop) {
                expected.removeIf(Entry::isTombstone);
            }
            long written;
            try {
                written = Compactor.compact(storage, inputs, OUTPUT, 256, drop);
            } finally {
                for (SegmentReader s : inputs) {
                    s.close();
                }
            }
            String what = "compacting " + newestFirst + " with dropTombstones=" + drop;
            assertThat(what + ": the count returned is the entries written", written, equalTo((long) expected.size()));
            if (expected.isEmpty()) {
                assertThat(
                        what + ": nothing survives, so no output file (nor temp file) is left",
                        storage.exists(OUTPUT) || storage.exists(OUTPUT + ".tmp"),
                        is(false));
                continue;
            }
            try (SegmentReader output = SegmentReader.open(storage, OUTPUT, null);
                    EntryIterator it = output.iterator()) {
                List<Entry> actual = new ArrayList<>();
                it.forEachRemaining(actual::add);
                assertThat(
                        what + ": the output holds the newest entry of each key"
                                + (drop
                                        ? ", minus tombstones (the inputs include the oldest data, so they hide nothing)"
                                        : ", tombstones included (older data may exist elsewhere)"),
                        actual,
                        equalTo(expected));
            }
        }
    }

    @Example
    @Graded(
            task = "T9",
            points = 4,
            concept = "tombstone resurrected after compaction (dropped while older data remained)")
    void partialCompactionKeepsTombstonesThatHideOlderValues() throws IOException {
        List<Entry> oldest = List.of(put("a", "old a"), put("b", "old b"), put("c", "old c"));
        List<Entry> middle = List.of(Entry.tombstone(Bytes.of("a")), put("c", "new c"));
        List<Entry> newest = List.of(Entry.tombstone(Bytes.of("b")), put("d", "new d"));
        FaultInjectingStorage storage = new FaultInjectingStorage();
        List<SegmentReader> all = plantSegments(storage, List.of(newest, middle, oldest));
        // Compact the two newest segments only: the oldest still holds values of a and b.
        Compactor.compact(storage, all.subList(0, 2), OUTPUT, 256, false);
        try (SegmentReader output = SegmentReader.open(storage, OUTPUT, null)) {
            List<SegmentReader> afterCompaction = List.of(output, all.get(2));
            assertThat(
                    "a was deleted after the oldest segment wrote it; the compacted output must keep the "
                            + "tombstone or the old value comes back",
                    read(afterCompaction, "a"),
                    equalTo(Optional.empty()));
            assertThat("b likewise", read(afterCompaction, "b"), equalTo(Optional.empty()));
            assertThat("c's newer value wins", read(afterCompaction, "c"), equalTo(Optional.of(Bytes.of("new c"))));
            assertThat("d is kept", read(afterCompaction, "d"), equalTo(Optional.of(Bytes.of("new d"))));
        } finally {
            for (SegmentReader s : all) {
                s.close();
            }
        }
    }

    @Example
    @Graded(task = "T9", points = 3, concept = "tombstone resurrected after store compaction and reopen")
    void storeCompactionNeverResurrectsDeletedKeys() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        SortedLogOptions options = SortedLogOptions.builder()
                .memtableBytes(1 << 20)
                .blockSize(256)
                .compactionTrigger(0)
                .build();
        TreeMap<Bytes, Bytes> oracle = new TreeMap<>();
        try (SortedLogStore store = SortedLogStore.open(storage, options)) {
            for (int i = 0; i < 100; i++) {
                store.put(key(i), Bytes.of("first " + i));
                oracle.put(key(i), Bytes.of("first " + i));
            }
            store.flush();
            for (int i = 0; i < 100; i += 2) {
                store.delete(key(i));
                oracle.remove(key(i));
            }
            store.flush();
            for (int i = 0; i < 100; i += 4) {
                store.put(key(i), Bytes.of("second " + i));
                oracle.put(key(i), Bytes.of("second " + i));
            }
            store.flush();
            store.compact();
            assertThat("compaction of every segment leaves one", store.segmentNames(), hasSize(1));
            assertStoreMatches(store, oracle, "after compacting three segments");
            try (SegmentReader only =
                            SegmentReader.open(storage, store.segmentNames().get(0), null);
                    EntryIterator it = only.iterator()) {
                List<Entry> tombstones = new ArrayList<>();
                it.forEachRemaining(e -> {
                    if (e.isTombstone()) {
                        tombstones.add(e);
                    }
                });
                assertThat(
                        "a compaction of every segment includes the oldest, so its tombstones hide nothing "
                                + "and are dropped",
                        tombstones,
                        empty());
            }
        }
        try (SortedLogStore store = SortedLogStore.open(storage, options)) {
            assertStoreMatches(store, oracle, "after compacting and reopening");
        }
    }

    @Example
    @Graded(task = "T9", points = 2, concept = "compaction that deletes everything leaves a segment behind")
    void compactingOnlyDeletedKeysLeavesNoSegment() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        SortedLogOptions options = SortedLogOptions.builder()
                .memtableBytes(1 << 20)
                .blockSize(256)
                .compactionTrigger(0)
                .build();
        try (SortedLogStore store = SortedLogStore.open(storage, options)) {
            for (int i = 0; i < 30; i++) {
                store.put(key(i), Bytes.of("doomed"));
            }
            store.flush();
            for (int i = 0; i < 30; i++) {
                store.delete(key(i));
            }
            store.flush();
            store.compact();
            assertThat(
                    "every key was deleted, so the full compaction drops all values and all tombstones",
                    store.segmentNames(),
                    empty());
            assertStoreMatches(store, new TreeMap<>(), "after compacting away every key");
        }
        try (SortedLogStore store = SortedLogStore.open(storage, options)) {
            assertStoreMatches(store, new TreeMap<>(), "after compacting away every key and reopening");
        }
    }

    // ---------------------------------------------------------------------------------- helpers

    /** The newest entry of each key across {@code newestFirst}: the oracle of every merge. */
    static TreeMap<Bytes, Entry> newestWins(List<List<Entry>> newestFirst) {
        TreeMap<Bytes, Entry> oracle = new TreeMap<>();
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            newestFirst.get(i).forEach(e -> oracle.put(e.key(), e));
        }
        return oracle;
    }

    /** Plants each source as a segment, oldest with the lowest number, and opens them newest first. */
    private static List<SegmentReader> plantSegments(FaultInjectingStorage storage, List<List<Entry>> newestFirst)
            throws IOException {
        List<SegmentReader> readers = new ArrayList<>();
        for (int i = 0; i < newestFirst.size(); i++) {
            long number = newestFirst.size() - i;
            String name = String.format("%06d-%06d.seg", number, number);
            storage.plant(name, SpecSegment.build(newestFirst.get(i), 256).bytes());
            readers.add(SegmentReader.open(storage, name, null));
        }
        return readers;
    }

    /** What a reader of these segments (newest first) sees for {@code key}. */
    private static Optional<Bytes> read(List<SegmentReader> newestFirst, String key) throws IOException {
        for (SegmentReader s : newestFirst) {
            Entry e = s.get(Bytes.of(key));
            if (e != null) {
                return e.isTombstone() ? Optional.empty() : Optional.of(e.value());
            }
        }
        return Optional.empty();
    }

    private static void assertStoreMatches(SortedLogStore store, TreeMap<Bytes, Bytes> oracle, String when)
            throws IOException {
        for (int i = 0; i < 100; i++) {
            assertThat(
                    when + ": the value of " + key(i),
                    store.get(key(i)),
                    equalTo(Optional.ofNullable(oracle.get(key(i)))));
        }
    }

    private static Bytes key(int i) {
        return Bytes.of(String.format("key-%03d", i));
    }

    private static Entry put(String key, String value) {
        return Entry.put(Bytes.of(key), Bytes.of(value));
    }

    @Provide
    Arbitrary<List<List<Entry>>> sources() {
        return HiddenArbitraries.sortedRun(0, 25, 12).list().ofMinSize(1).ofMaxSize(5);
    }

    @Provide
    Arbitrary<List<List<Entry>>> segmentSources() {
        return HiddenArbitraries.sortedRun(1, 40, 60).list().ofMinSize(1).ofMaxSize(4);
    }
}
