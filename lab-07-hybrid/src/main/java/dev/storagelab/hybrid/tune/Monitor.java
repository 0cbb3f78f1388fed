package dev.storagelab.hybrid.tune;

import com.google.common.base.Ticker;
import dev.storagelab.hybrid.HybridStats;
import dev.storagelab.hybrid.HybridStore;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Samples a store once per interval: the caller records each get's and put's latency
 * ({@link #recordGet}, {@link #recordPut}, from any thread), and {@link #sample()} turns the
 * interval into a {@link Sample}: the operation counts and latency percentiles recorded since the
 * last sample, and the differences of the store's {@link HybridStats} counters (cache hits and
 * misses, bytes written by the user and by the store, migrations made and deferred) since the last
 * sample. Time is the options' clock (a FakeTicker in tests).
 */
public final class Monitor {

    private final Supplier<HybridStats> stats;
    private final Ticker ticker;
    private final LatencyHistogram getLatency = new LatencyHistogram();
    private final LatencyHistogram putLatency = new LatencyHistogram();
    /** The counters at the last sample (or at construction). */
    private HybridStats last;

    private int interval;

    /** A monitor of {@code store} on the store's own clock. */
    public Monitor(HybridStore store) {
        this(store::stats, store.options().ticker());
    }

    /** A monitor of whatever {@code stats} reports (tests give a fake), on {@code ticker}. */
    public Monitor(Supplier<HybridStats> stats, Ticker ticker) {
        this.stats = Objects.requireNonNull(stats, "stats");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.last = Objects.requireNonNull(stats.get(), "the stats supplier returned null");
    }

    /** Records a get that took {@code nanos}. */
    public synchronized void recordGet(long nanos) {
        getLatency.record(nanos);
    }

    /** Records a put (or delete) that took {@code nanos}. */
    public synchronized void recordPut(long nanos) {
        putLatency.record(nanos);
    }

    /**
     * Ends the interval: a {@link Sample} numbered one more than the last (0 first), stamped with
     * the clock's reading now, of what happened since the last sample:
     * <ul>
     *   <li>{@code gets}, {@code puts}: the values recorded; the four percentiles from them
     *       ({@link LatencyHistogram#valueAt}, 0 with none);</li>
     *   <li>{@code hitRate}: the new cache hits over the new hits and misses (0 with none);</li>
     *   <li>{@code writeAmplification}: the new device bytes written over the new user bytes
     *       written (0 if the user wrote nothing);</li>
     *   <li>{@code hotByteShare}: now, {@code hotBytes / (hotBytes + coldBytes + archiveBytes)} (0
     *       if all are 0);</li>
     *   <li>{@code deferredShare}: the new deferred moves over the new deferred and made moves (0 with
     *       none).</li>
     * </ul>
     * Then the histograms are reset and the counters read now become the base of the next interval.
     */
    public synchronized Sample sample() {
        HybridStats now = stats.get();
        long end = ticker.read();
        // BEGIN SOLUTION lab-07 T10
        long hits = now.cacheHits() - last.cacheHits();
        long misses = now.cacheMisses() - last.cacheMisses();
        long user = now.userBytesWritten() - last.userBytesWritten();
        long device = now.deviceBytesWritten() - last.deviceBytesWritten();
        long moved = now.migrations() - last.migrations();
        long deferred = now.migrationsDeferred() - last.migrationsDeferred();
        long engineBytes = now.hotBytes() + now.coldBytes() + now.archiveBytes();
        Sample s = new Sample(
                interval++,
                end,
                getLatency.count(),
                putLatency.count(),
                hits + misses == 0 ? 0 : (double) hits / (hits + misses),
                user == 0 ? 0 : (double) device / user,
                engineBytes == 0 ? 0 : (double) now.hotBytes() / engineBytes,
                moved + deferred == 0 ? 0 : (double) deferred / (moved + deferred),
                getLatency.valueAt(0.5),
                getLatency.valueAt(0.99),
                putLatency.valueAt(0.5),
                putLatency.valueAt(0.99));
        getLatency.reset();
        putLatency.reset();
        last = now;
        return s;
        // END SOLUTION
    }
}
