package dev.storagelab.bounds.bench;

import dev.storagelab.bounds.MergingIterator;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.sortedlog.NewestWinsMerge;
import dev.storagelab.testkit.AnswerCheck;
import dev.storagelab.testkit.BenchData;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What merging k sorted sources costs per entry as k grows: lab-02's heap-based
 * {@link MergingIterator} (O(log k) comparisons per entry) against lab-01's
 * {@link NewestWinsMerge#of(List)}, a chain of two-way merges, in which an entry from the oldest
 * source passes through k - 1 merges (O(k) per entry).
 *
 * <p>{@value #ENTRIES} entries in total, whatever k: 16-byte keys dealt round-robin to the k
 * sources (key i to source i mod k), so the sources interleave completely and the merge compares
 * at every step. The keys are distinct, so every entry comes out. The sources are in-memory lists,
 * so this measures the merge alone, not I/O. The score is entries per second (one operation = one
 * entry); the ratio heap / stacked is the figure to read.
 *
 * <p>Every merge is checked ({@link #drain}): it must return every entry, and the entries of its
 * output in the sample ({@link AnswerCheck#sampled}, one in {@value AnswerCheck#SAMPLE_EVERY}) must
 * each be the key of that rank with its value.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class MergeBenchmark {

    /** Entries merged per invocation, whatever the number of sources. */
    static final int ENTRIES = 1 << 18;

    @Param({"1", "2", "4", "8", "16", "32", "64"})
    public int k;

    List<List<Entry>> sources;
    /** The entries in key order: what the merge must return. */
    private Entry[] merged;

    @Setup(Level.Trial)
    public void deal() {
        sources = new ArrayList<>(k);
        for (int s = 0; s < k; s++) {
            sources.add(new ArrayList<>(ENTRIES / k + 1));
        }
        Random random = new Random(BenchData.SEED);
        Bytes value = Bytes.wrap(BenchData.valueBytes(random));
        merged = new Entry[ENTRIES];
        for (int i = 0; i < ENTRIES; i++) {
            merged[i] = Entry.put(Bytes.wrap(BenchData.keyBytes(i)), value);
            sources.get(i % k).add(merged[i]);
        }
    }

    private List<EntryIterator> iterators() {
        List<EntryIterator> its = new ArrayList<>(k);
        for (List<Entry> source : sources) {
            its.add(EntryIterator.of(source.iterator()));
        }
        return its;
    }

    /**
     * Drains the merge {@code output}, checking it. Exact: the sources hold distinct keys, so a merge returns
     * each of the {@value #ENTRIES} entries once, in key order. The count is checked for every
     * merge; the key and value of the output's entries in the sample ({@link AnswerCheck#sampled}:
     * entry n must be key n), a comparison being about the work of a merge step.
     */
    long drain(EntryIterator output) {
        long n = 0;
        try (output) {
            while (output.hasNext()) {
                Entry e = output.next();
                if (AnswerCheck.sampled(n)) {
                    checkedEntry(n, e);
                }
                n++;
            }
        }
        long count = n;
        AnswerCheck.require(
                count == ENTRIES,
                () -> "the merge of " + k + " sources returned " + count + " entries; the sources hold " + ENTRIES
                        + " distinct keys");
        return n;
    }

    /** Entry {@code n} of the merge's output, if it is the {@code n}th key with its value. */
    Entry checkedEntry(long n, Entry e) {
        Entry right = n < ENTRIES ? merged[(int) n] : null;
        AnswerCheck.require(
                right != null && right.key().equals(e.key()) && right.value().equals(e.value()),
                () -> "entry " + n + " of the merge is "
                        + (right == null
                                ? e.key() + ", past the last of the sources'" + " entries"
                                : right.key().equals(e.key()) ? "its key with another value" : "the key " + e.key())
                        + "; in key order it is " + (right == null ? "none" : right.key()));
        return e;
    }

    /** lab-02 T3: one heap of k source heads. */
    @Benchmark
    @OperationsPerInvocation(ENTRIES)
    public long heapMerge() {
        return drain(new MergingIterator(iterators(), false));
    }

    /** lab-01 T9: k - 1 two-way merges, stacked. With k = 1 it is the source itself. */
    @Benchmark
    @OperationsPerInvocation(ENTRIES)
    public long stackedTwoWayMerge() {
        return drain(NewestWinsMerge.of(iterators()));
    }
}
