package dev.storagelab.hybrid.scenario;

import static com.google.common.base.Preconditions.checkArgument;

import dev.storagelab.hybrid.HybridStats;
import dev.storagelab.hybrid.tier.DeviceModel;
import dev.storagelab.kv.Bytes;
import java.io.IOException;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * Failure mode 1, the thundering herd: a flash sale. After a steady phase of reads spread over the
 * whole catalogue, a burst of reads hits one cold key (or a few: {@link Config#saleKeys()}) at a
 * far higher rate. The simple engine moves the key to the B+tree in the middle of the peak, on the
 * request that crossed its threshold; a hardened engine moves it in the background within its token
 * budget, and its burst's get latency stays near the steady state's.
 *
 * <p>Time is simulated: reads arrive at fixed rates, each get's latency is the device time it spent
 * (the ticker's delta across the call), and maintenance runs every {@link Config#maintenanceInterval()}.
 */
public final class ThunderingHerd {

    private ThunderingHerd() {}

    /**
     * @param keys                keys in the catalogue, loaded first (at {@code steadyPerSecond})
     * @param valueBytes          each value's size
     * @param steadyReads         reads of uniformly random catalogue keys in the steady phase
     * @param steadyPerSecond     their rate
     * @param burstReads          reads of the sale key(s) in the burst (1M in the figure run)
     * @param burstPerSecond      their rate
     * @param saleKeys            how many cold keys the sale covers (the episode's flash sale: 1), read in turn
     * @param device              the fast tier's device
     * @param maintenanceInterval how often maintenance runs, in simulated time
     * @param seed                the seed of the steady phase's key choice
     */
    public record Config(
            int keys,
            int valueBytes,
            int steadyReads,
            double steadyPerSecond,
            int burstReads,
            double burstPerSecond,
            int saleKeys,
            DeviceModel device,
            Duration maintenanceInterval,
            long seed) {

        public Config {
            checkArgument(
                    keys >= 1 && saleKeys >= 1 && saleKeys <= keys,
                    "need 1 <= saleKeys (%s) <= keys (%s)",
                    saleKeys,
                    keys);
            checkArgument(
                    steadyReads >= 1 && burstReads >= 1, "both phases need reads: %s, %s", steadyReads, burstReads);
            checkArgument(steadyPerSecond > 0 && burstPerSecond > 0, "rates must be positive");
        }

        /** The figure run's size: 100,000 keys, 100,000 steady reads at 2,000/s, a million burst reads at 50,000/s. */
        public static Config figure() {
            return new Config(
                    100_000, 100, 100_000, 2_000, 1_000_000, 50_000, 1, DeviceModel.nvme(), Duration.ofMillis(100), 7);
        }

        /** A test's size: {@code keys} keys, as many steady reads, {@code burstReads} burst reads. */
        public static Config small(int keys, int burstReads) {
            return new Config(
                    keys, 100, keys, 2_000, burstReads, 50_000, 1, DeviceModel.nvme(), Duration.ofMillis(100), 7);
        }

        public Config withSaleKeys(int n) {
            return new Config(
                    keys,
                    valueBytes,
                    steadyReads,
                    steadyPerSecond,
                    burstReads,
                    burstPerSecond,
                    n,
                    device,
                    maintenanceInterval,
                    seed);
        }

        public Config withDevice(DeviceModel d) {
            return new Config(
                    keys,
                    valueBytes,
                    steadyReads,
                    steadyPerSecond,
                    burstReads,
                    burstPerSecond,
                    saleKeys,
                    d,
                    maintenanceInterval,
                    seed);
        }
    }

    /**
     * What the run measured (latencies in nanoseconds of simulated time).
     *
     * @param migrationsInBurst       keys moved between the burst's first read and its last
     * @param inlineMigrationsInBurst of those, the ones done on the request path (not in maintenance)
     * @param burstNanos              how long the burst lasted
     * @param steadyP50               the steady phase's median get
     * @param steadyP99               its 99th percentile
     * @param burstP50                the burst's median get
     * @param burstP99                its 99th percentile
     * @param burstMax                its slowest get
     * @param stats                   the store's counters after the burst
     * @param errors                  operations that failed
     * @param firstError              the first failure, or "none"
     */
    public record Result(
            Config config,
            long migrationsInBurst,
            long inlineMigrationsInBurst,
            long burstNanos,
            long steadyP50,
            long steadyP99,
            long burstP50,
            long burstP99,
            long burstMax,
            HybridStats stats,
            long errors,
            String firstError) {

        /** Burst p99 over steady p99 (the hardened engine keeps it at most 2). */
        public double p99Ratio() {
            return steadyP99 == 0 ? (burstP99 == 0 ? 1 : Double.POSITIVE_INFINITY) : (double) burstP99 / steadyP99;
        }

        @Override
        public String toString() {
            return String.format(
                    "herd: %d migrations in the %.1f s burst (%d inline), get p99 steady %.1f us, burst %.1f us"
                            + " (x%.2f), burst max %.1f us, errors %d",
                    migrationsInBurst,
                    burstNanos / 1e9,
                    inlineMigrationsInBurst,
                    steadyP99 / 1e3,
                    burstP99 / 1e3,
                    p99Ratio(),
                    burstMax / 1e3,
                    errors);
        }
    }

    /** The sale keys are the catalogue's keys 0, stride, 2*stride, ...: cold, spread over the key space. */
    static Bytes saleKey(Config c, int i) {
        return ScenarioData.key("item", (long) i * (c.keys() / c.saleKeys()));
    }

    /** Runs the scenario on a store {@code factory} opens. */
    public static Result run(StoreFactory factory, SimClock clock, Config c) throws IOException {
        try (Rig rig = Rig.open(factory, clock, c.device(), c.maintenanceInterval(), false)) {
            return run(rig, c);
        }
    }

    /** Runs the scenario on {@code rig}'s store (with its model check, if it keeps one). */
    public static Result run(Rig rig, Config c) throws IOException {
        SimClock clock = rig.clock();
        long gap = ScenarioData.gap(c.steadyPerSecond());
        long t = clock.now();
        for (int i = 0; i < c.keys(); i++) {
            rig.advanceTo(t += gap);
            rig.put(ScenarioData.key("item", i), ScenarioData.value(i, 0, c.valueBytes()));
        }
        SplittableRandom rng = new SplittableRandom(c.seed());
        Latencies steady = new Latencies();
        rig.recordGetsInto(steady);
        for (int i = 0; i < c.steadyReads(); i++) {
            rig.advanceTo(t += gap);
            rig.get(ScenarioData.key("item", rng.nextInt(c.keys())));
        }
        Latencies burst = new Latencies();
        rig.recordGetsInto(burst);
        long burstGap = ScenarioData.gap(c.burstPerSecond());
        t = Math.max(t, clock.now());
        long migrations0 = rig.stats().migrations();
        long maintained0 = rig.maintenanceMigrations();
        long start = t;
        for (int i = 0; i < c.burstReads(); i++) {
            rig.advanceTo(t += burstGap);
            rig.get(saleKey(c, i % c.saleKeys()));
        }
        long end = Math.max(t, clock.now());
        HybridStats stats = rig.stats();
        long moved = stats.migrations() - migrations0;
        long inline = moved - (rig.maintenanceMigrations() - maintained0);
        rig.recordGetsInto(new Latencies());
        return new Result(
                c,
                moved,
                inline,
                end - start,
                steady.percentile(50),
                steady.percentile(99),
                burst.percentile(50),
                burst.percentile(99),
                burst.max(),
                stats,
                rig.errors(),
                rig.errorSummary());
    }
}
