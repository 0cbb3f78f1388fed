package dev.storagelab.hybrid.query;

import static com.google.common.base.Preconditions.checkArgument;

import dev.storagelab.hybrid.cost.CostModel;
import dev.storagelab.hybrid.cost.HardwareProfile;
import java.util.Locale;
import java.util.Objects;

/**
 * What the planner's three kinds of work cost on this machine, in microseconds, from the
 * calibrated {@link HardwareProfile} (read only): a <b>lookup</b> (a get of one key at random: the
 * engine's CPU, and on a cache miss a random read), and a <b>scan</b> of entries in key order (a
 * per-row CPU, and the bytes read in order). Why an index can lose: it turns each matching row
 * into a lookup, while a full scan pays per row only the CPU and the transfer.
 *
 * @param profile         the machine's figures: {@code randomReadMicros} and {@code seqReadMBps}
 * @param lookupCpuMicros a get's CPU when its block is cached (the profile's
 *                        {@code lsmGetMicros}: the table's keys are COLD unless they moved)
 * @param rowCpuMicros    a scanned entry's CPU: stepping the iterator, decoding, filtering
 * @param cacheHitRatio   the share of lookups the caches answer (the engine shape's block cache)
 */
public record QueryCostModel(
        HardwareProfile profile, double lookupCpuMicros, double rowCpuMicros, double cacheHitRatio) {

    /** A scanned row's CPU when nothing was measured: the order of this workspace's engines. */
    public static final double DEFAULT_ROW_CPU_MICROS = 1.0;
    /** The bytes a random read moves for its {@code randomReadMicros}. */
    static final int RANDOM_IO_BYTES = 4096;

    public QueryCostModel {
        Objects.requireNonNull(profile, "profile");
        checkArgument(
                lookupCpuMicros >= 0 && Double.isFinite(lookupCpuMicros),
                "lookupCpuMicros must be finite and non-negative: %s",
                lookupCpuMicros);
        checkArgument(
                rowCpuMicros >= 0 && Double.isFinite(rowCpuMicros),
                "rowCpuMicros must be finite and non-negative: %s",
                rowCpuMicros);
        checkArgument(
                cacheHitRatio >= 0 && cacheHitRatio <= 1, "cacheHitRatio must be within [0, 1]: %s", cacheHitRatio);
    }

    /** The cost model's machine and block-cache hit ratio, its LSM get as the lookup, the default row CPU. */
    public static QueryCostModel of(CostModel model) {
        return new QueryCostModel(
                model.profile(),
                model.profile().lsmGetMicros(),
                DEFAULT_ROW_CPU_MICROS,
                model.shape().blockCacheHitRatio());
    }

    /** The default cost model's (NVMe) figures. */
    public static QueryCostModel defaults() {
        return of(CostModel.defaults());
    }

    /** One random read of {@code bytes}: an access, and the transfer of what lies past its first 4 KiB. */
    public double randomRead(double bytes) {
        return profile.randomReadMicros() + sequentialRead(Math.max(0, bytes - RANDOM_IO_BYTES));
    }

    /** The transfer of {@code bytes} read in order (MB/s are bytes per microsecond). */
    public double sequentialRead(double bytes) {
        return bytes / profile.seqReadMBps();
    }

    /** One get of an entry of {@code entryBytes}: {@code lookupCpu + (1 - cacheHitRatio) * randomRead(entryBytes)}. */
    public double lookup(double entryBytes) {
        return lookupCpuMicros + (1 - cacheHitRatio) * randomRead(entryBytes);
    }

    /** Scanning {@code n} entries of {@code entryBytes} each in key order: {@code n * (rowCpu + sequentialRead(entryBytes))}. */
    public double scan(double n, double entryBytes) {
        return n * (rowCpuMicros + sequentialRead(entryBytes));
    }

    /**
     * The selectivity at which a full scan of {@code rows} rows and an index range scan cost the
     * same (the crossover; 1 if the index always wins), by the planner's formulas: the seeks aside,
     * {@code rows * scan(row) = s * rows * (scan(index entry) + lookup(row))}.
     */
    public double crossover(double rowEntryBytes, double indexEntryBytes) {
        double full = scan(1, rowEntryBytes);
        double perMatch = scan(1, indexEntryBytes) + lookup(rowEntryBytes);
        return Math.min(1, full / perMatch);
    }

    /** This model with another lookup CPU and row CPU (what a calibration measured). */
    public QueryCostModel withCpu(double lookupCpu, double rowCpu) {
        return new QueryCostModel(profile, lookupCpu, rowCpu, cacheHitRatio);
    }

    /** This model with another cache hit ratio. */
    public QueryCostModel withCacheHitRatio(double ratio) {
        return new QueryCostModel(profile, lookupCpuMicros, rowCpuMicros, ratio);
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "query costs on '%s': lookup %.2f us CPU + %.0f%% of %.2f us random read, row %.2f us CPU, %.0f MB/s",
                profile.name(),
                lookupCpuMicros,
                100 * (1 - cacheHitRatio),
                profile.randomReadMicros(),
                rowCpuMicros,
                profile.seqReadMBps());
    }
}
