package dev.storagelab.bst.bench;

import dev.storagelab.bst.AvlMap;
import dev.storagelab.bst.BstMap;
import dev.storagelab.kv.Bytes;
import dev.storagelab.testkit.BenchData;
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
 * Why lab-03 balances its tree: building a plain {@link BstMap} from keys that arrive in sorted
 * order makes every new key the right child of the last, so the tree is a linked list of height n
 * and a build costs n²/2 comparisons, while {@link AvlMap} keeps its height near 1.44·log2(n) and
 * builds in O(n log n) whatever the order. On random input the two are close: a random BST is
 * about 3·log2(n) high.
 *
 * <p>One invocation builds a fresh map from {@code keys} 16-byte keys inserted in {@code order}
 * ({@code sorted}: ascending; {@code random}: a seeded shuffle), and checks its size, first and
 * last key. The score is the time per build. Besides it, the {@link Shape} counters report the
 * builds and the tree's height, summed over builds like lab-02's counters: divide {@code height}
 * by {@code builds}. 16,000 sorted keys make about 128 million comparisons per BST build, which
 * keeps the largest case under a second. A full run takes about 3 minutes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class BstDegenerationBenchmark {

    @Param({"BstMap", "AvlMap"})
    public String impl;

    @Param({"random", "sorted"})
    public String order;

    @Param({"1000", "2000", "4000", "8000", "16000"})
    public int keys;

    /** The keys in insertion order. */
    private Bytes[] inserts;

    private Bytes smallest;
    private Bytes largest;

    @Setup(Level.Trial)
    public void makeKeys() {
        int[] numbers;
        switch (order) {
            case "sorted":
                numbers = new int[keys];
                for (int i = 0; i < keys; i++) {
                    numbers[i] = i;
                }
                break;
            case "random":
                numbers = BenchData.shuffled(keys, BenchData.SEED);
                break;
            default:
                throw new IllegalArgumentException("unknown order " + order + "; expected sorted or random");
        }
        if (!impl.equals("BstMap") && !impl.equals("AvlMap")) {
            throw new IllegalArgumentException("unknown impl " + impl + "; expected BstMap or AvlMap");
        }
        inserts = new Bytes[keys];
        for (int j = 0; j < keys; j++) {
            inserts[j] = Bytes.wrap(BenchData.keyBytes(numbers[j]));
        }
        smallest = Bytes.wrap(BenchData.keyBytes(0));
        largest = Bytes.wrap(BenchData.keyBytes(keys - 1));
    }

    /**
     * Builds and the height of the trees built, reported next to the time; JMH sums them over the
     * iterations, so the height per tree is {@code height / builds}. Every build of a trial inserts
     * the same keys in the same order into the same deterministic structure, so every tree it
     * builds has the same shape: the height is measured once per iteration, on the last tree,
     * after the timed part, because a BST's {@link BstMap#height()} walks the whole tree.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Shape {
        /** Trees built in this iteration. */
        public long builds;
        /** The height of each tree built in this iteration, summed. */
        public long height;

        private BstMap<Bytes, Bytes> last;

        @TearDown(Level.Iteration)
        public void measureHeight() {
            height = last == null ? 0 : builds * last.height();
            last = null;
        }
    }

    /** Inserts every key, mapped to itself, into a fresh tree; each must be new. */
    @Benchmark
    public BstMap<Bytes, Bytes> build(Shape shape) {
        BstMap<Bytes, Bytes> map = impl.equals("AvlMap") ? new AvlMap<>() : new BstMap<>();
        for (Bytes key : inserts) {
            Bytes old = map.put(key, key);
            if (old != null) {
                throw new IllegalStateException(impl + ": put of the new key " + key + " returned " + old);
            }
        }
        if (map.size() != keys
                || !map.firstKey().equals(smallest)
                || !map.lastKey().equals(largest)) {
            throw new IllegalStateException(impl + ": after putting " + keys + " keys from " + smallest + " to "
                    + largest + ", size() is " + map.size() + " and the keys run from " + map.firstKey() + " to "
                    + map.lastKey());
        }
        shape.builds++;
        shape.last = map;
        return map;
    }
}
