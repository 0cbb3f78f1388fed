package dev.storagelab.sortedlog.bench;

import dev.storagelab.io.DiskStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.sortedlog.HashIndexLog;
import dev.storagelab.sortedlog.SortedLogStore;
import dev.storagelab.testkit.BenchData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
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
 * What reopening a store costs as its data grows: the production pain of lab-01.
 *
 * <p>{@link HashIndexLog} must scan its whole log to rebuild the hash index, so its reopen time
 * grows with the log. {@link SortedLogStore} reads only each segment's footer and sparse index
 * (plus any unflushed log), so its reopen time grows with the number of blocks, about a
 * hundredth of the data at 4 KiB blocks, and is dominated by a few fsyncs at small sizes.
 *
 * <p>Both stores hold the same {@code records} keys (16 bytes) and values (100 bytes), written
 * once per trial in shuffled key order to a temporary directory on disk. The sorted store is
 * flushed and compacted into one segment before measuring. The files stay in the page cache, so
 * this measures CPU and system calls, not a cold disk.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class ReopenBenchmark {

    @Param({"10000", "100000", "1000000"})
    public int records;

    private Path dir;
    private DiskStorage hashStorage;
    private DiskStorage sortedStorage;

    @Setup(Level.Trial)
    public void load() throws IOException {
        dir = BenchData.tempDir("reopen");
        BenchData.setUpIn(dir, () -> {
            hashStorage = DiskStorage.open(dir.resolve("hash"));
            sortedStorage = DiskStorage.open(dir.resolve("sorted"));
            Random random = new Random(BenchData.SEED);
            List<Integer> order = IntStream.range(0, records).boxed().collect(Collectors.toList());
            Collections.shuffle(order, random);
            try (HashIndexLog hash = HashIndexLog.open(hashStorage);
                    SortedLogStore sorted = SortedLogStore.open(sortedStorage)) {
                for (int i : order) {
                    Bytes key = Bytes.wrap(BenchData.keyBytes(i));
                    Bytes value = Bytes.wrap(BenchData.valueBytes(random));
                    hash.put(key, value);
                    sorted.put(key, value);
                }
                hash.sync();
                sorted.flush();
                sorted.compact();
                if (hash.size() != records || sorted.segmentNames().size() != 1) {
                    throw new IllegalStateException("setup wrote " + hash.size() + " keys and " + sorted.segmentNames()
                            + "; expected " + records + " keys and one segment");
                }
                System.out.printf(
                        "%n[reopen] %d records: store.log %d bytes; %s; sorted store write amplification %.2f%n",
                        records,
                        hash.logBytes(),
                        sorted.describeSegments(),
                        sorted.metrics().snapshot().writeAmplification());
            }
        });
    }

    @TearDown(Level.Trial)
    public void deleteFiles() throws IOException {
        BenchData.delete(dir);
    }

    /** Reopen = scan the whole log and rebuild the hash index. */
    @Benchmark
    public int hashIndexLogReopen() throws IOException {
        try (HashIndexLog store = HashIndexLog.open(hashStorage)) {
            return store.size();
        }
    }

    /** Reopen = read the segment's footer and sparse index, start a new log. */
    @Benchmark
    public int sortedLogStoreReopen() throws IOException {
        try (SortedLogStore store = SortedLogStore.open(sortedStorage)) {
            return store.segmentNames().size();
        }
    }
}
