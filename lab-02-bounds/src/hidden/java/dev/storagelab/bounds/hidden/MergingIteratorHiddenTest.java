package dev.storagelab.bounds.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.storagelab.bounds.MergingIterator;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.lab.Graded;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
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
import net.jqwik.api.Tuple.Tuple2;

/**
 * Hidden tests of lab-02 T3, {@link MergingIterator}: 1 to 64 sorted sources merged forward and
 * descending against a {@link TreeMap} in which newer sources overwrite older ones. Each value
 * names its source ({@code "source 3"}), so a failure shows which source won.
 */
@Tag("hidden")
class MergingIteratorHiddenTest {

    @Property(tries = 400)
    @Graded(
            task = "T3",
            points = 4,
            concept = "merge lets an older source win on equal keys, repeats or loses a key, or drops "
                    + "a tombstone (forward)")
    void forwardMergeTakesTheNewestEntryOfEveryKey(@ForAll("sources") List<List<Entry>> newestFirst) {
        List<Entry> expected = newestWins(newestFirst);
        List<EntryIterator> inputs = new ArrayList<>(Sources.counting(newestFirst));
        try (MergingIterator merge = new MergingIterator(inputs, false)) {
            assertThat(
                    "merging " + newestFirst.size() + " sources " + newestFirst + " (newest first): each key once, "
                            + "ascending, with the entry of the newest source that has it, tombstones included",
                    Sources.drain(merge, expected.size() + 1, "the merge"),
                    equalTo(expected));
        }
    }

    @Property(tries = 400)
    @Graded(
            task = "T3",
            points = 3,
            concept = "descending merge emits keys out of order, or lets an older source win on equal keys")
    void descendingMergeTakesTheNewestEntryOfEveryKey(@ForAll("sources") List<List<Entry>> newestFirst) {
        List<Entry> expected = new ArrayList<>(newestWins(newestFirst));
        Collections.reverse(expected);
        List<List<Entry>> descendingSources = new ArrayList<>();
        for (List<Entry> source : newestFirst) {
            List<Entry> reversed = new ArrayList<>(source);
            Collections.reverse(reversed);
            descendingSources.add(reversed);
        }
        List<EntryIterator> inputs = new ArrayList<>(Sources.counting(descendingSources));
        try (MergingIterator merge = new MergingIterator(inputs, true)) {
            assertThat(
                    "merging " + descendingSources.size() + " descending sources " + descendingSources
                            + " (newest first): each key once, descending, with the newest source's entry",
                    Sources.drain(merge, expected.size() + 1, "the descending merge"),
                    equalTo(expected));
        }
    }

    @Example
    @Graded(task = "T3", points = 2, concept = "merge drains its sources up front instead of streaming through a heap")
    void mergeStreamsItsSources() {
        int k = 64;
        int perSource = 500;
        List<List<Entry>> sources = new ArrayList<>();
        for (int s = 0; s < k; s++) {
            List<Entry> run = new ArrayList<>();
            for (int j = 0; j < perSource; j++) {
                run.add(Entry.put(Bytes.of(String.format("key-%06d", j * k + s)), Bytes.of("source " + s)));
            }
            sources.add(run);
        }
        List<Sources.Counting> counting = Sources.counting(sources);
        try (MergingIterator merge = new MergingIterator(new ArrayList<>(counting), false)) {
            int read = 100;
            for (int i = 0; i < read; i++) {
                assertThat(
                        "entry " + i + " of the merge",
                        merge.next().key(),
                        equalTo(Bytes.of(String.format("key-%06d", i))));
            }
            int pulled = counting.stream().mapToInt(Sources.Counting::pulled).sum();
            assertThat(
                    "after reading " + read + " entries of a merge of " + k + " sources, a heap merge has pulled one "
                            + "head per source plus one entry per entry read, not the " + k * perSource
                            + " entries of the sources",
                    pulled,
                    lessThanOrEqualTo(2 * k + read));
        }
    }

    // ---------------------------------------------------------------------------------- oracle

    /** The merged run: walking sources oldest to newest, a newer entry overwrites an older one. */
    private static List<Entry> newestWins(List<List<Entry>> newestFirst) {
        TreeMap<Bytes, Entry> merged = new TreeMap<>();
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            newestFirst.get(i).forEach(e -> merged.put(e.key(), e));
        }
        return List.copyOf(merged.values());
    }

    // ------------------------------------------------------------------------------- generators

    /**
     * 1 to 64 sorted runs over a small key space (so keys collide across sources), a quarter of
     * the entries tombstones; every value is {@code "source i"} for the run's index i.
     */
    @Provide
    Arbitrary<List<List<Entry>>> sources() {
        Arbitrary<Bytes> keys = Arbitraries.of((byte) 0x00, (byte) 'a', (byte) 0x7f, (byte) 0x80, (byte) 0xff)
                .array(byte[].class)
                .ofMinSize(1)
                .ofMaxSize(2)
                .map(Bytes::copyOf);
        Arbitrary<Tuple2<Bytes, Boolean>> slot =
                Combinators.combine(keys, Arbitraries.integers().between(0, 3)).as((k, t) -> Tuple.of(k, t == 0));
        Arbitrary<TreeMap<Bytes, Boolean>> run = slot.list()
                .ofMaxSize(14)
                .withSizeDistribution(RandomDistribution.uniform())
                .map(list -> {
                    TreeMap<Bytes, Boolean> byKey = new TreeMap<>();
                    list.forEach(t -> byKey.put(t.get1(), t.get2()));
                    return byKey;
                });
        // Mostly a few sources (collisions on every key), sometimes up to 64.
        return Arbitraries.frequencyOf(
                        Tuple.of(3, run.list().ofMinSize(1).ofMaxSize(8)),
                        Tuple.of(
                                1,
                                run.list()
                                        .ofMinSize(1)
                                        .ofMaxSize(64)
                                        .withSizeDistribution(RandomDistribution.uniform())))
                .map(runs -> {
                    List<List<Entry>> out = new ArrayList<>();
                    for (int i = 0; i < runs.size(); i++) {
                        Bytes value = Bytes.of("source " + i);
                        List<Entry> entries = new ArrayList<>();
                        runs.get(i)
                                .forEach((k, tombstone) ->
                                        entries.add(tombstone ? Entry.tombstone(k) : Entry.put(k, value)));
                        out.add(List.copyOf(entries));
                    }
                    return out;
                });
    }
}
