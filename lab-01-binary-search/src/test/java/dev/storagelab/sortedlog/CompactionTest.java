package dev.storagelab.sortedlog;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

import dev.storagelab.io.DiskStorage;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests for lab-01 T9: {@code NewestWinsMerge.advance} (merge two sorted sources, the newer one
 * winning on equal keys) and the tombstone rule in {@link Compactor#compact}: a tombstone may be
 * dropped only when the compaction includes the oldest segment.
 *
 * <p>The oracle for a merge is a {@link TreeMap} into which the sources are put oldest first, so
 * each newer source overwrites what came before.
 */
class CompactionTest {

    @TempDir
    Path dir;

    private static Bytes b(String s) {
        return Bytes.of(s);
    }

    private static Entry put(String key, String value) {
        return Entry.put(b(key), b(value));
    }

    private static Entry tombstone(String key) {
        return Entry.tombstone(b(key));
    }

    private static List<Entry> drain(EntryIterator it) {
        List<Entry> out = new ArrayList<>();
        try (it) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    private static EntryIterator source(List<Entry> sorted) {
        return EntryIterator.of(sorted.iterator());
    }

    /** What merging {@code newestFirst} must give: per key, the entry of the newest source holding it. */
    private static List<Entry> oracleMerge(List<List<Entry>> newestFirst) {
        TreeMap<Bytes, Entry> merged = new TreeMap<>();
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            for (Entry e : newestFirst.get(i)) {
                merged.put(e.key(), e);
            }
        }
        return new ArrayList<>(merged.values());
    }

    /** A sorted source of random keys from key-00 .. key-59, with values naming the source. */
    private static List<Entry> randomSource(Random random, int sourceNumber) {
        TreeMap<Bytes, Entry> source = new TreeMap<>();
        int size = random.nextInt(25);
        for (int i = 0; i < size; i++) {
            String key = String.format("key-%02d", random.nextInt(60));
            source.put(b(key), random.nextInt(4) == 0 ? tombstone(key) : put(key, "from-source-" + sourceNumber));
        }
        return new ArrayList<>(source.values());
    }

    private void writeSegment(Storage storage, String name, List<Entry> entries) throws IOException {
        try (SegmentWriter writer = new SegmentWriter(storage, name, 128)) {
            for (Entry e : entries) {
                writer.add(e);
            }
            writer.finish();
        }
    }

    private static List<Entry> readSegment(Storage storage, String name) throws IOException {
        try (SegmentReader segment = SegmentReader.open(storage, name, null)) {
            return drain(segment.iterator());
        }
    }

    // ------------------------------------------------------------------------ NewestWinsMerge

    @Test
    void newerEntryWinsOnEqualKeysAndEachKeyAppearsOnce() {
        List<Entry> newer = List.of(put("b", "new"), tombstone("c"), put("e", "new"));
        List<Entry> older = List.of(put("a", "old"), put("b", "old"), put("c", "old"), put("d", "old"));
        assertThat(
                "merge(newer, older): keys in order, each once; on b and c the newer entry wins (c's tombstone"
                        + " hides the older value)",
                drain(new NewestWinsMerge(source(newer), source(older))),
                contains(put("a", "old"), put("b", "new"), tombstone("c"), put("d", "old"), put("e", "new")));
    }

    @Test
    void mergeWithAnEmptySourceIsTheOtherSource() {
        List<Entry> entries = List.of(put("a", "1"), tombstone("b"), put("c", "3"));
        assertThat(
                "merging with an empty older source gives the newer one unchanged",
                drain(new NewestWinsMerge(source(entries), source(List.of()))),
                equalTo(entries));
        assertThat(
                "merging with an empty newer source gives the older one unchanged",
                drain(new NewestWinsMerge(source(List.of()), source(entries))),
                equalTo(entries));
        assertThat(
                "merging two empty sources gives nothing",
                drain(new NewestWinsMerge(source(List.of()), source(List.of()))),
                is(empty()));
    }

    @Test
    void sourcesWithTheSameKeysGiveTheNewerSource() {
        List<Entry> newer = List.of(put("a", "new"), tombstone("b"), put("c", "new"));
        List<Entry> older = List.of(tombstone("a"), put("b", "old"), put("c", "old"));
        assertThat(
                "every key is in both sources: every entry comes from the newer one, and the older one's"
                        + " entries are skipped, not emitted after",
                drain(new NewestWinsMerge(source(newer), source(older))),
                equalTo(newer));
    }

    @Test
    void stackedMergesAgreeWithTheOracleOnRandomSources() {
        Random random = new Random(61);
        for (int round = 0; round < 300; round++) {
            int count = 1 + random.nextInt(5);
            List<List<Entry>> newestFirst = new ArrayList<>();
            List<EntryIterator> sources = new ArrayList<>();
            for (int s = 0; s < count; s++) {
                List<Entry> source = randomSource(random, s);
                newestFirst.add(source);
                sources.add(source(source));
            }
            assertThat(
                    "round " + round + ": merging " + count + " sources (source 0 newest) " + newestFirst
                            + " must give, per key in order, the entry of the newest source holding it",
                    drain(NewestWinsMerge.of(sources)),
                    equalTo(oracleMerge(newestFirst)));
        }
    }

    // ------------------------------------------------------------------------ Compactor

    @Test
    void compactionKeepsTheNewestVersionOfEachKey() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(62);
        Random random = new Random(62);
        List<List<Entry>> newestFirst = new ArrayList<>();
        List<SegmentReader> inputs = new ArrayList<>();
        for (int s = 3; s >= 1; s--) {
            List<Entry> entries;
            do {
                entries = randomSource(random, s);
            } while (entries.isEmpty());
            newestFirst.add(entries);
            writeSegment(storage, FileNames.segment(s, s), entries);
        }
        for (int s = 3; s >= 1; s--) {
            inputs.add(SegmentReader.open(storage, FileNames.segment(s, s), null));
        }
        try {
            List<Entry> expected = oracleMerge(newestFirst);
            long written = Compactor.compact(storage, inputs, "000001-000003.seg", 128, false);
            assertThat(
                    "the output holds each key once with its newest entry, tombstones kept (dropTombstones=false)",
                    readSegment(storage, "000001-000003.seg"),
                    equalTo(expected));
            assertThat("compact() returns the number of entries written", written, is((long) expected.size()));
        } finally {
            for (SegmentReader s : inputs) {
                s.close();
            }
        }
    }

    @Test
    void compactionDropsTombstonesAtTheBottomLevel() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(63);
        writeSegment(storage, "000001-000001.seg", List.of(put("a", "1"), put("b", "1"), put("c", "1")));
        writeSegment(storage, "000002-000002.seg", List.of(tombstone("a"), put("b", "2"), tombstone("z")));
        try (SegmentReader older = SegmentReader.open(storage, "000001-000001.seg", null);
                SegmentReader newer = SegmentReader.open(storage, "000002-000002.seg", null)) {
            long written = Compactor.compact(storage, List.of(newer, older), "000001-000002.seg", 128, true);
            assertThat(
                    "the inputs include the oldest segment, so no older version of a or z exists anywhere:"
                            + " their tombstones are dropped, leaving b and c",
                    readSegment(storage, "000001-000002.seg"),
                    contains(put("b", "2"), put("c", "1")));
            assertThat("compact() counts the entries it wrote, not the ones it dropped", written, is(2L));
        }
    }

    @Test
    void compactionAboveTheBottomKeepsTombstonesSoDeletedKeysStayDeleted() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(64);
        writeSegment(storage, "000001-000001.seg", List.of(put("k", "deleted-value"), put("x", "1")));
        writeSegment(storage, "000002-000002.seg", List.of(tombstone("k")));
        writeSegment(storage, "000003-000003.seg", List.of(put("y", "3")));
        try (SegmentReader oldest = SegmentReader.open(storage, "000001-000001.seg", null);
                SegmentReader middle = SegmentReader.open(storage, "000002-000002.seg", null);
                SegmentReader newest = SegmentReader.open(storage, "000003-000003.seg", null)) {
            // Compact the two newer segments only: segment 1 still holds k's old value.
            Compactor.compact(storage, List.of(newest, middle), "000002-000003.seg", 128, false);
            try (SegmentReader compacted = SegmentReader.open(storage, "000002-000003.seg", null)) {
                assertThat(
                        "control: the oldest segment, not part of this compaction, still holds k's old value",
                        oldest.get(b("k")),
                        equalTo(put("k", "deleted-value")));
                assertThat(
                        "k's tombstone must be kept when the oldest segment is not compacted: a reader looks in"
                                + " the compacted segment first, and finding nothing there it would read k's deleted value"
                                + " from the oldest one",
                        compacted.get(b("k")),
                        equalTo(tombstone("k")));
                assertThat(
                        "the compacted segment holds the tombstone and y, newest first merged",
                        drain(compacted.iterator()),
                        contains(tombstone("k"), put("y", "3")));
            }
        }
    }

    @Test
    void compactionThatDropsEverythingWritesNoFile() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(65);
        writeSegment(storage, "000001-000001.seg", List.of(put("a", "1")));
        writeSegment(storage, "000002-000002.seg", List.of(tombstone("a"), tombstone("b")));
        try (SegmentReader older = SegmentReader.open(storage, "000001-000001.seg", null);
                SegmentReader newer = SegmentReader.open(storage, "000002-000002.seg", null)) {
            long written = Compactor.compact(storage, List.of(newer, older), "000001-000002.seg", 128, true);
            assertThat("every key ends deleted at the bottom level: nothing is left to write", written, is(0L));
            assertThat(
                    "no output segment (an empty segment is never written) and no temp file is left",
                    storage.list(),
                    contains("000001-000001.seg", "000002-000002.seg"));
        }
    }

    // ------------------------------------------------------------------------ SortedLogStore.compact

    /** Four flushes over overlapping keys with deletes, into a store that only compacts when asked. */
    private static TreeMap<Bytes, Bytes> fillWithSegments(SortedLogStore store) throws IOException {
        TreeMap<Bytes, Bytes> oracle = new TreeMap<>();
        Random random = new Random(66);
        for (int flush = 0; flush < 4; flush++) {
            for (int i = 0; i < 300; i++) {
                Bytes key = b("key-" + random.nextInt(200));
                if (random.nextInt(4) == 0) {
                    store.delete(key);
                    oracle.remove(key);
                } else {
                    Bytes value = b("flush-" + flush + "-" + i);
                    store.put(key, value);
                    oracle.put(key, value);
                }
            }
            store.flush();
        }
        return oracle;
    }

    private static void assertMatchesOracle(SortedLogStore store, TreeMap<Bytes, Bytes> oracle, String when)
            throws IOException {
        for (int i = 0; i < 210; i++) {
            Bytes key = b("key-" + i);
            assertThat(
                    when + ": get(" + key + ") must be what it was before compaction (compaction never changes"
                            + " what a reader sees)",
                    store.get(key),
                    equalTo(Optional.ofNullable(oracle.get(key))));
        }
    }

    @Test
    void storeCompactionLeavesOneSegmentWithTheSameContents() throws IOException {
        Storage storage = DiskStorage.open(dir);
        SortedLogOptions options =
                SortedLogOptions.builder().compactionTrigger(0).build();
        try (SortedLogStore store = SortedLogStore.open(storage, options)) {
            TreeMap<Bytes, Bytes> oracle = fillWithSegments(store);
            assertThat("four flushes make four segments", store.segmentNames(), hasSize(4));
            store.compact();
            assertThat("compact() merges every segment into one", store.segmentNames(), hasSize(1));
            assertMatchesOracle(store, oracle, "after compact()");
            List<Entry> compacted = readSegment(storage, store.segmentNames().get(0));
            assertThat(
                    "compacting every segment includes the oldest, so no tombstone needs to survive",
                    compacted.stream().filter(Entry::isTombstone).toList(),
                    is(empty()));
            assertThat(
                    "the compacted segment holds exactly the live keys, once each",
                    compacted.stream().map(Entry::key).toList(),
                    equalTo(new ArrayList<>(oracle.keySet())));
        }
    }

    @Test
    void compactionOutputSurvivesReopen() throws IOException {
        Storage storage = DiskStorage.open(dir);
        SortedLogOptions options =
                SortedLogOptions.builder().compactionTrigger(0).build();
        TreeMap<Bytes, Bytes> oracle;
        List<String> segments;
        try (SortedLogStore store = SortedLogStore.open(storage, options)) {
            oracle = fillWithSegments(store);
            store.compact();
            segments = store.segmentNames();
        }
        assertThat(
                "the compaction's inputs are deleted once its output is published: only one segment file remains",
                storage.list().stream().filter(n -> n.endsWith(".seg")).toList(),
                equalTo(segments));
        try (SortedLogStore store = SortedLogStore.open(storage, options)) {
            assertThat(
                    "after reopening, the compacted segment is the only segment",
                    store.segmentNames(),
                    equalTo(segments));
            assertMatchesOracle(store, oracle, "after compact(), close and reopen");
            store.put(b("key-0"), b("after-reopen"));
            assertThat(
                    "the reopened store takes new writes over the compacted data",
                    store.get(b("key-0")),
                    is(Optional.of(b("after-reopen"))));
        }
    }

    @Test
    void deletedKeysStayDeletedThroughFlushAndCompaction() throws IOException {
        SortedLogOptions options =
                SortedLogOptions.builder().compactionTrigger(0).build();
        try (SortedLogStore store = SortedLogStore.open(new FaultInjectingStorage(67), options)) {
            for (int i = 0; i < 50; i++) {
                store.put(b("key-" + i), b("v"));
            }
            store.flush();
            for (int i = 0; i < 50; i += 2) {
                store.delete(b("key-" + i));
            }
            store.flush();
            store.compact();
            assertThat("compact() leaves one segment", store.segmentNames(), hasSize(1));
            for (int i = 0; i < 50; i++) {
                assertThat(
                        "key-" + i
                                + (i % 2 == 0
                                        ? " was deleted after it was flushed; compaction must not bring" + " it back"
                                        : " was never deleted"),
                        store.get(b("key-" + i)),
                        is(i % 2 == 0 ? Optional.empty() : Optional.of(b("v"))));
            }
        }
    }
}
