package dev.storagelab.hybrid.scenario;

import static com.google.common.base.Preconditions.checkArgument;

import dev.storagelab.hybrid.HybridStats;
import dev.storagelab.hybrid.Placement;
import dev.storagelab.hybrid.cost.AccessStats;
import dev.storagelab.hybrid.tier.DeviceModel;
import dev.storagelab.kv.Bytes;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Failure mode 4, the cost-model blindspot: the same access counts on keys that differ in one thing
 * the counts do not show: value size (100 bytes against 1 MiB), access pattern (each read a range
 * scan that starts at the key, sequential, against a point get, random) or device (an NVMe SSD
 * against a spinning disk). Each case runs on a fresh store; its placement is where the store
 * routed the case's keys at the end ({@link HybridStats#hotKeys()} out of {@link Case#keys()}).
 * The simple engine's thresholds count point accesses only, so each pair gets the same placement;
 * a cost model weighs each difference.
 */
public final class CostBlindspot {

    private CostBlindspot() {}

    /**
     * What each of a case's keys gets over the run, after the write that loads it: {@code reads}
     * reads and {@code writes} writes (a new value), spread evenly over {@code duration}, the
     * writes evenly among the reads.
     *
     * @param scanLength entries each read of a sequential case scans, from the key on (its neighbours
     *                   are loaded too, in both cases of a pair, so both stores hold the same data)
     */
    public record Mix(int reads, int writes, int scanLength, Duration duration) {

        public Mix {
            checkArgument(
                    reads >= 0 && writes >= 0 && reads + writes > 0,
                    "a mix needs reads or writes: %s, %s",
                    reads,
                    writes);
            checkArgument(scanLength >= 1, "scanLength must be at least 1: %s", scanLength);
            checkArgument(
                    duration != null && !duration.isNegative() && !duration.isZero(), "duration must be positive");
        }
    }

    /**
     * One case.
     *
     * @param name       what the report calls it
     * @param device     the fast tier's device (the factory picks the matching cost model)
     * @param valueBytes each value's size
     * @param sequential whether each read is a scan of {@link Mix#scanLength()} entries from the key (else a get)
     * @param keys       how many keys follow the mix
     * @param mix        what each key gets
     */
    public record Case(String name, DeviceModel device, int valueBytes, boolean sequential, int keys, Mix mix) {

        public Case {
            checkArgument(
                    keys >= 1 && valueBytes >= 16,
                    "need keys and values of at least 16 bytes: %s, %s",
                    keys,
                    valueBytes);
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(mix, "mix");
        }

        /** What a tracker that saw a {@code fraction} of the run would report for one key (the load's write included). */
        public AccessStats stats(double fraction) {
            double reads = mix.reads() * fraction;
            return new AccessStats(
                    sequential ? 0 : reads,
                    1 + mix.writes() * fraction,
                    sequential ? reads * mix.scanLength() : 0,
                    valueBytes,
                    0);
        }

        /** {@link #stats(double)} of the whole run: what the cost model is asked about at the end. */
        public AccessStats stats() {
            return stats(1);
        }
    }

    /**
     * A case's outcome.
     *
     * @param hotKeys    keys routed to the B+tree at the end
     * @param migrations moves over the run
     * @param errors     operations that failed (the simple engine putting a 1 MiB value in the B+tree)
     */
    public record Outcome(Case scenario, long hotKeys, long migrations, long errors, String firstError) {

        /** The majority's placement: HOT if at least half the keys are in the B+tree. */
        public Placement placement() {
            return 2 * hotKeys >= scenario.keys() ? Placement.HOT : Placement.COLD;
        }

        @Override
        public String toString() {
            return String.format(
                    "%s: %s (%d of %d keys hot, %d migrations)%s",
                    scenario.name(),
                    placement(),
                    hotKeys,
                    scenario.keys(),
                    migrations,
                    errors == 0 ? "" : ", " + errors + " failed operations: " + firstError);
        }
    }

    /** The episode's three pairs, a mix each: value size, access pattern, device. */
    public static List<Case> standardCases(Mix sizeMix, Mix patternMix, Mix deviceMix, int keys) {
        DeviceModel ssd = DeviceModel.nvme();
        return List.of(
                new Case("100 B values", ssd, 100, false, keys, sizeMix),
                new Case("1 MiB values", ssd, 1 << 20, false, keys, sizeMix),
                new Case("point gets (random)", ssd, 100, false, keys, patternMix),
                new Case("range scans (sequential)", ssd, 100, true, keys, patternMix),
                new Case("SSD (nvme)", ssd, 100, false, keys, deviceMix),
                new Case("HDD", DeviceModel.hdd(), 100, false, keys, deviceMix));
    }

    /**
     * The mix of the figure's table: 1,200 reads and 120 writes of each key in 30 simulated minutes
     * (over both of the simple engine's thresholds in its hour), scans of 100 entries.
     */
    public static Mix defaultMix() {
        return new Mix(1_200, 120, 100, Duration.ofMinutes(30));
    }

    /** Runs each case on a fresh store from {@code factory}, each on a fresh clock from {@code clocks}. */
    public static List<Outcome> run(
            StoreFactory factory, Supplier<SimClock> clocks, List<Case> cases, Duration maintenanceInterval)
            throws IOException {
        List<Outcome> out = new ArrayList<>();
        for (Case c : cases) {
            out.add(run(factory, clocks.get(), c, maintenanceInterval));
        }
        return out;
    }

    /** Runs one case. */
    public static Outcome run(StoreFactory factory, SimClock clock, Case c, Duration maintenanceInterval)
            throws IOException {
        try (Rig rig = Rig.open(factory, clock, c.device(), maintenanceInterval, false)) {
            return run(rig, c);
        }
    }

    /** The case's {@code k}-th key. */
    static Bytes key(int k) {
        return ScenarioData.key("case", k);
    }

    /** The {@code j}-th neighbour of key {@code k} (sorts after it, before key {@code k + 1}). */
    static Bytes neighbour(int k, int j) {
        return Bytes.of(key(k).toUtf8() + String.format("/%04d", j));
    }

    /** Runs one case on {@code rig}'s store. */
    public static Outcome run(Rig rig, Case c) throws IOException {
        SimClock clock = rig.clock();
        Mix mix = c.mix();
        int neighbourSize = Math.min(c.valueBytes(), 100);
        for (int k = 0; k < c.keys(); k++) {
            rig.put(key(k), ScenarioData.value(k, 0, c.valueBytes()));
            for (int j = 1; j < mix.scanLength(); j++) {
                rig.put(neighbour(k, j), ScenarioData.value(k * 10_000L + j, 0, neighbourSize));
            }
        }
        int steps = mix.reads() + mix.writes();
        long gap = Math.max(1, mix.duration().toNanos() / ((long) steps * c.keys()));
        long t = clock.now();
        long[] version = new long[c.keys()];
        for (int j = 0; j < steps; j++) {
            // step j of every key: a write if the writes' even spread puts one here, else a read
            boolean write = (long) (j + 1) * mix.writes() / steps > (long) j * mix.writes() / steps;
            for (int k = 0; k < c.keys(); k++) {
                rig.advanceTo(t += gap);
                if (write) {
                    rig.put(key(k), ScenarioData.value(k, ++version[k], c.valueBytes()));
                } else if (c.sequential()) {
                    rig.scan(key(k), mix.scanLength());
                } else {
                    rig.get(key(k));
                }
                t = Math.max(t, clock.now());
            }
        }
        // time for the moves the run asked for: maintenance for a few more seconds, no accesses
        rig.advanceTo(clock.now() + Duration.ofSeconds(10).toNanos());
        HybridStats stats = rig.stats();
        return new Outcome(c, stats.hotKeys(), stats.migrations(), rig.errors(), rig.errorSummary());
    }
}
