package dev.storagelab.workbench.arena;

import static com.google.common.base.Preconditions.checkArgument;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.wal.SyncMode;
import dev.storagelab.workbench.engines.Counters;
import dev.storagelab.workbench.workloads.Workload;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.apache.commons.io.file.PathUtils;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;

/**
 * The arena: engines compared on equal terms, one after the other in one process. Each engine
 * gets the same memory budget ({@link ArenaEngine}), the same log and sync mode, the same data
 * (a multiple of the budget, loaded in key order, then made durable and left to settle), and the
 * same seeded operations; its reads bypass the page cache ({@link DeviceStorage}). A production
 * peer held to the same terms ({@link ArenaPeer}) does its own file I/O in the same directory and
 * counts its own bytes; its result says which figures those are ({@link Result#ownCounters()}).
 *
 * <p><b>Steady state.</b> The run is cut into intervals of {@link Spec#intervalMillis()}. The
 * warm-up lasts at least {@link Spec#minWarmup()} intervals and ends at the first interval after
 * which the engine says its background work has caught up (the hybrid: no queued moves; the LSM
 * trees: compaction owes less than a level-1's worth) and the last three intervals' throughputs
 * are within {@link #STEADY_SPREAD} of their mean; after {@link Spec#maxWarmup()} intervals it ends
 * anyway and the result says {@code settled: false}. Then {@link Spec#intervals()} intervals are
 * measured: every figure of the result comes from them alone, the per-interval throughputs of the
 * warm-up are reported beside them.
 *
 * <p><b>The figures.</b> Operations per second; p50, p99 and p99.9 per kind of operation; the CPU
 * time of the whole process (every thread: request, log, compaction, maintenance, GC, JIT) per
 * operation; bytes written and read at the device per operation, and write amplification
 * (bytes written to the device per byte of keys and values the operations wrote); space
 * amplification (bytes in files over the logical bytes of the live keys); the most memory the
 * engine's caches held in any interval.
 */
final class Arena {

    /** The last three warm-up intervals' throughputs must be within this fraction of their mean. */
    static final double STEADY_SPREAD = 0.15;

    /** Puts per write of the load. */
    static final int LOAD_BATCH = 1_000;

    private Arena() {}

    /**
     * What to run.
     *
     * @param memoryBytes    the budget each engine splits among its caches
     * @param dataMultiple   the data set, as a multiple of the budget
     * @param valueBytes     bytes per value
     * @param sync           the log's sync mode, the same for every engine
     * @param direct         whether reads bypass the page cache (direct I/O)
     * @param intervalMillis the length of one interval
     * @param minWarmup      warm-up intervals at least
     * @param maxWarmup      warm-up intervals at most
     * @param intervals      measured intervals
     * @param seed           the seed of every random choice
     */
    record Spec(
            long memoryBytes,
            double dataMultiple,
            int valueBytes,
            SyncMode sync,
            boolean direct,
            long intervalMillis,
            int minWarmup,
            int maxWarmup,
            int intervals,
            long seed) {
        Spec {
            checkArgument(memoryBytes > 0, "--memory must be positive: %s", memoryBytes);
            checkArgument(dataMultiple > 0, "--data must be positive: %s", dataMultiple);
            checkArgument(valueBytes >= 1, "--value-bytes must be at least 1: %s", valueBytes);
            checkArgument(intervalMillis >= 10, "--interval must be at least 10 ms: %s", intervalMillis);
            checkArgument(
                    minWarmup >= 0 && maxWarmup >= minWarmup,
                    "--warmup-max must be at least --warmup-min: %s, %s",
                    minWarmup,
                    maxWarmup);
            checkArgument(intervals >= 1, "--intervals must be at least 1: %s", intervals);
        }

        /** The keys a workload of {@code keyBytes} keys gets: the data's bytes over one entry's. */
        long keys(ArenaWorkload workload) {
            return Math.max(100, (long) (memoryBytes * dataMultiple / (workload.keyBytes() + valueBytes)));
        }
    }

    /**
     * One kind of operation's latencies in microseconds.
     *
     * @param mean      the mean
     * @param timeShare the share of the measured time the request thread spent in this kind of
     *                  operation ({@code count * mean} over the steady intervals' length): where
     *                  the time goes
     */
    record Latency(long count, double p50, double p99, double p999, double mean, double timeShare) {
        static Latency of(Histogram h, long steadyNanos) {
            return new Latency(
                    h.getTotalCount(),
                    h.getValueAtPercentile(50) / 1e3,
                    h.getValueAtPercentile(99) / 1e3,
                    h.getValueAtPercentile(99.9) / 1e3,
                    h.getMean() / 1e3,
                    steadyNanos == 0 ? Double.NaN : h.getMean() * h.getTotalCount() / steadyNanos);
        }
    }

    /** One interval: how many operations, how long, whether it was measured. */
    record Interval(int index, boolean steady, long ops, double opsPerSecond) {}

    /**
     * One engine's result. Every figure is over the steady intervals.
     *
     * @param pageCacheBypassed      whether reads used direct I/O
     * @param memoryBytes            the most the engine's caches held in any interval, by the sum of {@code memory}
     * @param writeAmplification     device bytes written per byte of keys and values written
     * @param spaceAmplification     file bytes at the end over the live data's logical bytes
     * @param processReadBytesPerOp  the kernel's count of the process's bytes read from the device
     *                               ({@code /proc/self/io}), per operation; -1 where there is none
     * @param engineState            the engine's own state at the end of the run ({@link ArenaOpened#state()})
     * @param deviceReadMicrosPerOp  the time the request thread spent waiting for the device's
     *                               reads, per operation (direct reads only, the course's engines
     *                               only; -1 otherwise): the part of an operation's time no CPU
     *                               saving can take off
     * @param ownCounters            which figures come from the engine's own counters rather than the
     *                               device, and from which ({@link ArenaOpened#ownCounters()}); empty
     *                               for the course's engines, whose every figure is the device's
     */
    record Result(
            String engine,
            String workload,
            String split,
            long keys,
            long dataBytes,
            SyncMode syncMode,
            boolean pageCacheBypassed,
            boolean settled,
            int warmupIntervals,
            double warmupSeconds,
            double loadSeconds,
            double opsPerSecond,
            double cpuMicrosPerOp,
            double writeAmplification,
            double readBytesPerOp,
            double writeBytesPerOp,
            double processReadBytesPerOp,
            double processWriteBytesPerOp,
            double spaceAmplification,
            double getP50Micros,
            double getP99Micros,
            double getP999Micros,
            long memoryBytes,
            long memoryBudget,
            Map<String, Long> memory,
            Map<String, Latency> latency,
            Map<String, Long> engineCounts,
            Map<String, String> engineState,
            Map<String, String> ownCounters,
            double deviceReadMicrosPerOp,
            List<Interval> intervals,
            List<Double> roundsOpsPerSecond,
            List<Double> roundsCpuMicrosPerOp) {

        /** This result with every round's throughput and CPU time per operation. */
        Result withRounds(List<Double> ops, List<Double> cpu) {
            return new Result(
                    engine,
                    workload,
                    split,
                    keys,
                    dataBytes,
                    syncMode,
                    pageCacheBypassed,
                    settled,
                    warmupIntervals,
                    warmupSeconds,
                    loadSeconds,
                    opsPerSecond,
                    cpuMicrosPerOp,
                    writeAmplification,
                    readBytesPerOp,
                    writeBytesPerOp,
                    processReadBytesPerOp,
                    processWriteBytesPerOp,
                    spaceAmplification,
                    getP50Micros,
                    getP99Micros,
                    getP999Micros,
                    memoryBytes,
                    memoryBudget,
                    memory,
                    latency,
                    engineCounts,
                    engineState,
                    ownCounters,
                    deviceReadMicrosPerOp,
                    intervals,
                    List.copyOf(ops),
                    List.copyOf(cpu));
        }
    }

    /**
     * Runs {@code workload} on each engine in turn, each in a fresh directory under {@code dir}
     * (deleted after), {@code rounds} times, the engines' order rotated each round so that no
     * engine always runs first (or last, on a machine whose load changes). Each engine's result
     * is its median round by throughput, with every round's throughput and CPU time beside it.
     *
     * @param progress told what is happening, a line at a time
     */
    static List<Result> run(
            List<? extends ArenaEntrant> engines,
            ArenaWorkload workload,
            Spec spec,
            Path dir,
            int rounds,
            Consumer<String> progress)
            throws IOException {
        checkArgument(rounds >= 1, "--rounds must be at least 1: %s", rounds);
        Map<ArenaEntrant, List<Result>> all = new LinkedHashMap<>();
        engines.forEach(e -> all.put(e, new ArrayList<>()));
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < engines.size(); i++) {
                ArenaEntrant e = engines.get((i + round) % engines.size());
                Path where = Files.createTempDirectory(Files.createDirectories(dir), "arena-" + e.id() + "-");
                try {
                    all.get(e).add(runOne(e, workload, spec, where, progress));
                } finally {
                    PathUtils.deleteDirectory(where);
                }
            }
        }
        List<Result> results = new ArrayList<>();
        for (List<Result> runs : all.values()) {
            List<Result> sorted = new ArrayList<>(runs);
            sorted.sort(java.util.Comparator.comparingDouble(Result::opsPerSecond));
            Result median = sorted.get(sorted.size() / 2);
            results.add(median.withRounds(
                    runs.stream().map(Result::opsPerSecond).toList(),
                    runs.stream().map(Result::cpuMicrosPerOp).toList()));
        }
        return results;
    }

    static Result runOne(ArenaEntrant engine, ArenaWorkload workload, Spec spec, Path dir, Consumer<String> progress)
            throws IOException {
        long keys = spec.keys(workload);
        int entryBytes = workload.keyBytes() + spec.valueBytes();
        try (DeviceStorage storage = DeviceStorage.open(dir, spec.direct())) {
            ArenaOpened opened = engine.open(
                    storage, spec.memoryBytes(), spec.sync(), entryBytes, keys * entryBytes, workload.ranges());
            try {
                progress.accept(engine.id() + ": loading " + String.format(Locale.ROOT, "%,d", keys) + " keys ("
                        + size(keys * entryBytes) + ") in key order");
                UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(spec.seed());
                double loadSeconds = load(opened.store(), workload, keys, spec.valueBytes(), rng);
                return measure(engine, opened, storage, workload, spec, keys, entryBytes, loadSeconds, rng, progress);
            } finally {
                opened.close();
            }
        }
    }

    /** Puts the keys in key order, in batches (one log record each), then makes them durable. */
    private static double load(
            OrderedStore store, ArenaWorkload workload, long keys, int valueBytes, UniformRandomProvider rng)
            throws IOException {
        long start = System.nanoTime();
        Bytes[] all = new Bytes[Math.toIntExact(keys)];
        for (int i = 0; i < all.length; i++) {
            all[i] = workload.preloadKey(i, keys);
        }
        Arrays.sort(all);
        List<Entry> batch = new ArrayList<>(LOAD_BATCH);
        for (Bytes k : all) {
            batch.add(Entry.put(k, value(rng, valueBytes)));
            if (batch.size() == LOAD_BATCH) {
                store.write(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            store.write(batch);
        }
        store.sync();
        return (System.nanoTime() - start) / 1e9;
    }

    private static Result measure(
            ArenaEntrant engine,
            ArenaOpened opened,
            DeviceStorage storage,
            ArenaWorkload workload,
            Spec spec,
            long keys,
            int entryBytes,
            double loadSeconds,
            UniformRandomProvider rng,
            Consumer<String> progress)
            throws IOException {
        OrderedStore store = opened.store();
        Workload.Generator ops = workload.generator(keys, rng);
        Map<Workload.Kind, Histogram> histograms = new EnumMap<>(Workload.Kind.class);
        List<Interval> intervals = new ArrayList<>();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long intervalNanos = TimeUnit.MILLISECONDS.toNanos(spec.intervalMillis());
        long n = 0;
        int warmup = 0;
        boolean steady = false;
        boolean settled = false;
        long warmupStart = System.nanoTime();
        double warmupSeconds = 0;
        long steadyOps = 0;
        long steadyNanos = 0;
        long userBytes = 0;
        long inserts = 0;
        long cpu0 = 0;
        long written0 = 0;
        long read0 = 0;
        long[] io0 = null;
        long memory = 0;
        Map<String, Long> memoryDetail = Map.of();
        Map<String, Long> counts0 = Map.of();
        long readWait0 = 0;
        progress.accept(engine.id() + ": warming up (intervals of " + spec.intervalMillis() + " ms)");
        while (true) {
            long start = System.nanoTime();
            long end = start + intervalNanos;
            long done = 0;
            long now = start;
            while (now < end) {
                for (int i = 0; i < 64; i++, n++, done++) {
                    Workload.Op op = ops.next(n);
                    long t0 = System.nanoTime();
                    int written = apply(store, op, rng, spec.valueBytes());
                    long t1 = System.nanoTime();
                    if (steady) {
                        histograms
                                .computeIfAbsent(op.kind(), k -> new Histogram(TimeUnit.SECONDS.toNanos(60), 3))
                                .recordValue(Math.min(t1 - t0, TimeUnit.SECONDS.toNanos(60)));
                        userBytes += written;
                    }
                    if (op.kind() == Workload.Kind.INSERT) {
                        inserts++;
                    }
                }
                now = System.nanoTime();
            }
            long nanos = now - start;
            Map<String, Long> held = opened.memory();
            long heldSum = held.values().stream().mapToLong(Long::longValue).sum();
            if (heldSum > memory) {
                memory = heldSum;
                memoryDetail = held;
            }
            if (steady) {
                steadyOps += done;
                steadyNanos += nanos;
                intervals.add(new Interval(intervals.size(), true, done, done / (nanos / 1e9)));
                if (intervals.stream().filter(Interval::steady).count() == spec.intervals()) {
                    break;
                }
                continue;
            }
            warmup++;
            intervals.add(new Interval(intervals.size(), false, done, done / (nanos / 1e9)));
            boolean caughtUp = warmup >= spec.minWarmup() && opened.settled() && stable(intervals);
            if (caughtUp || warmup >= spec.maxWarmup()) {
                settled = caughtUp;
                steady = true;
                warmupSeconds = (System.nanoTime() - warmupStart) / 1e9;
                progress.accept(String.format(
                        Locale.ROOT,
                        "%s: warm-up over after %d intervals (%s), measuring %d intervals",
                        engine.id(),
                        warmup,
                        settled ? "settled" : "NOT settled: the cap",
                        spec.intervals()));
                cpu0 = os.getProcessCpuTime();
                written0 = bytesWritten(opened, storage);
                read0 = bytesRead(opened, storage);
                io0 = processIo();
                counts0 = opened.counts();
                readWait0 = storage.requestReadNanos();
                storage.watchRequestThread(Thread.currentThread());
            }
        }
        storage.watchRequestThread(null);
        // a peer reads its own files, and buffered reads are not timed: -1
        long readWait =
                opened.engineBytesRead() >= 0 || !storage.direct() ? -1 : storage.requestReadNanos() - readWait0;
        long cpu = os.getProcessCpuTime() - cpu0;
        long written = bytesWritten(opened, storage) - written0;
        long read = bytesRead(opened, storage) - read0;
        long[] io1 = processIo();
        Map<String, Long> counts1 = opened.counts();
        Map<String, Long> engineCounts = new LinkedHashMap<>();
        Map<String, Long> before = counts0;
        counts1.forEach((k, v) -> engineCounts.put(k, v - before.getOrDefault(k, 0L)));
        store.sync();
        long fileBytes = Counters.bytesOnDisk(storage.directory());
        long liveBytes = (keys + inserts) * entryBytes;
        Map<String, Latency> latency = new LinkedHashMap<>();
        long measured = steadyNanos;
        histograms.forEach((kind, h) -> latency.put(kind.name().toLowerCase(Locale.ROOT), Latency.of(h, measured)));
        Latency get = latency.get("get");
        double perOp = steadyOps;
        return new Result(
                engine.id(),
                workload.name(),
                opened.split(),
                keys,
                keys * entryBytes,
                spec.sync(),
                storage.direct(),
                settled,
                warmup,
                warmupSeconds,
                loadSeconds,
                steadyOps / (steadyNanos / 1e9),
                cpu / 1e3 / perOp,
                userBytes == 0 ? Double.NaN : (double) written / userBytes,
                read / perOp,
                written / perOp,
                io0 == null || io1 == null ? -1 : (io1[0] - io0[0]) / perOp,
                io0 == null || io1 == null ? -1 : (io1[1] - io0[1]) / perOp,
                (double) fileBytes / liveBytes,
                get == null ? Double.NaN : get.p50(),
                get == null ? Double.NaN : get.p99(),
                get == null ? Double.NaN : get.p999(),
                memory,
                spec.memoryBytes(),
                memoryDetail,
                latency,
                engineCounts,
                opened.state(),
                opened.ownCounters(),
                readWait < 0 ? -1 : readWait / 1e3 / perOp,
                intervals,
                List.of(),
                List.of());
    }

    /** Bytes written since open: at the device, or by the engine's own counters for one that does its own I/O. */
    private static long bytesWritten(ArenaOpened opened, DeviceStorage storage) {
        long own = opened.engineBytesWritten();
        return own >= 0 ? own : storage.bytesWritten();
    }

    /** Bytes read since open, as {@link #bytesWritten}. */
    private static long bytesRead(ArenaOpened opened, DeviceStorage storage) {
        long own = opened.engineBytesRead();
        return own >= 0 ? own : storage.bytesRead();
    }

    /** Whether the last three intervals' throughputs are within {@link #STEADY_SPREAD} of their mean. */
    static boolean stable(List<Interval> intervals) {
        if (intervals.size() < 3) {
            return false;
        }
        List<Interval> last = intervals.subList(intervals.size() - 3, intervals.size());
        double mean =
                last.stream().mapToDouble(Interval::opsPerSecond).average().orElse(0);
        return last.stream().allMatch(i -> Math.abs(i.opsPerSecond() - mean) <= STEADY_SPREAD * mean);
    }

    /**
     * Does {@code op}; returns the bytes of keys and values it wrote. A get must find its key (every
     * key the arena reads was loaded or inserted), a scan must return keys in order.
     */
    private static int apply(OrderedStore store, Workload.Op op, UniformRandomProvider rng, int valueBytes)
            throws IOException {
        switch (op.kind()) {
            case PUT, INSERT -> {
                store.put(op.key(), value(rng, valueBytes));
                return op.key().length() + valueBytes;
            }
            case GET -> {
                if (store.get(op.key()).isEmpty()) {
                    throw new IllegalStateException(
                            store + " lost " + op.key() + ": get found nothing for a key that was written");
                }
                return 0;
            }
            case READ_MODIFY_WRITE -> {
                store.get(op.key());
                store.put(op.key(), value(rng, valueBytes));
                return op.key().length() + valueBytes;
            }
            case SCAN -> {
                Bytes previous = null;
                try (EntryIterator it = store.scan(op.key(), null)) {
                    for (int i = 0; i < op.scanLength() && it.hasNext(); i++) {
                        Bytes k = it.next().key();
                        if (previous != null && k.compareTo(previous) <= 0) {
                            throw new IllegalStateException(store + " scan from " + op.key() + " returned " + k
                                    + " after " + previous + ": out of order");
                        }
                        previous = k;
                    }
                }
                return 0;
            }
            default -> throw new IllegalArgumentException(op.kind().toString());
        }
    }

    /** The kernel's bytes read and written at the device by this process ({@code /proc/self/io}), or null off Linux. */
    static long[] processIo() {
        try {
            long read = -1;
            long write = -1;
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                if (line.startsWith("read_bytes:")) {
                    read = Long.parseLong(line.substring(11).trim());
                } else if (line.startsWith("write_bytes:")) {
                    write = Long.parseLong(line.substring(12).trim());
                }
            }
            return read < 0 || write < 0 ? null : new long[] {read, write};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Bytes value(UniformRandomProvider rng, int length) {
        byte[] v = new byte[length];
        rng.nextBytes(v);
        return Bytes.wrap(v);
    }

    /** {@code 64m}, {@code 512k}, {@code 1g} or a number of bytes. */
    static long parseSize(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (t.endsWith("k") || t.endsWith("m") || t.endsWith("g")) {
            unit = t.endsWith("k") ? 1L << 10 : t.endsWith("m") ? 1L << 20 : 1L << 30;
            t = t.substring(0, t.length() - 1);
        }
        try {
            double v = Double.parseDouble(t);
            checkArgument(v > 0);
            return (long) (v * unit);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--memory '" + s + "' is not a size: write it as 64m, 512k, 1g or a number of bytes");
        }
    }

    /** Bytes as a person reads them: 64 MiB, 512 KiB, 1.5 GiB. */
    static String size(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        }
        return String.format(Locale.ROOT, "%.0f KiB", bytes / 1024.0);
    }
}
