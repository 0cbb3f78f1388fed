package dev.storagelab.lsm.bench;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lsm.BlockCache;
import dev.storagelab.lsm.InternalKey;
import dev.storagelab.lsm.Table;
import dev.storagelab.lsm.TableBuilder;
import dev.storagelab.lsm.ValueType;
import java.io.IOException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
    private int next;

    private static Bytes userKey(int i) {
        return Bytes.of(String.format("key%013d", i));
    }

    @Setup
    public void build() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        Random random = new Random(42);
        byte[] value = new byte[100];
        try (TableBuilder builder = new TableBuilder(storage, "000001.sst", TableBuilder.Options.defaults())) {
            for (int i = 0; i < keys; i++) {
                random.nextBytes(value);
                builder.add(new InternalKey(userKey(2 * i), i + 1, ValueType.PUT), value);
            }
            builder.finish();
        }
        table = Table.open(storage, "000001.sst", 1, cache ? new BlockCache(storage.size("000001.sst") * 2) : null);
        present = new Bytes[PROBES];
        absent = new Bytes[PROBES];
        for (int i = 0; i < PROBES; i++) {
            int k = random.nextInt(keys);
            present[i] = userKey(2 * k);
            absent[i] = userKey(2 * k + 1);
        }
        for (Bytes k : present) {
            if (table.get(k, InternalKey.MAX_SEQUENCE).state() != Table.Lookup.State.PUT) {
                throw new IllegalStateException("a present key is missing: " + k);
            }
        }
    }

    @TearDown
    public void close() throws IOException {
        table.close();
    }

    @Benchmark
    public Bytes getPresent() throws IOException {
        Table.Lookup got = table.get(present[next++ & (PROBES - 1)], InternalKey.MAX_SEQUENCE);
        if (got.state() != Table.Lookup.State.PUT) {
            throw new IllegalStateException("a present key was not found");
        }
        return got.value();
    }

    @Benchmark
    public Table.Lookup getAbsent() throws IOException {
        Table.Lookup got = table.get(absent[next++ & (PROBES - 1)], InternalKey.MAX_SEQUENCE);
        if (got.state() != Table.Lookup.State.NOT_FOUND) {
            throw new IllegalStateException("an absent key was found");
        }
        return got;
    }
}
