package dev.storagelab.hybrid.cost;

import static com.google.common.base.Preconditions.checkArgument;

import dev.storagelab.hybrid.Placement;
import java.time.Duration;
import java.util.Objects;

/**
 * What serving one key's accesses costs on each engine, so the router can put the key where it is
 * cheapest. Every access is turned into the CPU time of the engine's operation (measured:
 * {@link HardwareProfile#btreeGetMicros()} and the like) plus the device I/O it causes when the
 * cache does not answer (random and sequential, priced by the profile), and the bytes the key
 * holds in RAM and on disk are priced in money and converted to the same microseconds. Everything
 * is per tracking window, whose length only matters for what the held bytes cost.
 *
 * <p>Notation of the formulas below (the handout explains each choice): {@code r, w, s} the
 * reads, writes and scanned entries of {@link AccessStats}, {@code q} its sequential fraction,
 * {@code e} the entry's bytes ({@link EngineShape#entryBytes}), {@code h} the buffer pool's hit
 * ratio, {@code hL} the block cache's, {@code f} the B+tree's fill factor, {@code P} the B+tree
 * page's size and {@code B} the LSM block's, {@code L} the LSM's levels, {@code fpr} the Bloom
 * filter's false-positive rate, {@code WA} the LSM's write amplification and {@code SA} its space
 * amplification. {@code randRead(n)} is {@link #randomRead}: one random access and the transfer
 * of the bytes past the first 4 KiB; {@code seqRead(n)} is {@link #sequentialRead}: the transfer
 * alone; the same for writes.
 */
public final class CostModel implements PlacementCost {

    /** Hours in a month, as cloud bills count them. */
    static final double HOURS_PER_MONTH = 730;
    /** The unit a random access moves: what {@link HardwareProfile#randomReadMicros()} is measured with. */
    static final int RANDOM_IO_BYTES = 4096;

    private final HardwareProfile profile;
    private final EngineShape shape;
    private final Duration window;

    /**
     * A model of {@code shape}'s engines on {@code profile}'s machine; a key's counts are over
     * {@code window} (the tracker's window: what the held bytes are paid for).
     */
    public CostModel(HardwareProfile profile, EngineShape shape, Duration window) {
        this.profile = Objects.requireNonNull(profile, "profile");
        this.shape = Objects.requireNonNull(shape, "shape");
        checkArgument(
                window != null && !window.isNegative() && !window.isZero(), "window must be positive: %s", window);
        this.window = window;
    }

    /** The NVMe preset, the default engine shape, a window of one hour. */
    public static CostModel defaults() {
        return new CostModel(HardwareProfile.nvme(), EngineShape.defaults(), Duration.ofHours(1));
    }

    /** The same engines and window on another machine. */
    public CostModel withProfile(HardwareProfile other) {
        return new CostModel(other, shape, window);
    }

    /** The same machine and window with other engines. */
    public CostModel withShape(EngineShape other) {
        return new CostModel(profile, other, window);
    }

    /**
     * The same machine and engines with counts taken over {@code other}: the tracker's window is a
     * number of accesses (its sample size), so a store that knows its rate passes the time they take.
     */
    public CostModel withWindow(Duration other) {
        return new CostModel(profile, shape, other);
    }

    public HardwareProfile profile() {
        return profile;
    }

    public EngineShape shape() {
        return shape;
    }

    public Duration window() {
        return window;
    }

    /** The cost of serving {@code stats} from {@code placement}, part by part. */
    public Cost cost(Placement placement, AccessStats stats) {
        Objects.requireNonNull(stats, "stats");
        return switch (Objects.requireNonNull(placement, "placement")) {
            case HOT -> btreeCost(stats);
            case COLD -> lsmCost(stats);
        };
    }

    @Override
    public double total(Placement placement, AccessStats stats) {
        return cost(placement, stats).total();
    }

    /** The placement of least total cost; a tie goes to {@link Placement#COLD}, the default that needs no routing entry. */
    public Placement cheapest(AccessStats stats) {
        return total(Placement.HOT, stats) < total(Placement.COLD, stats) ? Placement.HOT : Placement.COLD;
    }

    /**
     * The key's cost in the lab-04 B+tree (HOT).
     * <ul>
     *   <li>read = {@code r * (btreeGet + (1-h) * randRead(pages(e)))
     *       + s * (1-h) * (randomReadMicros * e / (P f) + seqRead(e / f))}: a get costs its CPU, and on
     *       a miss the leaf (the pages the entry spans, {@link #pageBytes}) is read at random; a scan reads
     *       leaves in key order, one random access per leaf ({@code P f / e} entries each) and the bytes;</li>
     *   <li>write = {@code w * (btreePut + (1-q) * (1-h) * (randRead(pages(e)) + randWrite(pages(e)))
     *       + q * seqWrite(e / f))}: a random update dirties its cached leaf (the write-back at the
     *       checkpoint is in {@code btreePut}); on a miss the leaf is read and a dirty page evicted,
     *       written back at random. An append ({@code q}) fills the rightmost leaf, which is written
     *       once, full, in order;</li>
     *   <li>memory = {@link #heldMicros}{@code (h * e / f * (1 + 1/fanout) + routingEntryBytes,
     *       e / f, storagePerGBMonth)}: routing a key HOT buys it a place in the buffer pool (its
     *       share of a leaf and of the inner pages above), a routing entry, and its page space on disk.</li>
     * </ul>
     */
    public Cost btreeCost(AccessStats stats) {
        // BEGIN SOLUTION lab-07 T1
        double h = shape.bufferPoolHitRatio();
        double f = shape.btreeFillFactor();
        double q = stats.sequentialFraction();
        long e = shape.entryBytes(stats.valueBytes());
        long pages = pageBytes(e);
        double perRead = profile.btreeGetMicros() + (1 - h) * randomRead(pages);
        double perScanned =
                (1 - h) * (profile.randomReadMicros() * e / (shape.btreePageSize() * f) + sequentialRead(e / f));
        double read = stats.reads() * perRead + stats.scanReads() * perScanned;
        double perWrite = profile.btreePutMicros()
                + (1 - q) * (1 - h) * (randomRead(pages) + randomWrite(pages))
                + q * sequentialWrite(e / f);
        double write = stats.writes() * perWrite;
        double ram = h * e / f * (1 + 1.0 / shape.btreeFanout()) + shape.routingEntryBytes();
        double memory = heldMicros(ram, e / f, profile.storagePerGBMonth());
        return new Cost(read, write, memory);
        // END SOLUTION
    }

    /**
     * The key's cost in the lab-05 LSM tree (COLD).
     * <ul>
     *   <li>read = {@code r * (lsmGet + (1-hL) * (randRead(max(B, e)) + (L-1) * fpr * randRead(B)))
     *       + s * (1-hL) * (L * randomReadMicros * e / B + seqRead(e * SA))}: a get costs its CPU, and
     *       on a block-cache miss the block holding the entry is read at random, plus one block for
     *       each other level whose Bloom filter lies; a scan merges every level: a random access per
     *       block of each level and all the bytes, stale versions included;</li>
     *   <li>write = {@code w * (lsmPut + seqWrite(e * WAq) + seqRead(e * (WAq - 1)))} with
     *       {@code WAq = q + (1-q) * WA}: each write is written again by every compaction that
     *       carries it down, sequentially, and read back before each of those rewrites. Appends
     *       ({@code q}) never overlap older tables: they move down without a rewrite;</li>
     *   <li>memory = {@link #heldMicros}{@code (bloomBitsPerKey / 8 + (keyBytes + 16) * min(1, e / B),
     *       e * SA, storagePerGBMonth)}: a COLD key holds only its Bloom bits and its share of an
     *       index entry in RAM, and its bytes (with the upper levels' copies) on disk.</li>
     * </ul>
     */
    public Cost lsmCost(AccessStats stats) {
        // BEGIN SOLUTION lab-07 T1
        double hL = shape.blockCacheHitRatio();
        double q = stats.sequentialFraction();
        long e = shape.entryBytes(stats.valueBytes());
        int b = shape.lsmBlockBytes();
        double perRead = profile.lsmGetMicros()
                + (1 - hL)
                        * (randomRead(Math.max(b, e))
                                + (shape.lsmLevels() - 1) * shape.bloomFalsePositiveRate() * randomRead(b));
        double perScanned = (1 - hL)
                * (shape.lsmLevels() * profile.randomReadMicros() * e / b
                        + sequentialRead(e * shape.lsmSpaceAmplification()));
        double read = stats.reads() * perRead + stats.scanReads() * perScanned;
        double wa = q + (1 - q) * shape.lsmWriteAmplification();
        double perWrite = profile.lsmPutMicros() + sequentialWrite(e * wa) + sequentialRead(e * (wa - 1));
        double write = stats.writes() * perWrite;
        double ram = shape.bloomBitsPerKey() / 8.0 + (shape.keyBytes() + 16) * Math.min(1.0, (double) e / b);
        double memory = heldMicros(ram, e * shape.lsmSpaceAmplification(), profile.storagePerGBMonth());
        return new Cost(read, write, memory);
        // END SOLUTION
    }

    /**
     * What holding {@code ramBytes} of RAM and {@code diskBytes} of storage priced at
     * {@code diskPerGBMonth} for one window costs, in microseconds of device time:
     * {@code moneyToMicros((ramBytes * ramPerGBMonth + diskBytes * diskPerGBMonth) / 10^9 * windowHours / 730)}.
     * A GB is 10^9 bytes, as on the bills the prices come from; a month is 730 hours.
     */
    public double heldMicros(double ramBytes, double diskBytes, double diskPerGBMonth) {
        // BEGIN SOLUTION lab-07 T1
        double months = window.toNanos() / 3_600e9 / HOURS_PER_MONTH;
        double money = (ramBytes * profile.ramPerGBMonth() + diskBytes * diskPerGBMonth) / 1e9 * months;
        return profile.moneyToMicros(money);
        // END SOLUTION
    }

    /** The bytes of the B+tree pages an entry of {@code entryBytes} spans: whole pages, at least one. */
    long pageBytes(long entryBytes) {
        int p = shape.btreePageSize();
        return Math.max(1, (entryBytes + p - 1) / p) * p;
    }

    /** One random read of {@code bytes}: a random access, and the transfer of what lies past its first 4 KiB. */
    double randomRead(double bytes) {
        return profile.randomReadMicros() + sequentialRead(Math.max(0, bytes - RANDOM_IO_BYTES));
    }

    /** One random write of {@code bytes}, as {@link #randomRead}. */
    double randomWrite(double bytes) {
        return profile.randomWriteMicros() + sequentialWrite(Math.max(0, bytes - RANDOM_IO_BYTES));
    }

    /** The transfer of {@code bytes} read in order: MB/s are bytes per microsecond. */
    double sequentialRead(double bytes) {
        return bytes / profile.seqReadMBps();
    }

    /** The transfer of {@code bytes} written in order. */
    double sequentialWrite(double bytes) {
        return bytes / profile.seqWriteMBps();
    }

    @Override
    public String toString() {
        return "CostModel{" + profile.name() + ", window " + window + ", " + shape + "}";
    }
}
