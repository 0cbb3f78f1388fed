package dev.storagelab.sortedlog.bench;

import dev.storagelab.kv.Bytes;
import dev.storagelab.sortedlog.BinarySearch;
import dev.storagelab.testkit.AnswerCheck;
import dev.storagelab.testkit.BenchData;
import dev.storagelab.testkit.CountingOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * lab-01 T1 against the JDK: {@link BinarySearch#indexOf(int[], int)} against
 * {@link Arrays#binarySearch(int[], int)}, and the generic {@link BinarySearch#indexOf(List, Object,
 * Comparator)} over 16-byte keys (what a segment's sparse index does) against
 * {@link Collections#binarySearch(List, Object, Comparator)}. Absolute times mean little across
 * machines; the ratio lab / JDK is the figure to read (about 1.0 for a correct implementation).
 *
 * <p>The array holds {@code size} even numbers; probes are uniform over [0, 2 × size), so about
 * half of them miss and exercise the insertion-point path.
 *
 * <p>Every answer is checked ({@link #checked}), the lab's and the JDK's alike: the contract fixes
 * it exactly, so a search that answers wrongly fails the run instead of earning a time.
 *
 * <p>The work the lab teaches to save is the comparisons: the trial's setup runs a counting pass
 * ({@link #countComparisons}), every probe searched once among keys only a
 * {@link CountingOrder} can compare, and {@link Work} reports the comparisons it counted. A binary
 * search makes about {@code log2(size) + 1} per search; a scan, half the list.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class BinarySearchBenchmark {

    /** Power of two, so a probe index wraps with a mask. */
    private static final int PROBES = 1 << 12;

    @Param({"1024", "1048576"})
    public int size;

    private int[] array;
    private List<Bytes> keys;
    private int[] intProbes;
    private Bytes[] keyProbes;
    /** For each probe, the one answer the contract allows: the key's index, or -(insertion point) - 1. */
    private int[] answers;

    private final Comparator<Bytes> order = Comparator.naturalOrder();

    /** The counting pass's searches and the comparisons they made ({@link #countComparisons}). */
    long countedSearches;

    long countedComparisons;

    @Setup(Level.Trial)
    public void build() {
        array = new int[size];
        keys = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            array[i] = 2 * i;
            keys.add(Bytes.wrap(BenchData.keyBytes(2L * i)));
        }
        Random random = new Random(BenchData.SEED);
        intProbes = new int[PROBES];
        keyProbes = new Bytes[PROBES];
        answers = new int[PROBES];
        for (int i = 0; i < PROBES; i++) {
            int probe = random.nextInt(2 * size);
            intProbes[i] = probe;
            keyProbes[i] = Bytes.wrap(BenchData.keyBytes(probe));
            // 2j is at index j; an odd probe 2j + 1 would be inserted before 2j + 2, at index j + 1.
            answers[i] = probe % 2 == 0 ? probe / 2 : -(probe / 2 + 1) - 1;
        }
        countComparisons();
    }

    /**
     * The counting pass: every probe searched once with {@link BinarySearch#indexOf(List, Object,
     * Comparator)}, among the same keys wrapped so that only a {@link CountingOrder} can compare
     * them, each answer checked; the same searches, so the same count, on any machine.
     */
    void countComparisons() {
        CountingOrder<Bytes> counting = new CountingOrder<>(order);
        List<CountingOrder.Key<Bytes>> wrapped = new ArrayList<>(size);
        for (Bytes key : keys) {
            wrapped.add(counting.key(key));
        }
        for (int i = 0; i < PROBES; i++) {
            checked(i, BinarySearch.indexOf(wrapped, counting.key(keyProbes[i]), counting));
        }
        countedSearches = PROBES;
        countedComparisons = counting.comparisons();
    }

    /**
     * The counting pass's totals as JMH event counters (summed over the iterations, so
     * {@code comparisons / searches} is the count per search); set as each iteration ends, since
     * JMH zeroes them as it starts.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Work {
        public long searches;
        public long comparisons;

        @TearDown(Level.Iteration)
        public void report(BinarySearchBenchmark bench) {
            searches = bench.countedSearches;
            comparisons = bench.countedComparisons;
        }
    }

    /**
     * {@code answer}, the search's result for probe {@code i}, if it is the one the contract fixes
     * (exact: the array and the list hold distinct values, so there is one right answer); otherwise
     * throws. An int comparison, so every answer is checked.
     */
    int checked(int i, int answer) {
        AnswerCheck.require(
                answer == answers[i],
                () -> "the search for " + intProbes[i] + " (key " + keyProbes[i] + ") among the "
                        + size + " sorted values 0, 2, 4, ... returned " + answer
                        + "; the key's index, or -(insertion point) - 1 if absent,"
                        + " is " + answers[i]);
        return answer;
    }

    /** Which probe the next call uses; per thread, so threads do not share a counter. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        int advance() {
            return next++ & (PROBES - 1);
        }
    }

    @Benchmark
    public int labIntArray(Cursor c) {
        int i = c.advance();
        return checked(i, BinarySearch.indexOf(array, intProbes[i]));
    }

    @Benchmark
    public int jdkIntArray(Cursor c) {
        int i = c.advance();
        return checked(i, Arrays.binarySearch(array, intProbes[i]));
    }

    @Benchmark
    public int labKeyList(Cursor c, Work work) {
        int i = c.advance();
        return checked(i, BinarySearch.indexOf(keys, keyProbes[i], order));
    }

    @Benchmark
    public int jdkKeyList(Cursor c) {
        int i = c.advance();
        return checked(i, Collections.binarySearch(keys, keyProbes[i], order));
    }
}
