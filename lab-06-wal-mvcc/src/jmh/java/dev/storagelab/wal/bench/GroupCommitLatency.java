package dev.storagelab.wal.bench;

import dev.storagelab.io.DiskStorage;
import dev.storagelab.wal.SyncMode;
import dev.storagelab.wal.Wal;
import dev.storagelab.wal.WalOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * The group-commit figure in one run: for each sync mode and each number of committing threads (1,
 * 2, 4, ... 64), {@code threads} threads commit 100-byte records to one {@link Wal} on disk for
 * {@code seconds} (after a warm-up of a second), and the run prints commits per second and the
 * commit latency's p50, p99 and p99.9 (HdrHistogram, every commit recorded), and the mean group
 * size from {@link Wal#stats()}. Each mode and thread count gets a fresh log in a fresh directory.
 *
 * <pre>
 * java -cp &lt;lab-06 test classpath&gt; dev.storagelab.wal.bench.GroupCommitLatency [seconds] [dir]
 * </pre>
 * The directory defaults to {@code java.io.tmpdir}; it must be on a real disk, not tmpfs.
 */
public final class GroupCommitLatency {

    static final int[] THREADS = {1, 2, 4, 8, 16, 32, 64};

    private GroupCommitLatency() {}

    /** One mode and thread count, measured. */
    record Row(
            SyncMode mode,
            int threads,
            double commitsPerSecond,
            double p50Micros,
            double p99Micros,
            double p999Micros,
            double meanGroupSize) {}

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        Path base = Path.of(args.length > 1 ? args[1] : System.getProperty("java.io.tmpdir"));
        System.out.printf(
                "%-12s %7s %12s %10s %10s %10s %8s%n",
                "mode", "threads", "commits/s", "p50 us", "p99 us", "p99.9 us", "group");
        for (SyncMode mode : new SyncMode[] {SyncMode.EVERY_WRITE, SyncMode.GROUP, SyncMode.NONE}) {
            for (int threads : THREADS) {
                Row r = measure(base, mode, threads, seconds);
                System.out.printf(
                        "%-12s %7d %12.0f %10.0f %10.0f %10.0f %8.2f%n",
                        r.mode(),
                        r.threads(),
                        r.commitsPerSecond(),
                        r.p50Micros(),
                        r.p99Micros(),
                        r.p999Micros(),
                        r.meanGroupSize());
            }
        }
    }

    static Row measure(Path base, SyncMode mode, int threads, double seconds) throws Exception {
        Path dir = Files.createTempDirectory(base, "wal-latency");
        try {
            byte[] payload = new byte[100];
            try (Wal wal = Wal.open(DiskStorage.open(dir), WalOptions.defaults().withSyncMode(mode))) {
                run(wal, payload, threads, 1.0, null);
                long before = wal.stats().records();
                long groupsBefore = wal.stats().commitGroups();
                Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
                long start = System.nanoTime();
                run(wal, payload, threads, seconds, latency);
                double elapsed = (System.nanoTime() - start) / 1e9;
                long commits = wal.stats().records() - before;
                long groups = wal.stats().commitGroups() - groupsBefore;
                if (mode != SyncMode.NONE && wal.durableLsn() != wal.lastLsn()) {
                    throw new IllegalStateException("commits returned before they were durable");
                }
                return new Row(
                        mode,
                        threads,
                        commits / elapsed,
                        latency.getValueAtPercentile(50) / 1e3,
                        latency.getValueAtPercentile(99) / 1e3,
                        latency.getValueAtPercentile(99.9) / 1e3,
                        groups == 0 ? 0 : (double) commits / groups);
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** {@code threads} threads commit for {@code seconds}; each commit's latency goes into {@code latency}. */
    private static void run(Wal wal, byte[] payload, int threads, double seconds, Histogram latency) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(threads);
        List<Throwable> failures = new ArrayList<>();
        List<Histogram> perThread = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Histogram mine = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            perThread.add(mine);
            Thread thread = new Thread(
                    () -> {
                        try {
                            while (!stop.get()) {
                                long t0 = System.nanoTime();
                                wal.commit(payload);
                                mine.recordValue(Math.min(System.nanoTime() - t0, TimeUnit.SECONDS.toNanos(10)));
                            }
                        } catch (IOException | RuntimeException e) {
                            synchronized (failures) {
                                failures.add(e);
                            }
                        } finally {
                            done.countDown();
                        }
                    },
                    "committer-" + t);
            thread.start();
        }
        Thread.sleep((long) (seconds * 1000));
        stop.set(true);
        done.await();
        if (!failures.isEmpty()) {
            throw new IllegalStateException("a commit failed", failures.get(0));
        }
        if (latency != null) {
            perThread.forEach(latency::add);
        }
    }
}
