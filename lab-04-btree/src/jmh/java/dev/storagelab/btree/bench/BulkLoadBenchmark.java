package dev.storagelab.btree.bench;

import dev.storagelab.btree.BPlusTree;
import dev.storagelab.kv.Bytes;
import java.io.IOException;
import java.util.Optional;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Two ways to build a {@link BPlusTree} from sorted data: put the keys one by one in increasing
 * order ({@link #fillseq}: a descent per key, and a split whenever the rightmost leaf fills) or
 * {@link BPlusTree#bulkLoad} them ({@link #bulkLoad}: leaves written left to right, filled to
 * {@code fillFactor}, then each internal level over the one below; no descents, no splits).
 *
 * <p>One invocation builds a tree of {@code keys} entries (16-byte keys, 100-byte values) in a
 * fresh temporary directory with the default options (4 KiB pages, a 4 MiB pool) and closes it
 * (a checkpoint). The tree must hold every key, and its first, middle and last key must read
 * back. The score is the time per build; {@code keyOps} is the time per key. {@link Io} sums the
 * bytes written to disk and the builds: a bulk load writes each page once. How full the leaves
 * end up is measured by {@link LeafFillExperiment}. A full run takes about a minute.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
@State(Scope.Benchmark)
public class BulkLoadBenchmark {

    @Param({"1000000"})
    public int keys;

    /** The fill factor of {@link #bulkLoad}. */
    @Param({"1.0"})
    public double fillFactor;

    private Dataset data;

    @Setup(Level.Trial)
    public void makeData() {
        data = new Dataset(keys);
    }

    /** Disk bytes written and builds, summed over an iteration's builds. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Io {
        public long builds;
        public long diskBytesWritten;

        @Setup(Level.Iteration)
        public void reset() {
            builds = 0;
            diskBytesWritten = 0;
        }
    }

    /** Puts every key in increasing order into a new tree, and closes it. */
    @Benchmark
    public long fillseq(ScratchDir scratch, KeyOps counter, Io io) throws IOException {
        try (BPlusTree tree = Dataset.openTree(scratch.dir, 1024)) {
            for (int i = 0; i < keys; i++) {
                tree.put(data.keys[i], data.values[i]);
            }
            return finish(tree, "fillseq", counter, io);
        }
    }

    /** Bulk-loads every key into a new tree, and closes it. */
    @Benchmark
    public long bulkLoad(ScratchDir scratch, KeyOps counter, Io io) throws IOException {
        try (BPlusTree tree = Dataset.openTree(scratch.dir, 1024)) {
            tree.bulkLoad(data.sortedEntries(), fillFactor);
            return finish(tree, "bulkLoad", counter, io);
        }
    }

    private long finish(BPlusTree tree, String how, KeyOps counter, Io io) throws IOException {
        if (tree.size() != keys) {
            throw new IllegalStateException(how + ": " + keys + " keys stored, but size() is " + tree.size());
        }
        for (int i : new int[] {0, keys / 2, keys - 1}) {
            Optional<Bytes> found = tree.get(data.keys[i]);
            if (found.isEmpty() || !found.get().equals(data.values[i])) {
                throw new IllegalStateException(
                        how + ": get(" + data.keys[i] + ") returned " + found + "; expected the value stored for it");
            }
        }
        tree.close();
        long written = tree.metrics().diskBytesWritten();
        counter.keyOps += keys;
        io.builds++;
        io.diskBytesWritten += written;
        return written;
    }
}
