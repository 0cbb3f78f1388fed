package dev.storagelab.bounds;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-02 T3: {@link MergingIterator}, the k-way newest-wins merge through a heap.
 *
 * <p>The oracle is a {@link TreeMap} into which the sources are put oldest first, so each newer
 * source overwrites what came before; its {@code values()} (or {@code descendingMap().values()})
 * is exactly what the merge must produce, tombstones included.
 */
class MergingIteratorTest {

    /** A source over a list that counts what is taken from it and whether it was closed. */
    private static final class TrackedSource implements EntryIterator {
        private final Iterator<Entry> entries;
        int taken;
        boolean closed;

        TrackedSource(List<Entry> entries) {
            this.entries = entries.iterator();
        }

        @Override
        public boolean hasNext() {
            return entries.hasNext();
        }

        @Override
        public Entry next() {
            taken++;
            return entries.next();
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static Bytes key(int i) {
        return Bytes.of(String.format("key%05d", i));
    }

    /** {@code k} random sorted sources over a small key space, so keys overlap across sources; entries name their source. */
    private static List<NavigableMap<Bytes, Entry>> randomSources(Random random, int k) {
        List<NavigableMap<Bytes, Entry>> sources = new ArrayList<>();
        for (int s = 0; s < k; s++) {
            NavigableMap<Bytes, Entry> source = new TreeMap<>();
            int size = random.nextInt(40);
            for (int i = 0; i < size; i++) {
                Bytes key = key(random.nextInt(200));
                source.put(key, random.nextInt(5) == 0 ? Entry.tombstone(key) : Entry.put(key, Bytes.of("source" + s)));
            }
            sources.add(source);
        }
        return sources;
    }

    /** The oracle: put the sources oldest first, so the newest entry of each key is left. */
    private static NavigableMap<Bytes, Entry> oracle(List<NavigableMap<Bytes, Entry>> newestFirst) {
        NavigableMap<Bytes, Entry> merged = new TreeMap<>();
        for (int s = newestFirst.size() - 1; s >= 0; s--) {
            merged.putAll(newestFirst.get(s));
        }
        return merged;
    }

    private static List<EntryIterator> iterators(List<NavigableMap<Bytes, Entry>> sources, boolean descending) {
        List<EntryIterator> its = new ArrayList<>();
        for (NavigableMap<Bytes, Entry> s : sources) {
            its.add(EntryIterator.of(
                    (descending ? s.descendingMap() : s).values().iterator()));
        }
        return its;
    }

    private static List<Entry> drain(EntryIterator it) {
        List<Entry> out = new ArrayList<>();
        try (it) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void mergesOneToSixtyFourSourcesNewestWinning() {
        Random random = new Random(4);
        for (int k = 1; k <= 64; k++) {
            for (int round = 0; round < 5; round++) {
                List<NavigableMap<Bytes, Entry>> sources = randomSources(random, k);
                NavigableMap<Bytes, Entry> expected = oracle(sources);
                assertThat(
                        "merging " + k + " sources ascending: each key once, in increasing order, carrying the"
                                + " entry of the newest source (lowest index) that has it; entries are tagged with their"
                                + " source. Sources: " + sources,
                        drain(new MergingIterator(iterators(sources, false), false)),
                        equalTo(List.copyOf(expected.values())));
                assertThat(
                        "merging " + k + " descending sources: the same entries in decreasing key order." + " Sources: "
                                + sources,
                        drain(new MergingIterator(iterators(sources, true), true)),
                        equalTo(List.copyOf(expected.descendingMap().values())));
            }
        }
    }

    @Test
    void aNewerTombstoneHidesAnOlderValueAndIsPassedThrough() {
        Bytes a = Bytes.of("a");
        Bytes b = Bytes.of("b");
        List<EntryIterator> sources = List.of(
                EntryIterator.of(List.of(Entry.tombstone(a)).iterator()),
                EntryIterator.of(List.of(Entry.put(a, Bytes.of("old")), Entry.put(b, Bytes.of("old")))
                        .iterator()));
        assertThat(
                "the newest source deleted a: the merge returns the tombstone (callers filter it), never the"
                        + " older value",
                drain(new MergingIterator(sources, false)),
                equalTo(List.of(Entry.tombstone(a), Entry.put(b, Bytes.of("old")))));
    }

    @Test
    void theSameKeyInEverySourceComesOutOnceFromTheNewest() {
        List<EntryIterator> sources = new ArrayList<>();
        for (int s = 0; s < 10; s++) {
            sources.add(EntryIterator.of(
                    List.of(Entry.put(Bytes.of("k"), Bytes.of("source" + s))).iterator()));
        }
        assertThat(
                "ten sources hold k: the output holds it once, from source 0 (the newest)",
                drain(new MergingIterator(sources, false)),
                equalTo(List.of(Entry.put(Bytes.of("k"), Bytes.of("source0")))));
    }

    @Test
    void noSourcesOrOnlyEmptySourcesMergeToNothing() {
        assertThat("a merge of no sources is empty", drain(new MergingIterator(List.of(), false)), is(empty()));
        List<EntryIterator> empties =
                List.of(EntryIterator.of(Collections.emptyIterator()), EntryIterator.of(Collections.emptyIterator()));
        assertThat("a merge of empty sources is empty", drain(new MergingIterator(empties, true)), is(empty()));
    }

    @Test
    void theMergeIsLazyAndReadsAtMostOneEntryAheadPerSource() {
        Random random = new Random(5);
        List<NavigableMap<Bytes, Entry>> maps = randomSources(random, 8);
        List<TrackedSource> sources = new ArrayList<>();
        for (NavigableMap<Bytes, Entry> m : maps) {
            sources.add(new TrackedSource(List.copyOf(m.values())));
        }
        List<Entry> expected = List.copyOf(oracle(maps).values());
        try (MergingIterator merge = new MergingIterator(new ArrayList<>(sources), false)) {
            for (int n = 1; n <= expected.size(); n++) {
                Entry e = merge.next();
                assertThat("entry " + n, e, equalTo(expected.get(n - 1)));
                // Taken so far: at most the keys up to e in each source, plus one head per source.
                long bound = 0;
                for (NavigableMap<Bytes, Entry> m : maps) {
                    bound += Math.min(m.size(), m.headMap(e.key(), true).size() + 1);
                }
                long taken = sources.stream().mapToLong(s -> s.taken).sum();
                assertThat(
                        "after " + n + " entries the merge may hold one head per source, never more: a merge"
                                + " that reads its sources ahead cannot serve a scan that stops after a page",
                        taken,
                        lessThanOrEqualTo(bound));
            }
        }
    }

    @Test
    void closeClosesEverySource() {
        List<TrackedSource> sources = new ArrayList<>();
        for (int s = 0; s < 5; s++) {
            sources.add(new TrackedSource(
                    List.of(Entry.put(key(s), Bytes.of("v")), Entry.put(key(s + 10), Bytes.of("v")))));
        }
        MergingIterator merge = new MergingIterator(new ArrayList<>(sources), false);
        assertThat(
                "the smallest key of the five sources comes first",
                merge.next(),
                equalTo(Entry.put(key(0), Bytes.of("v"))));
        merge.close();
        for (int s = 0; s < sources.size(); s++) {
            assertThat(
                    "close() must close source " + s + ": sources hold files and snapshots open",
                    sources.get(s).closed,
                    is(true));
        }
    }
}
