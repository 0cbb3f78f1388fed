package dev.storagelab.bst.bench;

import dev.storagelab.bst.SkipListMemtable;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.ConcurrentSkipListMemtable;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.Memtable;
import dev.storagelab.testkit.BenchData;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
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
 * lab-03's {@link SkipListMemtable} against the memtable lab-01 ran on, the JDK's
 * {@link java.util.concurrent.ConcurrentSkipListMap} behind {@link ConcurrentSkipListMemtable}:
 * the three things a store does with a memtable, and reads while a writer writes.
 *
 * <p>{@code keys} entries of 16-byte keys and 100-byte random values, keys {@code key(2i)} (even
 * numbers) applied in a seeded random order.
 * <ul>
 *   <li>{@link #apply}: one invocation applies every entry to a fresh memtable (what a store does
 *       between two flushes) and checks its size and {@code approximateBytes()};
 *   <li>{@link #get}: one invocation looks up the next {@value #GET_BATCH} keys of another random
 *       order, by a copy of the key, so over the iterations every key is looked up; each get must
 *       return the very entry applied for it;
 *   <li>{@link #scan}: one invocation walks the whole memtable in key order (what a flush does)
 *       and checks the count and both ends.
 * </ul>
 * The primary score is per invocation (a pass over all the entries, or a batch of gets);
 * {@code keyOps} is the time per entry. The fork has a fixed 3 GB heap. A full run takes about
 * 5 minutes.
 *
 * <p>{@code readWhileWrite}: one writer thread and one reader thread (the machine this runs on
 * may have two cores only), on a memtable refilled with the {@code keys} entries before every
 * iteration. The writer applies new keys ({@code key(2i+1)}, falling between the readers' keys,
 * in random order; once all are in, it overwrites them), so the structure grows under the
 * reader; the reader gets the original keys, each of which must still return its entry. Scores are
 * the time per apply and per get.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
@State(Scope.Benchmark)
public class MemtableBenchmark {

    @Param({"SkipListMemtable", "ConcurrentSkipListMemtable"})
    public String impl;

    @Param({"1000000"})
    public int keys;

    /** Lookups per invocation of {@link #get}. */
    static final int GET_BATCH = 1 << 16;

    /** The entries in the order they are applied. */
    private Entry[] applies;
    /** Copies of the keys in lookup order. */
    private Bytes[] probes;
    /** For each probe, the entry applied for its key: what a get must return. */
    private Entry[] expected;
    /** The writer's entries for {@code readWhileWrite}: keys no entry of {@link #applies} has. */
    private Entry[] newcomers;
    /** What {@code approximateBytes()} must be once every entry of {@link #applies} is in. */
    private long bytes;

    private Bytes smallest;
    private Bytes largest;

    @Setup(Level.Trial)
    public void makeEntries() {
        Random random = new Random(BenchData.SEED);
        int[] applyOrder = BenchData.shuffled(keys, BenchData.SEED);
        applies = new Entry[keys];
        newcomers = new Entry[keys];
        Entry[] byNumber = new Entry[keys];
        bytes = 0;
        for (int j = 0; j < keys; j++) {
            int i = applyOrder[j];
            applies[j] = Entry.put(Bytes.wrap(BenchData.keyBytes(2L * i)), Bytes.wrap(BenchData.valueBytes(random)));
            byNumber[i] = applies[j];
            bytes += applies[j].approximateBytes();
            newcomers[j] = Entry.put(Bytes.wrap(BenchData.keyBytes(2L * i + 1)), applies[j].value());
        }
        int[] probeOrder = BenchData.shuffled(keys, BenchData.SEED + 1);
        probes = new Bytes[keys];
        expected = new Entry[keys];
        for (int j = 0; j < keys; j++) {
            probes[j] = Bytes.wrap(BenchData.keyBytes(2L * probeOrder[j]));
            expected[j] = byNumber[probeOrder[j]];
        }
        smallest = Bytes.wrap(BenchData.keyBytes(0));
        largest = Bytes.wrap(BenchData.keyBytes(2L * (keys - 1)));
    }

    /** A new, empty memtable of the kind {@code impl} names. The skip list is seeded, so runs repeat. */
    static Memtable newMemtable(String impl) {
        switch (impl) {
            case "SkipListMemtable":
                return new SkipListMemtable(BenchData.SEED);
            case "ConcurrentSkipListMemtable":
                return new ConcurrentSkipListMemtable();
            default:
                throw new IllegalArgumentException(
                        "unknown impl " + impl + "; expected SkipListMemtable or ConcurrentSkipListMemtable");
        }
    }

    /** Applies every entry to {@code memtable} and checks what it then holds. */
    private Memtable fill(Memtable memtable) {
        for (Entry e : applies) {
            memtable.apply(e);
        }
        if (memtable.size() != keys || memtable.approximateBytes() != bytes) {
            throw new IllegalStateException(impl + ": " + keys + " entries of " + bytes + " approximate bytes applied, "
                    + "but size() is " + memtable.size() + " and approximateBytes() " + memtable.approximateBytes());
        }
        return memtable;
    }

    /** The memtable {@link #get} and {@link #scan} read, filled once per trial, before any measurement. */
    @State(Scope.Benchmark)
    public static class Loaded {
        Memtable memtable;
        /** Where the next batch of lookups starts in the lookup order. */
        int nextProbe;

        @Setup(Level.Trial)
        public void load(MemtableBenchmark bench) {
            memtable = bench.fill(newMemtable(bench.impl));
        }
    }

    /** Entries handled, counted as operations: JMH reports {@code keyOps} as the time per entry. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class KeyCounter {
        public long keyOps;
    }

    /** Applies every entry to a fresh memtable. */
    @Benchmark
    public Memtable apply(KeyCounter counter) {
        Memtable memtable = fill(newMemtable(impl));
        counter.keyOps += keys;
        return memtable;
    }

    /**
     * Gets the next {@value #GET_BATCH} keys of the lookup order (all of them, if there are fewer),
     * which wraps around, so every key is looked up in turn; each must return the entry applied
     * for it.
     */
    @Benchmark
    public int get(Loaded loaded, KeyCounter counter) {
        Memtable memtable = loaded.memtable;
        Bytes[] probes = this.probes;
        Entry[] expected = this.expected;
        int batch = Math.min(GET_BATCH, probes.length);
        int j = loaded.nextProbe;
        for (int n = 0; n < batch; n++) {
            Entry found = memtable.get(probes[j]);
            if (found != expected[j]) {
                throw new IllegalStateException(impl + ": get(" + probes[j] + ") returned " + found
                        + "; expected the entry applied for it, " + expected[j]);
            }
            j = j + 1 == probes.length ? 0 : j + 1;
        }
        loaded.nextProbe = j;
        counter.keyOps += batch;
        return batch;
    }

    /** Walks every entry in key order, as a flush does; none may be missed. */
    @Benchmark
    public long scan(Loaded loaded, KeyCounter counter) {
        long n = 0;
        Entry first = null;
        Entry last = null;
        try (EntryIterator it = loaded.memtable.iterator()) {
            while (it.hasNext()) {
                last = it.next();
                if (last.isTombstone()) {
                    throw new IllegalStateException(
                            impl + ": the scan met a tombstone, " + last + "; only values were applied");
                }
                if (first == null) {
                    first = last;
                }
                n++;
            }
        }
        if (n != keys || !first.key().equals(smallest) || !last.key().equals(largest)) {
            throw new IllegalStateException(impl + ": the scan met " + n + " entries from " + first + " to " + last
                    + "; the memtable holds " + keys + " from " + smallest + " to " + largest);
        }
        counter.keyOps += n;
        return n;
    }

    /** The memtable one writer and one reader share in {@code readWhileWrite}, refilled for every iteration. */
    @State(Scope.Group)
    public static class Live {
        Memtable memtable;
        /** Applies by the writer in this iteration. */
        int writes;

        @Setup(Level.Iteration)
        public void refill(MemtableBenchmark bench) {
            memtable = bench.fill(newMemtable(bench.impl));
            writes = 0;
        }

        @TearDown(Level.Iteration)
        public void check(MemtableBenchmark bench) {
            int expectedSize = bench.keys + Math.min(writes, bench.keys);
            if (memtable.size() != expectedSize) {
                throw new IllegalStateException(bench.impl + ": " + bench.keys + " entries, then " + writes
                        + " applies of up to " + bench.keys + " new keys, but size() is " + memtable.size()
                        + "; expected " + expectedSize);
            }
            memtable = null;
        }
    }

    /** The reader's place in the lookup order. */
    @State(Scope.Thread)
    public static class ReaderCursor {
        int next;
    }

    /** One apply of a key the readers do not look up: a new key for the first {@code keys} applies, then an overwrite. */
    @Benchmark
    @Group("readWhileWrite")
    @GroupThreads(1)
    public void writer(Live live) {
        live.memtable.apply(newcomers[live.writes++ % keys]);
    }

    /** One get of an original key, while the writer applies; it must still return its entry. */
    @Benchmark
    @Group("readWhileWrite")
    @GroupThreads(1)
    public Entry reader(Live live, ReaderCursor cursor) {
        int j = cursor.next;
        cursor.next = j + 1 == keys ? 0 : j + 1;
        Entry found = live.memtable.get(probes[j]);
        if (found != expected[j]) {
            throw new IllegalStateException(impl + ": get(" + probes[j] + ") returned " + found
                    + " while a writer applied other keys; expected " + expected[j]);
        }
        return found;
    }
}
