package dev.storagelab.lsm.bench;

import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.DeviceWork;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lsm.BlockCache;
import dev.storagelab.lsm.InternalKey;
import dev.storagelab.lsm.Table;
import dev.storagelab.lsm.TableBuilder;
import dev.storagelab.lsm.ValueType;
import dev.storagelab.testkit.AnswerCheck;
import dev.storagelab.testkit.BenchData;
import dev.storagelab.testkit.KilledChild;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * One get from an open table (lab-05 T4): the Bloom filter, the index seek, then one data block,
 * read from the in-memory storage and checked ({@code cache=false}) or found in a block cache that
 * holds the whole table ({@code cache=true}). {@code getAbsent} asks for keys the table does not
 * hold: the filter answers about 99% of them with no block.
 *
 * <p>{@code keys} user keys of 16 bytes with 100-byte values, one version each, 4 KiB blocks (about
 * 30 entries each), 10 bits per key. The storage is {@link FaultInjectingStorage} with no fault
 * planted, so that a block read costs a copy and a checksum, not the disk.
 *
 * <p>Every answer is checked ({@link #checkedPresent}, {@link #checkedAbsent}).
 *
 * <p>The work the lab teaches to save is the reads of the file: another JVM writes the table
 * ({@link Writer}), whose bytes the setup puts in the in-memory storage; the setup opens it and its
 * first pass over the probes (the cache empty) is the counting pass, and {@link Work} reports its
 * gets and the reads of the file the open and the gets made, as every storage of the JVM counts them
 * ({@link DeviceWork}), never fewer than a {@link CountingStorage} under the table counts: the footer, index and filter once, at the open, which the table then holds in
 * memory, and one block per get the cache misses.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class TableBenchmark {

    private static final int PROBES = 1 << 12;

    @Param({"100000"})
    public int keys;

    @Param({"false", "true"})
    public boolean cache;

    private Table table;
    private Bytes[] present;
    private Bytes[] absent;
    /** For each present probe, the sequence number and the value its key was written with. */
    long[] sequences;

    private Bytes[] values;
    private int next;

    /** The counting pass's gets and the reads of the file they made: the setup's first pass over the probes. */
    long countedGets;

    long countedReads;

    private static Bytes userKey(int i) {
        return Bytes.of(String.format("key%013d", i));
    }

    /** The table's name. */
    static final String NAME = "000001.sst";

    @Setup
    public void build() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        Path dir = BenchData.tempDir("table");
        try {
            BenchData.writeInAnotherJvm(Writer.class, dir, Integer.toString(keys));
            storage.plant(NAME, Files.readAllBytes(dir.resolve(NAME)));
        } finally {
            BenchData.delete(dir);
        }
        Random random = new Random(42);
        byte[] value = new byte[100];
        Bytes[] written = new Bytes[keys];
        for (int i = 0; i < keys; i++) {
            random.nextBytes(value); // as the writer drew them
            written[i] = Bytes.copyOf(value);
        }
        present = new Bytes[PROBES];
        absent = new Bytes[PROBES];
        sequences = new long[PROBES];
        values = new Bytes[PROBES];
        for (int i = 0; i < PROBES; i++) {
            int k = random.nextInt(keys);
            present[i] = userKey(2 * k);
            absent[i] = userKey(2 * k + 1);
            sequences[i] = k + 1;
            values[i] = written[k];
        }
        DeviceWork start = DeviceWork.now();
        CountingStorage files = new CountingStorage(storage);
        table = Table.open(files, NAME, 1, cache ? new BlockCache(storage.size(NAME) * 2) : null);
        for (int i = 0; i < PROBES; i++) {
            checkedPresent(true, i, table.get(present[i], InternalKey.MAX_SEQUENCE));
        }
        countedGets = PROBES;
        // the open's and the gets', as every storage of the JVM counts them
        countedReads = Math.max(files.reads(), DeviceWork.now().since(start).reads());
    }

    /**
     * The JVM that writes the trial's table ({@link BenchData#writeInAnotherJvm}): {@value #NAME} in
     * the directory {@code args[0]}, {@code args[1]} even user keys, key {@code 2i} with sequence
     * number {@code i + 1} and the {@code i}-th value drawn from seed 42.
     */
    public static final class Writer {
        private Writer() {}

        public static void main(String[] args) throws IOException {
            KilledChild.exitWhenParentDies();
            int keys = Integer.parseInt(args[1]);
            Random random = new Random(42);
            byte[] value = new byte[100];
            try (TableBuilder builder =
                    new TableBuilder(DiskStorage.open(Path.of(args[0])), NAME, TableBuilder.Options.defaults())) {
                for (int i = 0; i < keys; i++) {
                    random.nextBytes(value);
                    builder.add(new InternalKey(userKey(2 * i), i + 1, ValueType.PUT), value);
                }
                builder.finish();
            }
        }
    }

    /**
     * The counting pass's totals as JMH event counters (summed over the iterations, so
     * {@code deviceReads / gets} is the count per get); set as each iteration ends, since JMH
     * zeroes them as it starts.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Work {
        public long gets;
        public long deviceReads;

        @TearDown(Level.Iteration)
        public void report(TableBenchmark bench) {
            gets = bench.countedGets;
            deviceReads = bench.countedReads;
        }
    }

    @TearDown
    public void close() throws IOException {
        table.close();
    }

    @Benchmark
    public Bytes getPresent(Work work) throws IOException {
        int n = next++;
        int i = n & (PROBES - 1);
        return checkedPresent(AnswerCheck.sampled(n), i, table.get(present[i], InternalKey.MAX_SEQUENCE))
                .value();
    }

    @Benchmark
    public Table.Lookup getAbsent() throws IOException {
        int i = next++ & (PROBES - 1);
        return checkedAbsent(i, table.get(absent[i], InternalKey.MAX_SEQUENCE));
    }

    /**
     * {@code got}, the lookup of present probe {@code i}, if it is the key's one
     * version. Exact: {@link Table#get} returns the newest version at or before the snapshot, and
     * the table holds one, a put with sequence number {@code k + 1}. The state and the sequence number
     * are checked on every get (another key's entry has another number); the 100 value bytes when
     * {@code checkValue}: on the sample ({@link AnswerCheck#sampled}), and in the setup, which checks
     * every probe once.
     */
    Table.Lookup checkedPresent(boolean checkValue, int i, Table.Lookup got) {
        AnswerCheck.require(
                got.state() == Table.Lookup.State.PUT && got.sequence() == sequences[i],
                () -> "get(" + present[i] + ") returned " + got.state() + " #" + got.sequence()
                        + "; the table holds PUT #" + sequences[i] + " of that key");
        if (checkValue) {
            AnswerCheck.require(
                    values[i].equals(got.value()),
                    () -> "get(" + present[i] + ") returned PUT #" + got.sequence()
                            + " with a value other than the one written");
        }
        return got;
    }

    /**
     * {@code got}, the lookup of absent probe {@code i}, if it is NOT_FOUND (exact: the table holds
     * the even keys only, and the probe is odd).
     */
    Table.Lookup checkedAbsent(int i, Table.Lookup got) {
        AnswerCheck.require(
                got.state() == Table.Lookup.State.NOT_FOUND,
                () -> "get(" + absent[i] + ") returned " + got.state() + " #" + got.sequence()
                        + "; the table does not hold that key");
        return got;
    }
}
