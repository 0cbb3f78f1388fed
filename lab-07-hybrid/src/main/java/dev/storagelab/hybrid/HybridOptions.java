package dev.storagelab.hybrid;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.base.Ticker;
import dev.storagelab.btree.BTreeOptions;
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
 * How a {@link HybridStore} runs. Build one with {@link #builder()}; {@link #defaults()} is the
 * configuration the workbench's {@code hybrid} engine uses.
 */
public final class HybridOptions {

    private final int cacheEntries;
    private final String cachePolicy;
    private final int maxDirtyEntries;
    private final int trackerWidth;
    private final int trackerSampleSize;
    private final PlacementCost costModel;
    private final double hysteresis;
    private final Duration minResidency;
    private final double paybackWindows;
    private final int considerEvery;
    private final double migrationsPerSecond;
    private final int migrationBurst;
    private final int migrationQueueCapacity;
    private final int maxHotKeys;
    private final Duration archiveAge;
    private final DeviceModel archiveDevice;
    private final Duration maintenanceInterval;
    private final boolean backgroundWork;
    private final Ticker ticker;
    private final Sleeper sleeper;
    private final SyncMode syncMode;
    private final long checkpointLogBytes;
    private final BTreeOptions btree;
    private final LsmOptions lsm;
    private final Supplier<AdaptiveCompaction> adaptiveCompaction;

    private HybridOptions(Builder b) {
        this.cacheEntries = b.cacheEntries;
        this.cachePolicy = b.cachePolicy;
        this.maxDirtyEntries = b.maxDirtyEntries;
        this.trackerWidth = b.trackerWidth;
        this.trackerSampleSize = b.trackerSampleSize;
        this.costModel = b.costModel;
        this.hysteresis = b.hysteresis;
        this.minResidency = b.minResidency;
        this.paybackWindows = b.paybackWindows;
        this.considerEvery = b.considerEvery;
        this.migrationsPerSecond = b.migrationsPerSecond;
        this.migrationBurst = b.migrationBurst;
        this.migrationQueueCapacity = b.migrationQueueCapacity;
        this.maxHotKeys = b.maxHotKeys;
        this.archiveAge = b.archiveAge;
        this.archiveDevice = b.archiveDevice;
        this.maintenanceInterval = b.maintenanceInterval;
        this.backgroundWork = b.backgroundWork;
        this.ticker = b.ticker;
        this.sleeper = b.sleeper;
        this.syncMode = b.syncMode;
        this.checkpointLogBytes = b.checkpointLogBytes;
        this.btree = b.btree;
        this.lsm = b.lsm;
        this.adaptiveCompaction = b.adaptiveCompaction;
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
        return b;
    }

    /** Entries the RAM cache holds (0: no cache). */
    public int cacheEntries() {
        return cacheEntries;
    }

    /** {@code arc}, {@code lru} or {@code lfu}. */
    public String cachePolicy() {
        return cachePolicy;
    }

    /** Dirty cache entries that trigger a flush to the engines. */
    public int maxDirtyEntries() {
        return maxDirtyEntries;
    }

    /** Counters per row of the tracker's sketches: what fixes its memory. */
    public int trackerWidth() {
        return trackerWidth;
    }

    /** Accesses after which the tracker halves its counters (its window). */
    public int trackerSampleSize() {
        return trackerSampleSize;
    }

    /** What the router compares. */
    public PlacementCost costModel() {
        return costModel;
    }

    /** A move needs the other engine to be cheaper by this fraction of the current cost (0.25: 25%). */
    public double hysteresis() {
        return hysteresis;
    }

    /** A key stays where it was moved at least this long. */
    public Duration minResidency() {
        return minResidency;
    }

    /** Within how many tracking windows a move must repay its own cost (see {@link Router}). */
    public double paybackWindows() {
        return paybackWindows;
    }

    /**
     * The router is asked about a key after one access in this many, at random (1, the default:
     * after every access). Each question costs the tracker's estimates and two cost evaluations
     * (about a tenth of a write's CPU in the ecommerce workload); a key hot enough to move is
     * accessed often, so sampling delays its move little, but a key with a handful of accesses may
     * then never be asked about.
     */
    public int considerEvery() {
        return considerEvery;
    }

    /** The token bucket's refill rate: sustained migrations per second. */
    public double migrationsPerSecond() {
        return migrationsPerSecond;
    }

    /** The token bucket's size: the most migrations in a burst. */
    public int migrationBurst() {
        return migrationBurst;
    }

    /** Keys waiting to move, at most (more are dropped and counted as deferred). */
    public int migrationQueueCapacity() {
        return migrationQueueCapacity;
    }

    /** Keys routed to the B+tree, at most: what bounds the routing table's memory. */
    public int maxHotKeys() {
        return maxHotKeys;
    }

    /** LSM files older than this move to the archive (zero: never). */
    public Duration archiveAge() {
        return archiveAge;
    }

    /** The archive's simulated device. */
    public DeviceModel archiveDevice() {
        return archiveDevice;
    }

    /** How often the background thread runs {@link RoutedStore#runMaintenance()}. */
    public Duration maintenanceInterval() {
        return maintenanceInterval;
    }

    /** Whether a background thread runs maintenance (false: the caller calls it, as scenarios do). */
    public boolean backgroundWork() {
        return backgroundWork;
    }

    /** The clock of residency, token refills and file ages (a FakeTicker in simulations). */
    public Ticker ticker() {
        return ticker;
    }

    /** How the archive's injected latency is spent. */
    public Sleeper sleeper() {
        return sleeper;
    }

    /** When a write returns compared with when its log record is durable. */
    public SyncMode syncMode() {
        return syncMode;
    }

    /** A checkpoint is taken once the log has grown this much since the last one. */
    public long checkpointLogBytes() {
        return checkpointLogBytes;
    }

    public BTreeOptions btree() {
        return btree;
    }

    /** The LSM tree's sizes (its own log is always turned off: the hybrid's log holds every write). */
    public LsmOptions lsm() {
        return lsm;
    }

    /**
     * Makes the LSM tree's compaction policy, one per open store (it keeps per-range counters), or
     * null for the policy {@link #lsm()} names.
     */
    public Supplier<AdaptiveCompaction> adaptiveCompaction() {
        return adaptiveCompaction;
    }

    @Override
    public String toString() {
        return "HybridOptions{cache=" + cachePolicy + "x" + cacheEntries + ", maxDirty=" + maxDirtyEntries
                + ", tracker=" + trackerWidth + "/" + trackerSampleSize + ", hysteresis=" + hysteresis
                + ", minResidency=" + minResidency + ", migrations=" + migrationsPerSecond + "/s burst " + migrationBurst
                + ", maxHotKeys=" + maxHotKeys + ", archiveAge=" + archiveAge + ", sync=" + syncMode + "}";
    }

    /** Settings, each checked when {@link #build()} is called. */
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

        private Builder() {
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

        public HybridOptions build() {
            checkArgument(cacheEntries >= 0, "cacheEntries must be non-negative: %s", cacheEntries);
            checkArgument(cachePolicy != null && (cachePolicy.equals("arc") || cachePolicy.equals("lru") || cachePolicy.equals("lfu")),
                    "cache policy must be arc, lru or lfu: %s", cachePolicy);
            checkArgument(maxDirtyEntries >= 1, "maxDirtyEntries must be at least 1: %s", maxDirtyEntries);
            checkArgument(trackerWidth >= 64 && Integer.bitCount(trackerWidth) == 1,
                    "tracker width must be a power of two, at least 64: %s", trackerWidth);
            checkArgument(trackerSampleSize >= trackerWidth, "tracker sample size must be at least its width: %s", trackerSampleSize);
            Objects.requireNonNull(costModel, "costModel");
            checkArgument(hysteresis >= 0 && hysteresis < 1, "hysteresis must be within [0, 1): %s", hysteresis);
            checkArgument(minResidency != null && !minResidency.isNegative(), "minResidency must not be negative: %s", minResidency);
            checkArgument(paybackWindows > 0 && Double.isFinite(paybackWindows), "paybackWindows must be positive: %s", paybackWindows);
            checkArgument(considerEvery >= 1, "considerEvery must be at least 1: %s", considerEvery);
            checkArgument(migrationsPerSecond > 0 && migrationBurst >= 1,
                    "the migration budget needs a positive rate and a burst of at least 1: %s/s, %s", (Object) migrationsPerSecond, (Object) migrationBurst);
            checkArgument(migrationQueueCapacity >= 1, "migrationQueueCapacity must be at least 1: %s", migrationQueueCapacity);
            checkArgument(maxHotKeys >= 0, "maxHotKeys must be non-negative: %s", maxHotKeys);
            checkArgument(archiveAge != null && !archiveAge.isNegative(), "archiveAge must not be negative: %s", archiveAge);
            Objects.requireNonNull(archiveDevice, "archiveDevice");
            checkArgument(maintenanceInterval != null && !maintenanceInterval.isNegative() && !maintenanceInterval.isZero(),
                    "maintenanceInterval must be positive: %s", maintenanceInterval);
            Objects.requireNonNull(ticker, "ticker");
            Objects.requireNonNull(sleeper, "sleeper");
            Objects.requireNonNull(syncMode, "syncMode");
            checkArgument(checkpointLogBytes >= 4096, "checkpointLogBytes must be at least 4 KiB: %s", checkpointLogBytes);
            Objects.requireNonNull(btree, "btree");
            Objects.requireNonNull(lsm, "lsm");
            return new HybridOptions(this);
        }
    }
}
