package dev.storagelab.bst.bench;

import dev.storagelab.bst.AvlMap;
import dev.storagelab.bst.BstMap;
import dev.storagelab.bst.SkipListMap;
import dev.storagelab.kv.Bytes;
import dev.storagelab.testkit.AnswerCheck;
import dev.storagelab.testkit.BenchData;
import dev.storagelab.testkit.CountingOrder;
import java.util.Comparator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
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
 * The lab's ordered maps against the JDK's: what a put, a get and a step of a full scan cost in
 * {@link AvlMap} next to {@link TreeMap} (a red-black tree), and in {@link SkipListMap} next to
 * {@link ConcurrentSkipListMap}, with {@link BstMap} on random input as the unbalanced baseline.
 * The ratios are the figures to read: AvlMap / TreeMap and SkipListMap / ConcurrentSkipListMap,
 * which should stay at or below 1.5 for put and get.
 *
 * <p>{@code keys} distinct 16-byte keys ({@code key-%012d}), inserted in a seeded random order.
 * Each key is also its own value, so a lookup can be checked by identity without a second array
 * of values: {@link #get} must return the very object that was inserted for the key.
 *
 * <ul>
 *   <li>{@link #put}: one invocation builds a fresh map from all the keys, in the shuffled order,
 *       so the score covers a map growing from empty to full, and the collection of the map the
 *       previous invocation built.
 *   <li>{@link #get}: one invocation looks up the next {@value #GET_BATCH} keys of another
 *       shuffled order, on a map built before the measurement, so over the iterations every key is
 *       looked up; the probes are copies of the keys, as keys coming from a request would be, so
 *       no comparison is cut short by identity.
 *   <li>{@link #iterate}: one invocation walks the whole {@code entrySet} in key order.
 * </ul>
 *
 * <p>The primary score is the time per invocation: a pass over all the keys, or a batch of gets.
 * The secondary score {@code keyOps} is the time per key (per put, per get, per step of the walk),
 * the number the notes quote; it is right for any {@code keys}. Each fork has a fixed 3 GB heap,
 * so every map grows and is collected under the same conditions; two forks, so that no ratio
 * rests on one JVM's memory layout and compilation. A full run takes about 12 minutes.
 *
 * <p>What a get costs in a tree is the comparisons on the way down, and what keeps them few is
 * the balancing its puts do: the trial's setup runs a counting pass ({@link #countGetComparisons}),
 * a map of the same kind built from the same keys wrapped so that only a {@link CountingOrder} can
 * compare them, then a get of every key, and {@link Work} reports the comparisons the build and the
 * gets made, per get: about {@code 2 log2(keys)} in a balanced tree (as many for a put as for a get).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 2,
        jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
@State(Scope.Benchmark)
public class OrderedMapBenchmark {

    @Param({"AvlMap", "TreeMap", "SkipListMap", "ConcurrentSkipListMap", "BstMap"})
    public String impl;

    @Param({"1000000"})
    public int keys;

    /** Lookups per invocation of {@link #get}. */
    static final int GET_BATCH = 1 << 16;

    /** The keys in insertion order. */
    private Bytes[] inserts;
    /** Copies of the keys in lookup order. */
    private Bytes[] probes;
    /** For each probe, the key object that was inserted for it: the value a get must return. */
    private Bytes[] expected;

    /** The counting pass's gets and the comparisons they made ({@link #countGetComparisons}). */
    long countedGets;

    long countedComparisons;

    @Setup(Level.Trial)
    public void makeKeys() {
        int[] insertOrder = BenchData.shuffled(keys, BenchData.SEED);
        inserts = new Bytes[keys];
        Bytes[] byNumber = new Bytes[keys];
        for (int j = 0; j < keys; j++) {
            inserts[j] = Bytes.wrap(BenchData.keyBytes(insertOrder[j]));
            byNumber[insertOrder[j]] = inserts[j];
        }
        int[] probeOrder = BenchData.shuffled(keys, BenchData.SEED + 1);
        probes = new Bytes[keys];
        expected = new Bytes[keys];
        for (int j = 0; j < keys; j++) {
            probes[j] = Bytes.wrap(BenchData.keyBytes(probeOrder[j]));
            expected[j] = byNumber[probeOrder[j]];
        }
        countGetComparisons();
    }

    /**
     * The counting pass: a map of kind {@code impl} given a {@link CountingOrder}, filled with
     * every key (wrapped, each mapped to itself), then every probe of the lookup order got from it
     * once (each answer checked); the comparisons of the build and the gets are counted, the whole
     * of the tree's cost: its puts keep it balanced so that its gets descend it in about
     * {@code log2(keys)}, and comparisons a tree spent on its puts to save them on its gets would
     * count. The same keys in the same order, so the same count, on any machine.
     */
    void countGetComparisons() {
        CountingOrder<Bytes> counting = new CountingOrder<>(Comparator.naturalOrder());
        NavigableMap<CountingOrder.Key<Bytes>, Bytes> map = newMap(impl, counting);
        for (Bytes key : inserts) {
            map.put(counting.key(key), key);
        }
        for (int j = 0; j < probes.length; j++) {
            checkedGet(j, map.get(counting.key(probes[j])));
        }
        countedGets = probes.length;
        countedComparisons = counting.comparisons();
    }

    /**
     * The counting pass's totals as JMH event counters (summed over the iterations, so
     * {@code comparisons / gets} is the count per get); set as each iteration ends, since JMH
     * zeroes them as it starts.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Work {
        public long gets;
        public long comparisons;

        @TearDown(Level.Iteration)
        public void report(OrderedMapBenchmark bench) {
            gets = bench.countedGets;
            comparisons = bench.countedComparisons;
        }
    }

    /** A new, empty map of the kind {@code impl} names. The skip list is seeded, so runs repeat. */
    static NavigableMap<Bytes, Bytes> newMap(String impl) {
        return newMap(impl, null);
    }

    /** A new, empty map of the kind {@code impl} names, ordered by {@code order} (null: the keys' own order). */
    static <K> NavigableMap<K, Bytes> newMap(String impl, Comparator<? super K> order) {
        switch (impl) {
            case "AvlMap":
                return new AvlMap<>(order);
            case "TreeMap":
                return new TreeMap<>(order);
            case "SkipListMap":
                return new SkipListMap<>(order, BenchData.SEED);
            case "ConcurrentSkipListMap":
                return new ConcurrentSkipListMap<>(order);
            case "BstMap":
                return new BstMap<>(order);
            default:
                throw new IllegalArgumentException("unknown impl " + impl
                        + "; expected AvlMap, TreeMap, SkipListMap, ConcurrentSkipListMap or BstMap");
        }
    }

    /**
     * Puts every key, each mapped to itself, into {@code map}, checking the answers (exact, as
     * {@link java.util.Map#put} specifies them): each put of a new key returns null, the map's size
     * is then the number of keys, and the keys put in the sample ({@link AnswerCheck#sampled}, one in
     * {@value AnswerCheck#SAMPLE_EVERY}) read back as themselves (a get is cheaper than the put it
     * checks, and one in 64 is little next to the fill).
     */
    NavigableMap<Bytes, Bytes> fill(NavigableMap<Bytes, Bytes> map) {
        for (Bytes key : inserts) {
            Bytes old = map.put(key, key);
            AnswerCheck.require(
                    old == null,
                    () -> impl + ": put of the new key " + key + " returned " + old
                            + "; a put of an absent key returns null");
        }
        AnswerCheck.require(
                map.size() == keys, () -> impl + ": " + keys + " distinct keys put, but size() is " + map.size());
        for (int j = 0; j < inserts.length; j++) {
            if (!AnswerCheck.sampled(j)) {
                continue;
            }
            Bytes key = inserts[j];
            Bytes found = map.get(key);
            AnswerCheck.require(
                    found == key,
                    () -> impl + ": get(" + key + ") after the fill returned " + found
                            + "; the key was put with itself as its value");
        }
        return map;
    }

    /** The map {@link #get} and {@link #iterate} read, built once per trial, before any measurement. */
    @State(Scope.Benchmark)
    public static class Loaded {
        NavigableMap<Bytes, Bytes> map;
        /** Where the next batch of lookups starts in the lookup order. */
        int nextProbe;

        @Setup(Level.Trial)
        public void load(OrderedMapBenchmark bench) {
            map = bench.fill(newMap(bench.impl));
            String height = map instanceof BstMap<?, ?> tree ? ", height " + tree.height() : "";
            System.out.printf("%n[ordered-maps] %s with %d keys%s%n", bench.impl, map.size(), height);
        }
    }

    /**
     * Keys handled (put, looked up or walked past), counted as operations: JMH reports
     * {@code keyOps} as the average time per key, next to the time per pass. JMH resets it before
     * every iteration.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class KeyCounter {
        public long keyOps;
    }

    /** Builds a fresh map from all the keys in random order. */
    @Benchmark
    public NavigableMap<Bytes, Bytes> put(KeyCounter counter) {
        NavigableMap<Bytes, Bytes> map = fill(newMap(impl));
        counter.keyOps += keys;
        return map;
    }

    /**
     * Looks up the next {@value #GET_BATCH} keys of the lookup order (all of them, if there are
     * fewer), which wraps around, so every key is looked up in turn; each must return the value it
     * was put with ({@link #checkedGet}). A batch keeps one invocation well under an iteration's time, which a pass over
     * a million keys in a cold tree is not.
     */
    @Benchmark
    public int get(Loaded loaded, KeyCounter counter, Work work) {
        NavigableMap<Bytes, Bytes> map = loaded.map;
        Bytes[] probes = this.probes;
        Bytes[] expected = this.expected;
        int batch = Math.min(GET_BATCH, probes.length);
        int j = loaded.nextProbe;
        for (int n = 0; n < batch; n++) {
            checkedGet(j, map.get(probes[j]));
            j = j + 1 == probes.length ? 0 : j + 1;
        }
        loaded.nextProbe = j;
        counter.keyOps += batch;
        return batch;
    }

    /**
     * {@code found}, what a get of probe {@code j} returned, if it is the very key object put for it
     * (exact: every key was put with itself as its value; a comparison of references, so every get
     * is checked).
     */
    Bytes checkedGet(int j, Bytes found) {
        AnswerCheck.require(
                found == expected[j],
                () -> impl + ": get(" + probes[j] + ") returned " + (found == null ? "no value" : found)
                        + "; the key was put with itself as its value");
        return found;
    }

    /** Walks every entry in key order; each entry must hold its own key as its value, and none may be missed. */
    @Benchmark
    public long iterate(Loaded loaded, KeyCounter counter) {
        long n = 0;
        for (Map.Entry<Bytes, Bytes> e : loaded.map.entrySet()) {
            if (e.getKey() != e.getValue()) {
                throw new IllegalStateException(
                        impl + ": the walk met the entry " + e + "; every key was put with itself as its value");
            }
            n++;
        }
        if (n != keys) {
            throw new IllegalStateException(impl + ": the walk met " + n + " entries; the map holds " + keys);
        }
        counter.keyOps += n;
        return n;
    }
}
