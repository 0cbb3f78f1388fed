package dev.storagelab.wal.bench;

import dev.storagelab.io.DiskStorage;
import dev.storagelab.testkit.BenchData;
import dev.storagelab.wal.SyncMode;
import dev.storagelab.wal.Wal;
import dev.storagelab.wal.WalOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Group commit (lab-06 T2) on a real disk: commits per second of {@code payloadBytes}-byte records
 * through one {@link Wal} in a temporary directory, with 1, 2, 4, ... 64 committing threads (one
 * benchmark method per thread count, {@code threadsNN}) and each {@link SyncMode}:
 * <ul>
 *   <li>{@code EVERY_WRITE}: each commit forces alone, so the rate is one commit per force
 *       (a force costs 160-200 µs on the lab machines) however many threads there are;</li>
 *   <li>{@code GROUP}: the commits that arrive while a force runs share the next one, so the rate
 *       grows with the thread count until the write of a group, not the force, is the cost;</li>
 *   <li>{@code NONE}: no force at all, the ceiling the other two approach.</li>
 * </ul>
 * JMH's throughput is the sum over the threads. Run with {@code -bm sample} for each commit's latency
 * percentiles (p50, p99). Segments the iteration wrote are truncated after it, so the disk does not
 * fill. The directory is {@code java.io.tmpdir} unless {@code -Dwal.bench.dir=...} names one: it must
 * be on a real disk (not tmpfs), or the forces cost nothing and the benchmark measures nothing.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class GroupCommitBenchmark {

    @Param({"GROUP", "EVERY_WRITE", "NONE"})
    public SyncMode syncMode;

    @Param({"100"})
    public int payloadBytes;

    private Path dir;
    private Wal wal;
    private byte[] payload;

    @Setup(Level.Trial)
    public void open() throws IOException {
        String base = System.getProperty("wal.bench.dir", System.getProperty("java.io.tmpdir"));
        dir = Files.createTempDirectory(Path.of(base), "wal-bench");
        BenchData.setUpIn(dir, () -> {
            wal = Wal.open(DiskStorage.open(dir), WalOptions.defaults().withSyncMode(syncMode));
            payload = new byte[payloadBytes];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) (i * 31 + 7);
            }
        });
    }

    @TearDown(Level.Iteration)
    public void recycle() throws IOException {
        if (syncMode != SyncMode.NONE && wal.durableLsn() != wal.lastLsn()) {
            throw new IllegalStateException("commits returned before they were durable: durable " + wal.durableLsn()
                    + ", last " + wal.lastLsn());
        }
        wal.truncateBefore(wal.lastLsn() + 1);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        wal.close();
        BenchData.delete(dir);
    }

    private long commit() throws IOException {
        return wal.commit(payload);
    }

    @Benchmark
    @Threads(1)
    public long threads01() throws IOException {
        return commit();
    }

    @Benchmark
    @Threads(2)
    public long threads02() throws IOException {
        return commit();
    }

    @Benchmark
    @Threads(4)
    public long threads04() throws IOException {
        return commit();
    }

    @Benchmark
    @Threads(8)
    public long threads08() throws IOException {
        return commit();
    }

    @Benchmark
    @Threads(16)
    public long threads16() throws IOException {
        return commit();
    }

    @Benchmark
    @Threads(32)
    public long threads32() throws IOException {
        return commit();
    }

    @Benchmark
    @Threads(64)
    public long threads64() throws IOException {
        return commit();
    }
}
