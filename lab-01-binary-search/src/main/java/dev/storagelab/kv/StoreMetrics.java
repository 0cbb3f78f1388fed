package dev.storagelab.kv;

import dev.storagelab.io.CountingStorage;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counters and latency histograms for one store. Counting is lock-free ({@link LongAdder},
 * HdrHistogram's {@link Recorder}), so metrics never become the bottleneck they measure. Disk
 * bytes come from the store's {@link CountingStorage}; user bytes are what callers passed in.
 */
public final class StoreMetrics {

    private final CountingStorage io;
    private final LongAdder gets = new LongAdder();
    private final LongAdder getHits = new LongAdder();
    private final LongAdder puts = new LongAdder();
    private final LongAdder deletes = new LongAdder();
    private final LongAdder userBytesWritten = new LongAdder();
    private final LongAdder blocksRead = new LongAdder();
    private final LongAdder flushes = new LongAdder();
    private final LongAdder compactions = new LongAdder();
    private final LongAdder writeStalls = new LongAdder();
    // Up to 60 s, 3 significant digits; guarded by this for the totals.
    private final Histogram getLatency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    private final Histogram putLatency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    private final Recorder getRecorder = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
    private final Recorder putRecorder = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);

    public StoreMetrics(CountingStorage io) {
        this.io = io;
    }

    public void recordGet(boolean hit, long nanos) {
        gets.increment();
        if (hit) {
            getHits.increment();
        }
        getRecorder.recordValue(Math.min(nanos, TimeUnit.SECONDS.toNanos(60)));
    }

    public void recordWrite(Entry entry, long nanos) {
        if (entry.isTombstone()) {
            deletes.increment();
        } else {
            puts.increment();
        }
        userBytesWritten.add(
                entry.key().length() + (entry.isTombstone() ? 0 : entry.value().length()));
        putRecorder.recordValue(Math.min(nanos, TimeUnit.SECONDS.toNanos(60)));
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

    /** A copy of every counter and percentile, for printing or JSON. */
    public synchronized Snapshot snapshot() {
        // A Recorder hands out what was recorded since the last call; keep running totals.
        getLatency.add(getRecorder.getIntervalHistogram());
        putLatency.add(putRecorder.getIntervalHistogram());
        return new Snapshot(
                gets.sum(),
                getHits.sum(),
                puts.sum(),
                deletes.sum(),
                userBytesWritten.sum(),
                io.bytesWritten(),
                io.bytesRead(),
                io.reads(),
                io.forces(),
                blocksRead.sum(),
                flushes.sum(),
                compactions.sum(),
                writeStalls.sum(),
                percentiles(getLatency),
                percentiles(putLatency));
    }

    private static Map<String, Long> percentiles(Histogram h) {
        Map<String, Long> p = new TreeMap<>();
        p.put("count", h.getTotalCount());
        p.put("p50_ns", h.getValueAtPercentile(50));
        p.put("p99_ns", h.getValueAtPercentile(99));
        p.put("p999_ns", h.getValueAtPercentile(99.9));
        p.put("max_ns", h.getMaxValue());
        return p;
    }

    /**
     * One reading of the metrics.
     *
     * @param diskBytesWritten bytes that reached files (logs, segments, everything)
     * @param userBytesWritten key and value bytes callers wrote
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
