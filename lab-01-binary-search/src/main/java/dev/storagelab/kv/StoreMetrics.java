package dev.storagelab.kv;

import dev.storagelab.io.CountingStorage;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * Counters and latency histograms for one store, cheap enough to record on every get and put:
 * metrics must never become the cost they measure. Disk bytes come from the store's
 * {@link CountingStorage}; user bytes are what callers passed in.
 *
 * <p>Gets and writes are recorded into <em>stripes</em>, as {@link LongAdder} stripes a sum: each
 * stripe holds plain counts and a plain HdrHistogram of each kind of latency, and a recording thread
 * holds one stripe while it records (one compare-and-set to take it, a plain store to let it go),
 * chosen by the thread's id and moving on to the next when another thread holds it. A shared
 * concurrent histogram cost a get six atomic read-modify-writes on the same cache lines for every
 * thread (HdrHistogram's {@code Recorder}: its phase counter twice, its histogram's own phase
 * counter twice, the bucket and the total count), and two {@link LongAdder}s two more.
 * {@link #snapshot} folds every stripe into running totals: merging histograms is exact.
 *
 * <p>Reading the clock costs too: {@link System#nanoTime()} took about 100 ns on a virtual machine
 * whose clock is {@code kvm-clock}, and timing a get takes two, where a cached get of the B+tree
 * takes about 100 ns itself. So a store may time one operation in {@link #TIMED_ONE_IN}, chosen at
 * random ({@link #startTimer}, then {@link #recordGetSince} or {@link #recordWriteSince}): the counts
 * stay exact, and the percentiles are those of a uniform random sample of the operations, an
 * unbiased estimate of every percentile (the sample's maximum is the largest value it saw). A store
 * that times each operation itself records with {@link #recordGet} and {@link #recordWrite}.
 */
public final class StoreMetrics {

    /** Operations a store that samples ({@link #startTimer}) times: one in this many, at random. */
    public static final int TIMED_ONE_IN = 16;
    /** What {@link #startTimer} returns for an operation it does not time. */
    public static final long NOT_TIMED = Long.MIN_VALUE;

    /** Latencies are clamped to this: a minute, far beyond any one operation. */
    private static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** Significant decimal digits of every latency histogram: values within 0.1%. */
    private static final int DIGITS = 3;
    /**
     * Stripes a store records into: a power of two, a few times the threads that record at once in
     * the workspace's runs, so that two of them rarely pick the same stripe.
     */
    private static final int STRIPES = 16;

    private static final VarHandle HELD;

    static {
        try {
            HELD = MethodHandles.lookup().findVarHandle(StripeFields.class, "held", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final CountingStorage io;
    private final Stripe[] stripes;
    private final LongAdder blocksRead = new LongAdder();
    private final LongAdder flushes = new LongAdder();
    private final LongAdder compactions = new LongAdder();
    private final LongAdder writeStalls = new LongAdder();

    // The running totals that snapshots fold the stripes into; guarded by this.
    private long gets;
    private long getHits;
    private long puts;
    private long deletes;
    private long userBytesWritten;
    private final Histogram getLatency = new Histogram(DIGITS);
    private final Histogram putLatency = new Histogram(DIGITS);

    public StoreMetrics(CountingStorage io) {
        this.io = io;
        this.stripes = new Stripe[STRIPES];
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe();
        }
    }

    /**
     * When an operation starts: {@link System#nanoTime()} for one operation in
     * {@link #TIMED_ONE_IN}, chosen at random, and {@link #NOT_TIMED} for the others, which then
     * read no clock. Pass it to {@link #recordGetSince} or {@link #recordWriteSince}.
     */
    public static long startTimer() {
        return (ThreadLocalRandom.current().nextInt() & (TIMED_ONE_IN - 1)) == 0 ? System.nanoTime() : NOT_TIMED;
    }

    /** A get that took {@code nanos}, timed by the caller. */
    public void recordGet(boolean hit, long nanos) {
        get(hit, nanos);
    }

    /** A get that started at {@code startedAt} ({@link #startTimer}): counted, and timed if it was chosen. */
    public void recordGetSince(boolean hit, long startedAt) {
        get(hit, startedAt == NOT_TIMED ? NOT_TIMED : System.nanoTime() - startedAt);
    }

    /** A put or delete that took {@code nanos}, timed by the caller. */
    public void recordWrite(Entry entry, long nanos) {
        write(entry, nanos);
    }

    /** A put or delete that started at {@code startedAt} ({@link #startTimer}): counted, and timed if it was chosen. */
    public void recordWriteSince(Entry entry, long startedAt) {
        write(entry, startedAt == NOT_TIMED ? NOT_TIMED : System.nanoTime() - startedAt);
    }

    private void get(boolean hit, long nanos) {
        Stripe s = take();
        try {
            s.gets++;
            if (hit) {
                s.getHits++;
            }
            if (nanos != NOT_TIMED) {
                s.getLatency().recordValue(clamp(nanos));
            }
        } finally {
            s.letGo();
        }
    }

    private void write(Entry entry, long nanos) {
        long bytes =
                entry.key().length() + (entry.isTombstone() ? 0 : entry.value().length());
        Stripe s = take();
        try {
            if (entry.isTombstone()) {
                s.deletes++;
            } else {
                s.puts++;
            }
            s.userBytesWritten += bytes;
            if (nanos != NOT_TIMED) {
                s.putLatency().recordValue(clamp(nanos));
            }
        } finally {
            s.letGo();
        }
    }

    private static long clamp(long nanos) {
        return Math.min(Math.max(nanos, 0), MAX_NANOS);
    }

    public void recordBlockRead() {
        blocksRead.increment();
    }

    public void recordFlush() {
        flushes.increment();
    }

    public void recordCompaction() {
        compactions.increment();
    }

    public void recordWriteStall() {
        writeStalls.increment();
    }

    /**
     * A stripe for this thread, held: the one its id picks, or the next free one after it. Never
     * waits for long: a stripe is held only while one value is recorded into it, or folded into the
     * totals.
     */
    private Stripe take() {
        int mask = stripes.length - 1;
        long id = Thread.currentThread().getId();
        int i = (int) (id * 0x9E3779B97F4A7C15L >>> 40) & mask;
        for (int tries = 0; ; tries++, i = (i + 1) & mask) {
            Stripe s = stripes[i];
            if (s.held == 0 && HELD.compareAndSet(s, 0, 1)) {
                return s;
            }
            if (tries >= stripes.length) {
                Thread.onSpinWait();
            }
        }
    }

    /** A copy of every counter and percentile, for printing or JSON. */
    public synchronized Snapshot snapshot() {
        for (Stripe s : stripes) {
            while (!HELD.compareAndSet(s, 0, 1)) {
                Thread.onSpinWait();
            }
            try {
                gets += s.gets;
                getHits += s.getHits;
                puts += s.puts;
                deletes += s.deletes;
                userBytesWritten += s.userBytesWritten;
                s.gets = s.getHits = s.puts = s.deletes = s.userBytesWritten = 0;
                if (s.getLatency != null && s.getLatency.getTotalCount() > 0) {
                    getLatency.add(s.getLatency);
                    s.getLatency.reset();
                }
                if (s.putLatency != null && s.putLatency.getTotalCount() > 0) {
                    putLatency.add(s.putLatency);
                    s.putLatency.reset();
                }
            } finally {
                s.letGo();
            }
        }
        return new Snapshot(
                gets,
                getHits,
                puts,
                deletes,
                userBytesWritten,
                io.bytesWritten(),
                io.bytesRead(),
                io.reads(),
                io.forces(),
                blocksRead.sum(),
                flushes.sum(),
                compactions.sum(),
                writeStalls.sum(),
                percentiles(getLatency, gets),
                percentiles(putLatency, puts + deletes));
    }

    /**
     * The percentiles of {@code h}, with {@code count}: every operation, timed or not; {@code timed}
     * is how many were timed.
     */
    private static Map<String, Long> percentiles(Histogram h, long count) {
        Map<String, Long> p = new TreeMap<>();
        p.put("count", count);
        p.put("timed", h.getTotalCount());
        p.put("p50_ns", h.getValueAtPercentile(50));
        p.put("p99_ns", h.getValueAtPercentile(99));
        p.put("p999_ns", h.getValueAtPercentile(99.9));
        p.put("max_ns", h.getMaxValue());
        return p;
    }

    /** Cache-line padding before a stripe's fields, so that two threads' stripes never share a line. */
    @SuppressWarnings("unused")
    private abstract static class PadBefore {
        long p1, p2, p3, p4, p5, p6, p7, p8;
    }

    /** A stripe's state: plain fields, read and written only by the thread that holds it. */
    private abstract static class StripeFields extends PadBefore {
        /** 1 while a thread holds the stripe: taken by a compare-and-set, let go by a volatile store. */
        volatile int held;

        long gets;
        long getHits;
        long puts;
        long deletes;
        long userBytesWritten;
        /** Created at the first value, and growing to the largest value seen (HdrHistogram's auto-resize). */
        Histogram getLatency;

        Histogram putLatency;
    }

    /** One stripe, padded after as before. */
    @SuppressWarnings("unused")
    private static final class Stripe extends StripeFields {
        long q1, q2, q3, q4, q5, q6, q7, q8;

        Histogram getLatency() {
            if (getLatency == null) {
                getLatency = new Histogram(DIGITS);
            }
            return getLatency;
        }

        Histogram putLatency() {
            if (putLatency == null) {
                putLatency = new Histogram(DIGITS);
            }
            return putLatency;
        }

        /** Lets go of the stripe: what the holder wrote is seen by the next thread that takes it. */
        void letGo() {
            held = 0;
        }
    }

    /**
     * One reading of the metrics.
     *
     * @param diskBytesWritten bytes that reached files (logs, segments, everything)
     * @param userBytesWritten key and value bytes callers wrote
     * @param getLatency       {@code count} (every get), {@code timed} (the gets timed: all of them,
     *                         or a random one in {@link #TIMED_ONE_IN}), and the timed gets'
     *                         {@code p50_ns}, {@code p99_ns}, {@code p999_ns} and {@code max_ns}
     * @param putLatency       the same for puts and deletes
     */
    public record Snapshot(
            long gets,
            long getHits,
            long puts,
            long deletes,
            long userBytesWritten,
            long diskBytesWritten,
            long diskBytesRead,
            long diskReads,
            long forces,
            long blocksRead,
            long flushes,
            long compactions,
            long writeStalls,
            Map<String, Long> getLatency,
            Map<String, Long> putLatency) {

        /** Disk bytes written per user byte written; NaN before the first write. */
        public double writeAmplification() {
            return userBytesWritten == 0 ? Double.NaN : (double) diskBytesWritten / userBytesWritten;
        }

        /** Blocks read per get; NaN before the first get. */
        public double blocksPerGet() {
            return gets == 0 ? Double.NaN : (double) blocksRead / gets;
        }
    }
}
