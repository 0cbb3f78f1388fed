package dev.storagelab.workbench.workloads;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.util.concurrent.RateLimiter;
import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.workbench.engines.Counters;
import dev.storagelab.workbench.engines.Engine;
import dev.storagelab.workbench.engines.EngineFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.HdrHistogram.Histogram;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;

/**
 * Runs one {@link Workload} on one engine: preloads the store in batches and syncs it (unmeasured), reads
 * the engine's counts, runs the operations, timing each one into an HdrHistogram per kind of
 * operation, syncs, and reads the counts again. The result's counters are the difference, so they
 * cover exactly the measured operations and the sync after them, with ratios derived from that
 * difference and from the operations the runner did ({@link Counters#withRatios}); its gauges are
 * the engine's at the end. Every random choice (keys, values, mixes) comes from a generator seeded
 * with {@link Spec#seed()}, so two runs with the same spec do the same operations in the same
 * order. Each operation's result is checked where it can be: a get of a key known to be present
 * must find it, a get of a key known to be absent must not, and a scan must return keys in strictly
 * increasing order from its start key; a wrong answer stops the run with an error, since a fast
 * wrong engine is not a result.
 *
 * <p>Engines are compared on equal terms by {@link #run(EngineFactory, Path, Workload, Spec,
 * BankWorkload.Threads, LongConsumer)}, which opens the store itself: a disk engine's preloaded
 * store is closed after its preload and opened again before the measured operations (db_bench's
 * {@code --use_existing_db}), so every engine starts them from its files with its caches cold, and
 * holds what its own memory budget keeps rather than what its preload left in memory.
 */
public final class WorkloadRunner {

    /**
     * What to run.
     *
     * @param keys       the key space (keys preloaded for all but the fills)
     * @param ops        measured operations
     * @param valueBytes bytes per value
     * @param seed       the seed of every random choice
     * @param writerRate readwhilewriting's writer's puts a second at most (db_bench's
     *                   {@code --benchmark_write_rate_limit}, in puts), or 0 for as fast as it can
     */
    public record Spec(long keys, long ops, int valueBytes, long seed, long writerRate) {
        public Spec {
            checkArgument(keys >= 1, "keys must be at least 1: %s", keys);
            checkArgument(ops >= 1, "ops must be at least 1: %s", ops);
            checkArgument(valueBytes >= 0, "valueBytes must not be negative: %s", valueBytes);
            checkArgument(writerRate >= 0, "writerRate must not be negative (0: no limit): %s", writerRate);
        }

        /** A spec whose readwhilewriting writer puts as fast as it can. */
        public Spec(long keys, long ops, int valueBytes, long seed) {
            this(keys, ops, valueBytes, seed, 0);
        }
    }

    /** Latency percentiles of one kind of operation, in microseconds. */
    public record Latency(long count, double p50, double p99, double p999, double max) {
        static Latency of(Histogram h) {
            return new Latency(
                    h.getTotalCount(),
                    h.getValueAtPercentile(50) / 1e3,
                    h.getValueAtPercentile(99) / 1e3,
                    h.getValueAtPercentile(99.9) / 1e3,
                    h.getMaxValue() / 1e3);
        }
    }

    /**
     * The operations a run did while it was measured: the denominators of the per-get ratios.
     *
     * @param gets   gets, a read-modify-write's included
     * @param writes puts and inserts, a read-modify-write's and readwhilewriting's background
     *               writer's included
     * @param scans  scans
     */
    public record Operations(long gets, long writes, long scans) {}

    /**
     * What a run measured.
     *
     * @param loadSeconds the unmeasured preload and the sync after it
     * @param reopened    whether the store was closed after the preload and opened again before
     *                    the measured operations, so that they started from its files
     * @param seconds     the measured operations
     * @param syncSeconds the {@code sync()} after them (a checkpoint for the B+tree), which the
     *                    counters include
     * @param operations  what the runner did while measured
     * @param counters    the engine's counts over the measured operations and the sync after
     *                    them (the preload excluded), then the ratios derived from them
     * @param gauges      the engine's gauges at the end of the run
     * @param bank        the bank workload's transfers, conflicts and checks; null for the others
     * @param threads     each group of the process's threads over the measured operations: the
     *                    seconds it ran and waited for a core ({@link ThreadTimes}), the group that
     *                    ran longest first; empty where the system does not tell, null for the bank
     */
    public record Result(
            String engine,
            String workload,
            Spec spec,
            double loadSeconds,
            boolean reopened,
            double seconds,
            double opsPerSecond,
            double syncSeconds,
            Map<String, Latency> latency,
            Operations operations,
            Map<String, Object> counters,
            Map<String, Object> gauges,
            BankWorkload.Report bank,
            Map<String, ThreadTimes.Times> threads) {}

    /**
     * Puts per {@link OrderedStore#write} of the preload: a store with a log writes each batch as
     * one record (lab-06's stores commit it as one transaction, one force under group commit,
     * where a put each would pay a force each), the others put its entries one by one.
     */
    static final int PRELOAD_BATCH = 1_000;

    private WorkloadRunner() {}

    /**
     * Runs {@code workload} on {@code engine}; the bank with {@link BankWorkload.Threads#DEFAULT}.
     *
     * @param progress called with the number of measured operations done, about every 1%
     */
    public static Result run(Engine.Handle engine, Workload workload, Spec spec, LongConsumer progress)
            throws IOException {
        return run(engine, workload, spec, BankWorkload.Threads.DEFAULT, progress);
    }

    /**
     * Runs {@code workload} on {@code engine}, the bank's transfers and checks on {@code bankThreads}
     * (the other workloads run on the calling thread, readwhilewriting's writer beside it), on the
     * store as it is open: the measured operations find whatever the preload left in the engine's
     * memory. {@link #run(EngineFactory, Path, Workload, Spec, BankWorkload.Threads, LongConsumer)}
     * compares engines on equal terms; this one serves a recording that follows one open engine.
     *
     * @param progress called with the number of measured operations done, about every 1%
     */
    public static Result run(
            Engine.Handle engine, Workload workload, Spec spec, BankWorkload.Threads bankThreads, LongConsumer progress)
            throws IOException {
        if (workload == Workload.BANK) {
            return BankWorkload.run(engine, spec, bankThreads, progress);
        }
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(spec.seed());
        double loadSeconds = preload(engine.store(), workload, spec, rng);
        return measure(engine, workload, spec, rng, progress, loadSeconds, false, -1);
    }

    /**
     * Opens {@code engine} on {@code dir}, runs {@code workload} on it and closes it, as db_bench
     * runs a read benchmark with {@code --use_existing_db}: a workload that starts from a loaded
     * store ({@link Workload#preload}), on an engine that keeps its data on disk, preloads it,
     * syncs it, closes it and opens it again, and only then runs the measured operations. They
     * start from what is on storage, every cache of the engine cold, and the engine holds only what
     * its memory budget keeps: an engine whose preload left its pages in memory beyond its cache
     * (H2's MVStore keeps the pages its writes made until they are saved, then only in its cache)
     * gets no head start. Fills, the bank, and the in-memory engines run on the store as first
     * opened. The gauges add {@link Counters#HEAP_HELD_BYTES}: the heap the open engine held at the
     * end, after a full collection, beyond what the JVM held before it was opened for the measured
     * operations (a collection outside every measured interval).
     *
     * @param progress called with the number of measured operations done, about every 1%
     */
    public static Result run(
            EngineFactory engine,
            Path dir,
            Workload workload,
            Spec spec,
            BankWorkload.Threads bankThreads,
            LongConsumer progress)
            throws IOException {
        if (workload == Workload.BANK) {
            try (Engine.Handle handle = engine.open(dir)) {
                return BankWorkload.run(handle, spec, bankThreads, progress);
            }
        }
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(spec.seed());
        boolean reopen = engine.onDisk() && workload.preload(spec.keys()) > 0;
        // a reopened engine's baseline is taken between its close and its reopening, below
        long heapBefore = reopen ? -1 : heapAfterCollection();
        Engine.Handle handle = engine.open(dir);
        try {
            double loadSeconds = preload(handle.store(), workload, spec, rng);
            if (reopen) {
                try {
                    handle.close();
                } finally {
                    handle = null; // nothing refers to the closed store during the collection below
                }
                heapBefore = heapAfterCollection();
                handle = engine.open(dir);
            }
            return measure(handle, workload, spec, rng, progress, loadSeconds, reopen, heapBefore);
        } finally {
            if (handle != null) {
                handle.close();
            }
        }
    }

    /** Puts the workload's preload into {@code store} in batches and syncs it; returns the seconds it took. */
    private static double preload(OrderedStore store, Workload workload, Spec spec, UniformRandomProvider rng)
            throws IOException {
        long loadStart = System.nanoTime();
        long preload = workload.preload(spec.keys());
        List<Entry> batch = new ArrayList<>(PRELOAD_BATCH);
        for (long i : shuffled(preload, rng)) {
            batch.add(Entry.put(workload.preloadKey(i, spec.keys()), value(rng, spec.valueBytes())));
            if (batch.size() == PRELOAD_BATCH) {
                store.write(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            store.write(batch);
        }
        store.sync(); // the preload's dirty pages and logs reach the disk now, not in the run's counts
        return (System.nanoTime() - loadStart) / 1e9;
    }

    /**
     * The measured part of a run: the operations, the sync after them, and the counts and gauges.
     * {@code heapBefore} is the heap in use before the engine was opened, or -1 if not known.
     */
    private static Result measure(
            Engine.Handle engine,
            Workload workload,
            Spec spec,
            UniformRandomProvider rng,
            LongConsumer progress,
            double loadSeconds,
            boolean reopened,
            long heapBefore)
            throws IOException {
        OrderedStore store = engine.store();
        Map<String, Long> before = engine.counts();

        Map<Workload.Kind, Histogram> histograms = new EnumMap<>(Workload.Kind.class);
        Workload.Generator ops = workload.generator(spec.keys(), rng);
        AtomicBoolean writing = new AtomicBoolean(workload == Workload.READWHILEWRITING);
        AtomicLong backgroundWrites = new AtomicLong();
        Thread writer = writing.get() ? backgroundWriter(store, spec, writing, backgroundWrites) : null;
        long gets = 0;
        long writes = 0;
        long scans = 0;
        long step = Math.max(1, spec.ops() / 100);
        Map<Long, ThreadTimes.Sample> threadsBefore = ThreadTimes.sample(); // readwhilewriting's writer counts from 0
        Map<Long, ThreadTimes.Sample> threadsAfter = Map.of();
        long samplingNanos = 0; // the second sample's reads of /proc, which are not the run's time
        long start = System.nanoTime();
        try {
            for (long n = 0; n < spec.ops(); n++) {
                Workload.Op op = ops.next(n);
                long t0 = System.nanoTime();
                apply(store, workload, op, rng, spec);
                long nanos = System.nanoTime() - t0;
                switch (op.kind()) {
                    case GET -> gets++;
                    case PUT, INSERT -> writes++;
                    case SCAN -> scans++;
                    case READ_MODIFY_WRITE -> {
                        gets++;
                        writes++;
                    }
                }
                histograms
                        .computeIfAbsent(op.kind(), k -> new Histogram(TimeUnit.SECONDS.toNanos(60), 3))
                        .recordValue(Math.min(nanos, TimeUnit.SECONDS.toNanos(60)));
                if ((n + 1) % step == 0 || n + 1 == spec.ops()) {
                    progress.accept(n + 1);
                }
            }
            long sampled = System.nanoTime();
            threadsAfter = ThreadTimes.sample(); // while the writer still runs: an ended thread's times are gone
            samplingNanos = System.nanoTime() - sampled;
        } finally {
            writing.set(false);
            if (writer != null) {
                try {
                    writer.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        double seconds = (System.nanoTime() - start - samplingNanos) / 1e9;
        long syncStart = System.nanoTime();
        store.sync(); // what the run wrote reaches the disk, so the counters include its cost
        double syncSeconds = (System.nanoTime() - syncStart) / 1e9;
        Map<String, Long> after = engine.counts(); // before the gauges, which may read pages themselves
        // Below zero only by the collector's noise, for an engine that holds next to nothing on the heap.
        long heapHeld = heapBefore < 0 ? -1 : Math.max(0, heapAfterCollection() - heapBefore);
        Map<String, Object> gauges = new LinkedHashMap<>(engine.gauges());
        if (heapHeld >= 0) {
            gauges.put(Counters.HEAP_HELD_BYTES, heapHeld);
        }
        Operations operations = new Operations(gets, writes + backgroundWrites.get(), scans);
        Map<String, Latency> latency = new LinkedHashMap<>();
        histograms.forEach((kind, h) -> latency.put(kind.name().toLowerCase(java.util.Locale.ROOT), Latency.of(h)));
        return new Result(
                engine.engine().id(),
                workload.id(),
                spec,
                loadSeconds,
                reopened,
                seconds,
                spec.ops() / seconds,
                syncSeconds,
                latency,
                operations,
                Counters.withRatios(Counters.delta(before, after), operations.gets()),
                gauges,
                null,
                ThreadTimes.between(threadsBefore, threadsAfter));
    }

    /**
     * The heap in use after a full collection ({@link System#gc()}, which the workbench's JVMs do
     * not disable): what live objects hold, in bytes.
     */
    private static long heapAfterCollection() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        System.gc(); // a second collection frees what the first one's finalisation and reference processing released
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static void apply(
            OrderedStore store, Workload workload, Workload.Op op, UniformRandomProvider rng, Spec spec)
            throws IOException {
        switch (op.kind()) {
            case PUT, INSERT -> store.put(op.key(), value(rng, spec.valueBytes()));
            case GET -> {
                boolean found = store.get(op.key()).isPresent();
                Boolean expected = expectedPresence(workload);
                if (expected != null && found != expected) {
                    throw new IllegalStateException(
                            store + " answered get(" + op.key() + ") with " + (found ? "a value" : "nothing")
                                    + ", but the key is " + (expected ? "present" : "absent"));
                }
            }
            case READ_MODIFY_WRITE -> {
                store.get(op.key());
                store.put(op.key(), value(rng, spec.valueBytes()));
            }
            case SCAN -> {
                Bytes previous = null;
                try (EntryIterator it = store.scan(op.key(), null)) {
                    for (int i = 0; i < op.scanLength() && it.hasNext(); i++) {
                        Bytes k = it.next().key();
                        if (k.compareTo(op.key()) < 0 || previous != null && k.compareTo(previous) <= 0) {
                            throw new IllegalStateException(store + " scan from " + op.key() + " returned " + k
                                    + (previous == null ? "" : " after " + previous) + ": out of order");
                        }
                        previous = k;
                    }
                }
            }
        }
    }

    /** Whether every get of {@code workload} must find its key (true), must not (false), or either (null). */
    private static Boolean expectedPresence(Workload workload) {
        return switch (workload) {
            case READRANDOM, READWHILEWRITING, YCSB_A, YCSB_B, YCSB_C, YCSB_D, YCSB_F -> true;
            case READMISSING -> false;
            default -> null;
        };
    }

    /**
     * One more thread that overwrites random existing keys until told to stop: readwhilewriting's
     * writer, at most {@link Spec#writerRate} puts a second if that is set. It adds its puts to
     * {@code written} as it goes.
     */
    private static Thread backgroundWriter(OrderedStore store, Spec spec, AtomicBoolean writing, AtomicLong written) {
        Thread t = new Thread(
                () -> {
                    UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(spec.seed() + 1);
                    RateLimiter limit = spec.writerRate() > 0 ? RateLimiter.create(spec.writerRate()) : null;
                    try {
                        while (writing.get()) {
                            if (limit != null) {
                                limit.acquire();
                            }
                            store.put(Workload.key(rng.nextLong(spec.keys())), value(rng, spec.valueBytes()));
                            written.incrementAndGet();
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                },
                "readwhilewriting-writer");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** A value of {@code length} bytes: a seeded random run, fresh for each write. */
    private static Bytes value(UniformRandomProvider rng, int length) {
        byte[] v = new byte[length];
        rng.nextBytes(v);
        return Bytes.wrap(v);
    }

    /** The numbers 0 to {@code n - 1} in a seeded random order (Fisher-Yates). */
    private static long[] shuffled(long n, UniformRandomProvider rng) {
        long[] a = new long[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) {
            a[i] = i;
        }
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            long t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }
}
