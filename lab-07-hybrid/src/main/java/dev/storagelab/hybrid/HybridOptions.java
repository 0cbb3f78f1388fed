package dev.storagelab.hybrid;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.base.Ticker;
import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.hybrid.cache.ReplacementPolicies;
import dev.storagelab.hybrid.compaction.AdaptiveCompaction;
import dev.storagelab.hybrid.cost.CostModel;
import dev.storagelab.hybrid.cost.PlacementCost;
import dev.storagelab.hybrid.tier.DeviceModel;
import dev.storagelab.hybrid.tier.Sleeper;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.wal.SyncMode;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How a {@link HybridStore} runs. Immutable and checked when made, as the earlier labs' options
 * are; build one with {@link #builder()} or change a few settings of another with
 * {@link #toBuilder()}. {@link #defaults()} is the configuration the workbench's {@code hybrid}
 * engine uses.
 *
 * @param cacheEntries           entries the RAM cache holds, at least 0 (0: no cache); 65,536 by default
 * @param cachePolicy            the cache's replacement policy by its {@link ReplacementPolicies} name:
 *                               {@code arc} (the default), {@code lru} or {@code lfu}
 * @param maxDirtyEntries        dirty cache entries that trigger a flush to the engines, at least 1; 4,096
 * @param trackerWidth           counters per row of the tracker's sketches, what fixes its memory: a power
 *                               of two, at least 64; 65,536
 * @param trackerSampleSize      accesses after which the tracker halves its counters (its window), at
 *                               least {@code trackerWidth}; 655,360
 * @param costModel              what the router compares; {@link CostModel#defaults()}
 * @param hysteresis             a move needs the other engine to be cheaper by this fraction of the current
 *                               cost, in [0, 1); 0.25 (25%)
 * @param minResidency           a key stays where it was moved at least this long, zero or more; 30 minutes
 * @param paybackWindows         within how many tracking windows a move must repay its own cost (see
 *                               {@link Router}), positive and finite; 4
 * @param considerEvery          the router is asked about a key after one access in this many, at random,
 *                               at least 1 (1, the default: after every access). Each question costs the
 *                               tracker's estimates and two cost evaluations (about a tenth of a write's
 *                               CPU in the ecommerce workload); a key hot enough to move is accessed
 *                               often, so sampling delays its move little, but a key with a handful of
 *                               accesses may then never be asked about
 * @param settledBackoff         how far the sampling thins while placement is settled, from 0 (the default:
 *                               never) to {@value #MAX_SETTLED_BACKOFF}: after each
 *                               maintenance round in which no access asked for a move, the router is
 *                               asked, and a read is counted in the tracker, half as often as before
 *                               (a counted read counts as many reads as it stands for), down to one in
 *                               {@code 2^settledBackoff} of the accesses they were at; a round in which
 *                               an access or the sweep asked for a move brings both back at once. A
 *                               store whose keys already sit where they cost least then pays little
 *                               per access for deciding placement (what Siberia gains by sampling its
 *                               access log); a change in the workload is seen within a round
 * @param migrationsPerSecond    the token bucket's refill rate, sustained migrations per second, positive
 *                               and finite; 200
 * @param migrationBurst         the token bucket's size, the most migrations in a burst, at least 1; 400
 * @param migrationQueueCapacity keys waiting to move, at most (more are dropped and counted as deferred),
 *                               at least 1; 10,000
 * @param maxHotKeys             keys routed to the B+tree, at most, what bounds the routing table's
 *                               memory, at least 0; 200,000
 * @param archiveAge             LSM files older than this move to the archive, zero or more (zero: never,
 *                               the default)
 * @param archiveDevice          the archive's simulated device; {@link DeviceModel#objectStore()}
 * @param maintenanceInterval    how often the background thread runs {@link RoutedStore#runMaintenance()},
 *                               positive; 100 ms
 * @param backgroundWork         whether a background thread runs maintenance (false: the caller calls it,
 *                               as scenarios do); true
 * @param ticker                 the clock of residency, token refills and file ages (a FakeTicker in
 *                               simulations); the system's
 * @param sleeper                how the archive's injected latency is spent; {@link Sleeper#REAL}
 * @param syncMode               when a write returns compared with when its log record is durable; group commit
 * @param checkpointLogBytes     a checkpoint is taken once the log has grown this much since the last one,
 *                               at least 4 KiB; 64 MiB
 * @param btree                  the B+tree's page size and pool; {@link BTreeOptions#defaults()}
 * @param lsm                    the LSM tree's sizes (its own log is always turned off: the hybrid's log
 *                               holds every write); {@link LsmOptions#defaults()}
 * @param adaptiveCompaction     makes the LSM tree's compaction policy, one per open store (it keeps
 *                               per-range counters), or null for the policy {@code lsm} names
 * @param newKeysHot             whether a key written for the first time goes to the B+tree while it
 *                               holds fewer than {@code maxHotKeys} keys (2-Tree's placement: a new
 *                               record starts in the hot tree, and the router moves it down once it
 *                               is cold), instead of the LSM tree; false: every key starts COLD and
 *                               only the router moves keys to the B+tree
 */
public record HybridOptions(
        int cacheEntries,
        String cachePolicy,
        int maxDirtyEntries,
        int trackerWidth,
        int trackerSampleSize,
        PlacementCost costModel,
        double hysteresis,
        Duration minResidency,
        double paybackWindows,
        int considerEvery,
        int settledBackoff,
        double migrationsPerSecond,
        int migrationBurst,
        int migrationQueueCapacity,
        int maxHotKeys,
        Duration archiveAge,
        DeviceModel archiveDevice,
        Duration maintenanceInterval,
        boolean backgroundWork,
        Ticker ticker,
        Sleeper sleeper,
        SyncMode syncMode,
        long checkpointLogBytes,
        BTreeOptions btree,
        LsmOptions lsm,
        Supplier<AdaptiveCompaction> adaptiveCompaction,
        boolean newKeysHot) {

    /** The most {@code settledBackoff} may be: the sampling thinned 64 times at most. */
    public static final int MAX_SETTLED_BACKOFF = 6;

    /** Each setting checked, the message naming the bad value and what is allowed. */
    public HybridOptions {
        checkArgument(cacheEntries >= 0, "cacheEntries must be at least 0 (0: no cache): %s", cacheEntries);
        checkArgument(
                cachePolicy != null && ReplacementPolicies.NAMES.contains(cachePolicy),
                "cache policy must be one of %s: %s",
                ReplacementPolicies.NAMES,
                cachePolicy);
        checkArgument(maxDirtyEntries >= 1, "maxDirtyEntries must be at least 1: %s", maxDirtyEntries);
        checkArgument(
                trackerWidth >= 64 && Integer.bitCount(trackerWidth) == 1,
                "tracker width must be a power of two, at least 64: %s",
                trackerWidth);
        checkArgument(
                trackerSampleSize >= trackerWidth,
                "tracker sample size must be at least its width (%s): %s",
                trackerWidth,
                trackerSampleSize);
        Objects.requireNonNull(costModel, "costModel");
        checkArgument(hysteresis >= 0 && hysteresis < 1, "hysteresis must be within [0, 1): %s", hysteresis);
        checkArgument(
                minResidency != null && !minResidency.isNegative(),
                "minResidency must be zero or more: %s",
                minResidency);
        checkArgument(
                paybackWindows > 0 && Double.isFinite(paybackWindows),
                "paybackWindows must be positive and finite: %s",
                paybackWindows);
        checkArgument(considerEvery >= 1, "considerEvery must be at least 1: %s", considerEvery);
        checkArgument(
                settledBackoff >= 0 && settledBackoff <= MAX_SETTLED_BACKOFF,
                "settledBackoff must be between 0 (off) and %s: %s",
                MAX_SETTLED_BACKOFF,
                settledBackoff);
        checkArgument(
                migrationsPerSecond > 0 && Double.isFinite(migrationsPerSecond) && migrationBurst >= 1,
                "the migration budget needs a positive, finite rate and a burst of at least 1: %s/s, %s",
                (Object) migrationsPerSecond,
                (Object) migrationBurst);
        checkArgument(
                migrationQueueCapacity >= 1, "migrationQueueCapacity must be at least 1: %s", migrationQueueCapacity);
        checkArgument(maxHotKeys >= 0, "maxHotKeys must be at least 0: %s", maxHotKeys);
        checkArgument(
                archiveAge != null && !archiveAge.isNegative(),
                "archiveAge must be zero or more (zero: never): %s",
                archiveAge);
        Objects.requireNonNull(archiveDevice, "archiveDevice");
        checkArgument(
                maintenanceInterval != null && !maintenanceInterval.isNegative() && !maintenanceInterval.isZero(),
                "maintenanceInterval must be positive: %s",
                maintenanceInterval);
        Objects.requireNonNull(ticker, "ticker");
        Objects.requireNonNull(sleeper, "sleeper");
        Objects.requireNonNull(syncMode, "syncMode");
        checkArgument(
                checkpointLogBytes >= 4096, "checkpointLogBytes must be at least 4096 (4 KiB): %s", checkpointLogBytes);
        Objects.requireNonNull(btree, "btree");
        Objects.requireNonNull(lsm, "lsm");
    }

    /** The workbench's configuration: an ARC cache of 64k entries, the default cost model, real time. */
    public static HybridOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration, to change a few settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.cacheEntries = cacheEntries;
        b.cachePolicy = cachePolicy;
        b.maxDirtyEntries = maxDirtyEntries;
        b.trackerWidth = trackerWidth;
        b.trackerSampleSize = trackerSampleSize;
        b.costModel = costModel;
        b.hysteresis = hysteresis;
        b.minResidency = minResidency;
        b.paybackWindows = paybackWindows;
        b.considerEvery = considerEvery;
        b.settledBackoff = settledBackoff;
        b.migrationsPerSecond = migrationsPerSecond;
        b.migrationBurst = migrationBurst;
        b.migrationQueueCapacity = migrationQueueCapacity;
        b.maxHotKeys = maxHotKeys;
        b.archiveAge = archiveAge;
        b.archiveDevice = archiveDevice;
        b.maintenanceInterval = maintenanceInterval;
        b.backgroundWork = backgroundWork;
        b.ticker = ticker;
        b.sleeper = sleeper;
        b.syncMode = syncMode;
        b.checkpointLogBytes = checkpointLogBytes;
        b.btree = btree;
        b.lsm = lsm;
        b.adaptiveCompaction = adaptiveCompaction;
        b.newKeysHot = newKeysHot;
        return b;
    }

    @Override
    public String toString() {
        return "HybridOptions{cache=" + cachePolicy + "x" + cacheEntries + ", maxDirty=" + maxDirtyEntries
                + ", tracker=" + trackerWidth + "/" + trackerSampleSize + ", hysteresis=" + hysteresis
                + ", minResidency=" + minResidency + ", migrations=" + migrationsPerSecond + "/s burst "
                + migrationBurst
                + ", maxHotKeys=" + maxHotKeys + (newKeysHot ? ", new keys hot" : "") + ", archiveAge=" + archiveAge
                + ", sync=" + syncMode + "}";
    }

    /**
     * The settings, starting from {@link #defaults()}'s; {@link #build()} checks them (the record's
     * Javadoc says what each one is and what it may be).
     */
    public static final class Builder {
        private int cacheEntries = 65_536;
        private String cachePolicy = "arc";
        private int maxDirtyEntries = 4_096;
        private int trackerWidth = 1 << 16;
        private int trackerSampleSize = 10 << 16;
        private PlacementCost costModel = CostModel.defaults();
        private double hysteresis = 0.25;
        private Duration minResidency = Duration.ofMinutes(30);
        private double paybackWindows = 4;
        private int considerEvery = 1;
        private int settledBackoff;
        private double migrationsPerSecond = 200;
        private int migrationBurst = 400;
        private int migrationQueueCapacity = 10_000;
        private int maxHotKeys = 200_000;
        private Duration archiveAge = Duration.ZERO;
        private DeviceModel archiveDevice = DeviceModel.objectStore();
        private Duration maintenanceInterval = Duration.ofMillis(100);
        private boolean backgroundWork = true;
        private Ticker ticker = Ticker.systemTicker();
        private Sleeper sleeper = Sleeper.REAL;
        private SyncMode syncMode = SyncMode.GROUP;
        private long checkpointLogBytes = 64L << 20;
        private BTreeOptions btree = BTreeOptions.defaults();
        private LsmOptions lsm = LsmOptions.defaults();
        private Supplier<AdaptiveCompaction> adaptiveCompaction;
        private boolean newKeysHot;

        private Builder() {}

        /** Whether new keys start in the B+tree while it has room (the record's {@code newKeysHot}). */
        public Builder newKeysHot(boolean newKeysHot) {
            this.newKeysHot = newKeysHot;
            return this;
        }

        public Builder cache(String policy, int entries) {
            this.cachePolicy = policy;
            this.cacheEntries = entries;
            return this;
        }

        public Builder maxDirtyEntries(int n) {
            this.maxDirtyEntries = n;
            return this;
        }

        public Builder tracker(int width, int sampleSize) {
            this.trackerWidth = width;
            this.trackerSampleSize = sampleSize;
            return this;
        }

        public Builder costModel(PlacementCost model) {
            this.costModel = model;
            return this;
        }

        public Builder hysteresis(double fraction) {
            this.hysteresis = fraction;
            return this;
        }

        public Builder minResidency(Duration d) {
            this.minResidency = d;
            return this;
        }

        public Builder paybackWindows(double windows) {
            this.paybackWindows = windows;
            return this;
        }

        public Builder considerEvery(int accesses) {
            this.considerEvery = accesses;
            return this;
        }

        /** See the record's {@code settledBackoff}: 0 (off) to {@value #MAX_SETTLED_BACKOFF}. */
        public Builder settledBackoff(int doublings) {
            this.settledBackoff = doublings;
            return this;
        }

        public Builder migrationBudget(double perSecond, int burst) {
            this.migrationsPerSecond = perSecond;
            this.migrationBurst = burst;
            return this;
        }

        public Builder migrationQueueCapacity(int n) {
            this.migrationQueueCapacity = n;
            return this;
        }

        public Builder maxHotKeys(int n) {
            this.maxHotKeys = n;
            return this;
        }

        public Builder archive(Duration age, DeviceModel device) {
            this.archiveAge = age;
            this.archiveDevice = device;
            return this;
        }

        public Builder maintenance(Duration interval, boolean background) {
            this.maintenanceInterval = interval;
            this.backgroundWork = background;
            return this;
        }

        /** Simulated time: {@code ticker} for every clock, {@code sleeper} for injected latency. */
        public Builder clock(Ticker ticker, Sleeper sleeper) {
            this.ticker = ticker;
            this.sleeper = sleeper;
            return this;
        }

        public Builder syncMode(SyncMode mode) {
            this.syncMode = mode;
            return this;
        }

        public Builder checkpointLogBytes(long bytes) {
            this.checkpointLogBytes = bytes;
            return this;
        }

        public Builder btree(BTreeOptions options) {
            this.btree = options;
            return this;
        }

        public Builder lsm(LsmOptions options) {
            this.lsm = options;
            return this;
        }

        /**
         * The LSM tree compacts with an {@link AdaptiveCompaction} that {@code policy} makes (a new
         * one per open store), fed with the reads and writes of the keys routed to it; null: the
         * LSM options' own policy.
         */
        public Builder adaptiveCompaction(Supplier<AdaptiveCompaction> policy) {
            this.adaptiveCompaction = policy;
            return this;
        }

        /** The options, checked. */
        public HybridOptions build() {
            return new HybridOptions(
                    cacheEntries,
                    cachePolicy,
                    maxDirtyEntries,
                    trackerWidth,
                    trackerSampleSize,
                    costModel,
                    hysteresis,
                    minResidency,
                    paybackWindows,
                    considerEvery,
                    settledBackoff,
                    migrationsPerSecond,
                    migrationBurst,
                    migrationQueueCapacity,
                    maxHotKeys,
                    archiveAge,
                    archiveDevice,
                    maintenanceInterval,
                    backgroundWork,
                    ticker,
                    sleeper,
                    syncMode,
                    checkpointLogBytes,
                    btree,
                    lsm,
                    adaptiveCompaction,
                    newKeysHot);
        }
    }
}
