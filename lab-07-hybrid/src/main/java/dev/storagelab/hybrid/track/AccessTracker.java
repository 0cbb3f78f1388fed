package dev.storagelab.hybrid.track;

import static com.google.common.base.Preconditions.checkArgument;

import dev.storagelab.hybrid.cost.AccessStats;
import dev.storagelab.kv.Bytes;

/**
 * What the router knows of each key's recent accesses, in memory fixed when it is built: four
 * {@link FrequencySketch}es (point reads, writes, writes that were appends, entries scanned from a
 * key) and a {@link SequentialWriteDetector}, instead of a counter per key. Tracking 10 million
 * distinct keys costs what tracking ten thousand does ({@link #memoryBytes()}); the price is that
 * a key's counts are estimates, never below the truth and above it by at most the sketches'
 * error, and that they fade: once {@code sampleSize} accesses have been recorded every count is
 * halved (all the sketches together, so reads and writes keep one window) and the stream tails
 * are forgotten.
 *
 * <p>A scan is known by where it starts: {@link #recordScan} counts its entries against its first
 * key, so {@link AccessStats#scanReads()} is what scans starting at a key (a range's first key)
 * read. Thread-safe: every method synchronizes on the tracker.
 */
public final class AccessTracker {

    private final FrequencySketch reads;
    private final FrequencySketch writes;
    private final FrequencySketch appends;
    private final FrequencySketch scans;
    private final SequentialWriteDetector streams = new SequentialWriteDetector();
    private final long sampleSize;
    private long accesses;
    private long resets;
    private long scannedEntries;
    /** The key hashed last and its hash: the router asks about the key just recorded, so it is not hashed twice. */
    private Bytes lastKey;

    private long lastHash;

    /** A tracker whose memory is fixed by {@code width} (counters per sketch row), aged every {@code sampleSize} accesses. */
    public AccessTracker(int width, int sampleSize) {
        checkArgument(sampleSize >= 1, "sampleSize must be positive: %s", sampleSize);
        // the sketches never age by themselves: the tracker halves them together
        this.reads = new FrequencySketch(width, Long.MAX_VALUE);
        this.writes = new FrequencySketch(width, Long.MAX_VALUE);
        this.appends = new FrequencySketch(width, Long.MAX_VALUE);
        this.scans = new FrequencySketch(width, Long.MAX_VALUE);
        this.sampleSize = sampleSize;
    }

    public synchronized void recordRead(Bytes key) {
        reads.increment(hash(key));
        accessed(1);
    }

    /**
     * {@code count} reads of {@code key} at once (positive; a sampled read standing for the reads not
     * counted): its read counters grow by {@code count}, saturating, and the window by {@code count}
     * accesses.
     */
    public synchronized void recordRead(Bytes key, int count) {
        checkArgument(count > 0, "count must be positive: %s", count);
        reads.add(hash(key), Math.min(count, FrequencySketch.MAX_COUNT));
        accessed(count);
    }

    public synchronized void recordWrite(Bytes key) {
        long h = hash(key);
        writes.increment(h);
        if (streams.isAppend(key)) {
            appends.increment(h);
        }
        accessed(1);
    }

    /** A scan from {@code from} that read {@code entries} entries. */
    public synchronized void recordScan(Bytes from, int entries) {
        checkArgument(entries >= 0, "entries must be non-negative: %s", entries);
        if (entries > 0) {
            scans.add(hash(from), Math.min(entries, FrequencySketch.MAX_COUNT));
            scannedEntries += entries;
        }
        accessed(1);
    }

    /** {@link FrequencySketch#hash} of {@code key}, remembered for the same key object (a {@link Bytes} never changes). */
    private long hash(Bytes key) {
        if (key != lastKey) {
            lastHash = FrequencySketch.hash(key);
            lastKey = key;
        }
        return lastHash;
    }

    private void accessed(int count) {
        accesses += count;
        if (accesses >= sampleSize) {
            reads.reset();
            writes.reset();
            appends.reset();
            scans.reset();
            streams.clear();
            accesses = 0;
            resets++;
        }
    }

    /**
     * The estimate for {@code key}, with its value's size: its reads, writes and scanned entries
     * in the current window, and the share of its writes that were appends.
     */
    public synchronized AccessStats stats(Bytes key, int valueBytes) {
        long h = hash(key);
        int w = writes.frequency(h);
        double sequential = w == 0 ? 0 : Math.min(1.0, (double) appends.frequency(h) / w);
        return new AccessStats(reads.frequency(h), w, scans.frequency(h), valueBytes, sequential);
    }

    /** Bytes of memory the tracker holds: the same for 10k or 10M distinct keys. */
    public long memoryBytes() {
        return reads.memoryBytes()
                + writes.memoryBytes()
                + appends.memoryBytes()
                + scans.memoryBytes()
                + SequentialWriteDetector.memoryBytes()
                + 64;
    }

    /** Accesses recorded since the last aging. */
    public synchronized long accessesInWindow() {
        return accesses;
    }

    /** Agings so far: each halved every count. */
    public synchronized long resets() {
        return resets;
    }

    /** Entries read by every scan recorded, over the tracker's life. */
    public synchronized long scannedEntries() {
        return scannedEntries;
    }

    @Override
    public synchronized String toString() {
        return "AccessTracker{" + reads.width() + " counters/row, " + memoryBytes() + " bytes, " + accesses + "/"
                + sampleSize + " accesses, " + resets + " resets}";
    }
}
