package dev.storagelab.hybrid.scenario;

import static com.google.common.base.Preconditions.checkArgument;

import dev.storagelab.hybrid.HybridStats;
import dev.storagelab.hybrid.tier.DeviceModel;
import java.io.IOException;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * Failure mode 3, the memory blowup: a million warm keys (each written once, then read a few times,
 * none hot) beside a small hot set (1%, updated often). The simple engine's counter map holds an
 * entry per key ever seen, so its tracker grows with the key space; a hardened tracker's memory is
 * fixed by its width. Measured at the end, on a quiesced store (after {@code sync()} and a round of
 * maintenance): the tracker's memory, the keys held in two engines at once (its largest reading at
 * any maintenance tick too), and the space amplification: bytes in every file of the store over the
 * live keys' and values' bytes.
 */
public final class MemoryBlowup {

    private MemoryBlowup() {}

    /**
     * @param keys                warm keys (1M in the figure run)
     * @param valueBytes          each value's size
     * @param readsPerKey         reads of each warm key, in rounds over all keys in random order
     * @param hotFraction         the share of keys that are also hot
     * @param writesPerHotKey     writes of each hot key, spread over the reads
     * @param opsPerSecond        the operations' rate
     * @param device              the fast tier's device
     * @param maintenanceInterval how often maintenance runs
     * @param seed                the seed of the orders
     */
    public record Config(
            int keys,
            int valueBytes,
            int readsPerKey,
            double hotFraction,
            int writesPerHotKey,
            double opsPerSecond,
            DeviceModel device,
            Duration maintenanceInterval,
            long seed) {

        public Config {
            checkArgument(
                    keys >= 1 && valueBytes >= 16,
                    "need keys and values of at least 16 bytes: %s, %s",
                    keys,
                    valueBytes);
            checkArgument(hotFraction >= 0 && hotFraction <= 1, "hotFraction must be within [0, 1]: %s", hotFraction);
            checkArgument(
                    readsPerKey >= 0 && writesPerHotKey >= 0 && opsPerSecond > 0,
                    "counts and rate must be non-negative");
        }

        /** The figure run: a million keys of 100 bytes, read twice each, 1% of them written 150 times. */
        public static Config figure() {
            return new Config(1_000_000, 100, 2, 0.01, 150, 20_000, DeviceModel.nvme(), Duration.ofMillis(100), 3);
        }

        /** A test's size: {@code keys} keys of 100 bytes, read twice each, 1% of them written 200 times. */
        public static Config small(int keys) {
            return new Config(keys, 100, 2, 0.01, 200, 20_000, DeviceModel.nvme(), Duration.ofMillis(100), 3);
        }

        public Config withKeys(int n) {
            return new Config(
                    n,
                    valueBytes,
                    readsPerKey,
                    hotFraction,
                    writesPerHotKey,
                    opsPerSecond,
                    device,
                    maintenanceInterval,
                    seed);
        }
    }

    /**
     * @param trackerBytes       the tracker's memory at the end
     * @param maxDuplicateKeys   the most keys held in two engines at once, after any maintenance run and at the end
     * @param storedBytes        bytes in every file of the store at the end
     * @param liveBytes          bytes of the live keys and values
     * @param stats              the store's counters at the end
     */
    public record Result(
            Config config,
            long trackerBytes,
            long maxDuplicateKeys,
            long storedBytes,
            long liveBytes,
            HybridStats stats,
            long errors,
            String firstError) {

        public double trackerBytesPerKey() {
            return (double) trackerBytes / config.keys();
        }

        /** Keys in two engines at once, the most seen, over the number of keys. */
        public double duplicateFraction() {
            return (double) maxDuplicateKeys / config.keys();
        }

        /** Bytes stored over live bytes. */
        public double spaceAmplification() {
            return liveBytes == 0 ? 0 : (double) storedBytes / liveBytes;
        }

        @Override
        public String toString() {
            return String.format(
                    "memory: %,d keys, tracker %,d bytes (%.1f per key), at most %d keys in two engines"
                            + " (%.2f%%), %,d bytes stored for %,d live (space amplification %.2f), %d hot keys, errors %d",
                    config.keys(),
                    trackerBytes,
                    trackerBytesPerKey(),
                    maxDuplicateKeys,
                    100 * duplicateFraction(),
                    storedBytes,
                    liveBytes,
                    spaceAmplification(),
                    stats.hotKeys(),
                    errors);
        }
    }

    public static Result run(StoreFactory factory, SimClock clock, Config c) throws IOException {
        try (Rig rig = Rig.open(factory, clock, c.device(), c.maintenanceInterval(), false)) {
            return run(rig, c);
        }
    }

    /** Runs the scenario on {@code rig}'s store. */
    public static Result run(Rig rig, Config c) throws IOException {
        SimClock clock = rig.clock();
        SplittableRandom rng = new SplittableRandom(c.seed());
        long gap = ScenarioData.gap(c.opsPerSecond());
        long t = clock.now();
        int[] order = permutation(c.keys(), rng);
        for (int i : order) {
            rig.advanceTo(t += gap);
            rig.put(ScenarioData.key("warm", i), ScenarioData.value(i, 0, c.valueBytes()));
        }
        int hot = (int) Math.round(c.keys() * c.hotFraction());
        long hotWrites = (long) hot * c.writesPerHotKey();
        long reads = (long) c.keys() * c.readsPerKey();
        // the hot writes are spread evenly over the reads: one every readsPerHotWrite reads
        double readsPerHotWrite = hotWrites == 0 ? Double.POSITIVE_INFINITY : (double) reads / hotWrites;
        long[] version = new long[Math.max(1, hot)];
        long maxDuplicates;
        long written = 0;
        long done = 0;
        for (int round = 0; round < c.readsPerKey(); round++) {
            order = permutation(c.keys(), rng);
            for (int i : order) {
                rig.advanceTo(t += gap);
                rig.get(ScenarioData.key("warm", i));
                done++;
                while (written < hotWrites && written < done / readsPerHotWrite) {
                    int k = (int) (written % hot);
                    rig.advanceTo(t += gap);
                    rig.put(
                            ScenarioData.key("warm", k * (c.keys() / hot)),
                            ScenarioData.value(k * (c.keys() / hot), ++version[k], c.valueBytes()));
                    written++;
                }
            }
        }
        rig.store().sync();
        rig.maintain();
        HybridStats stats = rig.stats();
        maxDuplicates = Math.max(rig.maxDuplicateKeys(), stats.duplicateKeys());
        long live = (long) c.keys() * (ScenarioData.keyBytes("warm") + c.valueBytes());
        return new Result(
                c,
                stats.trackerBytes(),
                maxDuplicates,
                rig.storedBytes(),
                live,
                stats,
                rig.errors(),
                rig.errorSummary());
    }

    private static int[] permutation(int n, SplittableRandom rng) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int x = a[i];
            a[i] = a[j];
            a[j] = x;
        }
        return a;
    }
}
