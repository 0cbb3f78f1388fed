package dev.storagelab.hybrid.tier.bench;

import com.google.common.base.Ticker;
import dev.storagelab.hybrid.tier.DeviceModel;
import dev.storagelab.hybrid.tier.LatencyInjectingStorage;
import dev.storagelab.hybrid.tier.Sleeper;
import dev.storagelab.hybrid.tier.TierReport;
import dev.storagelab.hybrid.tier.TieredStorage;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.io.ReadableFile;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.testkit.BenchData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
 * What the archive tier's indirection costs a read (lab-07 T7): an LSM tree of {@code tierKeys}
 * keys (16-byte keys, 100-byte values, 256 KiB memtables, no block cache, so every get reads a
 * block through the storage) on disk, either directly on a {@link DiskStorage}
 * ({@code archivedShare = direct}) or on a {@link TieredStorage} with that percentage of its tables
 * (the oldest first) moved to an archive directory behind a {@link LatencyInjectingStorage} whose
 * device costs nothing. Both directories are on the same disk, so the differences are the tiers'
 * own: the metadata lookup at open, the reader handle that can follow its file, the latency
 * storage's counters. The tree is closed while its tables move (its compactions stopped), then
 * reopened without background work, so the layout measured is the one set up.
 * <ul>
 *   <li>{@code get}: a get of a random present key (a block read per level it searches);</li>
 *   <li>{@code readBlock}: one 4 KiB positional read, at a random block, of the tree's first table
 *       (by name: the oldest, so archived when any table is): the storage call alone, the page
 *       cache holding the file, so the tiers' few nanoseconds are not lost in a get's
 *       microseconds.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class TieredStorageBenchmark {

    private static final int PROBES = 1 << 14;

    /** A device with no latency: what is measured is the indirection, not a simulated disk. */
    static final DeviceModel FREE = new DeviceModel("free", 0, 1e12, 0, 1e12, 0);

    @Param({"200000"})
    public int tierKeys;

    @Param({"direct", "0", "50", "100"})
    public String archivedShare;

    private Path dir;
    private LsmStore store;
    private ReadableFile probe;
    private long probeBlocks;
    private final ByteBuffer block = ByteBuffer.allocate(4096);
    private Bytes[] present;

    private static Bytes key(int i) {
        return Bytes.of(String.format("key%013d", i));
    }

    private Storage storage() throws IOException {
        if (archivedShare.equals("direct")) {
            return DiskStorage.open(dir.resolve("fast"));
        }
        return TieredStorage.open(
                DiskStorage.open(dir.resolve("fast")),
                new LatencyInjectingStorage(DiskStorage.open(dir.resolve("archive")), FREE, Sleeper.REAL),
                Ticker.systemTicker());
    }

    @Setup(Level.Trial)
    public void load() throws IOException {
        dir = BenchData.tempDir("tiers");
        BenchData.setUpIn(dir, () -> {
            LsmOptions options =
                    LsmOptions.defaults().withMemtableBytes(256 << 10).withBlockCacheBytes(0);
            Storage storage = storage();
            store = LsmStore.open(storage, options);
            Random random = new Random(42);
            byte[] v = new byte[100];
            random.nextBytes(v);
            Bytes value = Bytes.wrap(v);
            for (int k : random.ints(0, tierKeys).limit(tierKeys).toArray()) {
                store.put(key(k), value);
            }
            for (int i = 0; i < tierKeys; i++) {
                store.put(key(i), value);
            }
            store.flush();
            store.close(); // no compaction runs while tables move, nor while gets are measured
            storage = storage();
            if (storage instanceof TieredStorage tiers) {
                List<String> tables = tiers.candidatesForArchive(Duration.ZERO, TieredStorage.lsmTables());
                int toMove = tables.size() * Integer.parseInt(archivedShare) / 100;
                for (String name : tables.subList(0, toMove)) {
                    if (!tiers.moveToArchive(name)) {
                        throw new IllegalStateException("could not archive " + name);
                    }
                }
                TierReport report = tiers.report();
                if (report.archiveFiles() != toMove) {
                    throw new IllegalStateException("expected " + toMove + " archived tables: " + report);
                }
                System.out.println("[tiers] " + report);
            }
            store = LsmStore.open(storage, options.withBackgroundWork(false));
            String first = storage.list().stream()
                    .filter(TieredStorage.lsmTables())
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no table"));
            probe = storage.openRead(first);
            probeBlocks = probe.size() / 4096;
            if (probeBlocks < 2) {
                throw new IllegalStateException(
                        "table " + first + " is too small to probe: " + probe.size() + " bytes");
            }
            present = new Bytes[PROBES];
            for (int i = 0; i < PROBES; i++) {
                present[i] = key(random.nextInt(tierKeys));
            }
        });
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        probe.close();
        store.close();
        BenchData.delete(dir);
    }

    private int next;

    @Benchmark
    public Bytes get() throws IOException {
        Optional<Bytes> v = store.get(present[next++ & (PROBES - 1)]);
        if (v.isEmpty()) {
            throw new IllegalStateException("a present key was not found");
        }
        return v.get();
    }

    @Benchmark
    public int readBlock() throws IOException {
        block.clear();
        long position = (next++ * 7919L % probeBlocks) * 4096;
        int n = probe.read(position, block);
        if (n != 4096) {
            throw new IllegalStateException("short read at " + position + ": " + n);
        }
        return n;
    }
}
