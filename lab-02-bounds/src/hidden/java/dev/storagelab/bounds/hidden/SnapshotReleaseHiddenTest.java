package dev.storagelab.bounds.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import dev.storagelab.bounds.RangeScan;
import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.lab.Graded;
import dev.storagelab.sortedlog.SortedLogStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hidden tests of the snapshot a lab-02 T4 {@link RangeScan} holds: an open scan keeps reading
 * the segments it started with while a compaction replaces them, and a closed or exhausted scan
 * lets go, so the replaced segments are closed. Open read handles are counted by a
 * {@link CountingStorage#openReadHandles()}: a segment that compaction deleted from the directory but that is
 * still open is pinned by a snapshot nobody released (on a real disk its space is not freed).
 */
@Tag("hidden")
class SnapshotReleaseHiddenTest {

    @Test
    @Graded(
            task = "T4",
            points = 2,
            concept = "a closed scan pins its snapshot: the segments it read stay open after compaction "
                    + "deletes them")
    void aClosedScanReleasesItsSnapshot() throws IOException {
        CountingStorage storage = new CountingStorage(new FaultInjectingStorage());
        try (SortedLogStore store = Stores.open(storage, 0)) {
            TreeMap<Bytes, Bytes> oracle = fillThreeSegments(store);
            try (EntryIterator scan = RangeScan.scan(store, null, null)) {
                for (int i = 0; i < 5; i++) {
                    assertThat("entry " + i + " of a full scan", scan.next(), equalTo(entryAt(oracle, i)));
                }
            } // closed half-way
            try (EntryIterator scan = RangeScan.scanReverse(store, Bytes.of("key-010"), Bytes.of("key-050"))) {
                scan.next();
            }
            try (EntryIterator scan = RangeScan.scanPrefix(store, Bytes.of("key-02"))) {
                scan.next();
            }
            store.compact();
            assertOnlyLiveSegmentsOpen(storage, store, "after three scans were closed half-way and a compaction");
        }
    }

    @Test
    @Graded(
            task = "T4",
            points = 1,
            concept = "an exhausted scan keeps its snapshot until close() (or releases it twice)")
    void anExhaustedScanReleasesItsSnapshot() throws IOException {
        CountingStorage storage = new CountingStorage(new FaultInjectingStorage());
        try (SortedLogStore store = Stores.open(storage, 0)) {
            TreeMap<Bytes, Bytes> oracle = fillThreeSegments(store);
            EntryIterator forward = RangeScan.scan(store, null, null);
            assertThat(
                    "a full scan", Sources.drain(forward, oracle.size() + 1, "a full scan"), equalTo(entries(oracle)));
            EntryIterator empty = RangeScan.scan(store, Bytes.of("zzz"), null);
            assertThat("a scan past the last key is empty", empty.hasNext(), equalTo(false));
            store.compact();
            assertOnlyLiveSegmentsOpen(
                    storage, store, "after two scans ran to their end (not closed) and a compaction");

            // Closing after the end must not release the snapshot a second time.
            forward.close();
            empty.close();
            store.put(Bytes.of("key-000"), Bytes.of("new"));
            oracle.put(Bytes.of("key-000"), Bytes.of("new"));
            store.flush();
            try (EntryIterator again = RangeScan.scan(store, null, null)) {
                assertThat(
                        "a scan after closing exhausted scans and flushing",
                        Sources.drain(again, oracle.size() + 1, "a full scan"),
                        equalTo(entries(oracle)));
            }
            store.compact();
            assertOnlyLiveSegmentsOpen(storage, store, "after closing the exhausted scans and another compaction");
        }
    }

    @Test
    @Graded(
            task = "T4",
            points = 2,
            concept = "a scan open across a compaction loses its segments (reads a closed or deleted "
                    + "file, or switches to the compacted data half-way)")
    void anOpenScanReadsItsSnapshotWhileCompactionReplacesTheFiles(@TempDir Path dir) throws IOException {
        CountingStorage storage = new CountingStorage(DiskStorage.open(dir));
        try (SortedLogStore store = Stores.open(storage, 0)) {
            TreeMap<Bytes, Bytes> oracle = fillThreeSegments(store);
            List<String> before = store.segmentNames();
            // The scans cover the "key-" range; the writes below land outside it, in the memtable the
            // scans' snapshot shares, so they cannot change what the scans must return.
            Bytes from = Bytes.of("key-");
            Bytes to = Bytes.of("key.");
            List<Entry> expected = entries(oracle);
            List<Entry> expectedReverse = new ArrayList<>(expected);
            Collections.reverse(expectedReverse);
            try (EntryIterator forward = RangeScan.scan(store, from, to);
                    EntryIterator reverse = RangeScan.scanReverse(store, from, to)) {
                List<Entry> seen = new ArrayList<>(List.of(forward.next(), forward.next()));
                List<Entry> seenReverse = new ArrayList<>(List.of(reverse.next()));
                // Write, flush and compact: the files the scans read are deleted from the directory
                // while the scans are open.
                for (int i = 0; i < 40; i++) {
                    store.put(Bytes.of("other-" + i), Bytes.of("written while the scans were open"));
                }
                store.flush();
                store.compact();
                assertThat(
                        "compaction deleted the old segment files from the directory",
                        storage.list().stream().filter(before::contains).toList(),
                        equalTo(List.of()));
                seen.addAll(Sources.drain(forward, expected.size(), "the rest of the forward scan"));
                seenReverse.addAll(Sources.drain(reverse, expected.size(), "the rest of the reverse scan"));
                assertThat(
                        "a scan opened before the writes, the flush and the compaction reads its snapshot to the end",
                        seen,
                        equalTo(expected));
                assertThat(
                        "a reverse scan opened before the writes, the flush and the compaction reads its snapshot",
                        seenReverse,
                        equalTo(expectedReverse));
            }
            assertOnlyLiveSegmentsOpen(storage, store, "after the scans were closed");
        }
    }

    // ---------------------------------------------------------------------------------- helpers

    /** 60 keys over three segments, with overwrites and deletes across them. */
    private static TreeMap<Bytes, Bytes> fillThreeSegments(SortedLogStore store) throws IOException {
        TreeMap<Bytes, Bytes> oracle = new TreeMap<>();
        for (int round = 0; round < 3; round++) {
            for (int i = round; i < 60; i += 1 + round) {
                Bytes key = Bytes.of(String.format("key-%03d", i));
                if (round == 2 && i % 4 == 0) {
                    store.delete(key);
                    oracle.remove(key);
                } else {
                    Bytes value = Bytes.of("round " + round + " of " + key.toUtf8());
                    store.put(key, value);
                    oracle.put(key, value);
                }
            }
            store.flush();
        }
        assertThat("the test needs several segments", store.segmentNames().size(), greaterThan(1));
        return oracle;
    }

    private static List<Entry> entries(TreeMap<Bytes, Bytes> oracle) {
        List<Entry> out = new ArrayList<>();
        oracle.forEach((k, v) -> out.add(Entry.put(k, v)));
        return out;
    }

    private static Entry entryAt(TreeMap<Bytes, Bytes> oracle, int i) {
        return entries(oracle).get(i);
    }

    /**
     * Checks that the only files with open read handles are the store's live segments, one handle
     * each: a segment a compaction replaced is closed once no scan holds it.
     */
    private static void assertOnlyLiveSegmentsOpen(CountingStorage storage, SortedLogStore store, String when) {
        Map<String, Integer> expected = new TreeMap<>();
        store.segmentNames().forEach(name -> expected.put(name, 1));
        assertThat(
                when + ": only the live segments may be open, once each; a replaced segment that is still open is "
                        + "pinned by a snapshot nobody released",
                storage.openReadHandles(),
                equalTo(expected));
    }
}
