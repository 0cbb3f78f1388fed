package dev.storagelab.hybrid.scenario;

import static com.google.common.base.Preconditions.checkArgument;

import dev.storagelab.hybrid.HybridStats;
import dev.storagelab.hybrid.Placement;
import dev.storagelab.hybrid.cost.AccessStats;
import dev.storagelab.hybrid.tier.DeviceModel;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Failure mode 4, the cost-model blindspot: the same access counts on keys that differ in one thing
 * the counts do not show: value size (100 bytes against 1 MiB), access pattern (keys visited in key
 * order against a random order) or device (an NVMe SSD against a spinning disk). Each case runs on
 * a fresh store; its placement is where the store routed the case's keys at the end
 * ({@link HybridStats#hotKeys()} out of {@link Case#keys()}). The simple engine's thresholds count
 * accesses only, so each pair gets the same placement; a cost model weighs each difference.
 */
public final class CostBlindspot {

    private CostBlindspot() {
    }

    /**
     * What each case's keys get, per round; a case runs {@code rounds} rounds, evenly over {@code duration}.
     *
     * @param readsPerRound  point reads of each key per round
     * @param writesPerRound writes (a new value) of each key per round
     * @param rounds         rounds
     * @param duration       simulated time the rounds take
     */
    public record Mix(int readsPerRound, int writesPerRound, int rounds, Duration duration) {

        public Mix {
            checkArgument(readsPerRound >= 0 && writesPerRound >= 0 && readsPerRound + writesPerRound > 0,
                    "a mix needs reads or writes: %s, %s", readsPerRound, writesPerRound);
            checkArgument(rounds >= 1, "rounds must be at least 1: %s", rounds);
            Objects.requireNonNull(duration, "duration");
        }

        public long reads() {
            return (long) readsPerRound * rounds;
        }

        public long writes() {
            return (long) writesPerRound * rounds;
        }

        /** What a tracker that saw the whole run would report for one key: the cost model's input. */
        public AccessStats stats(int valueBytes, boolean sequential) {
            return new AccessStats(reads(), writes(), 0, valueBytes, sequential ? 1 : 0);
        }
    }

    /**
     * One case.
     *
     * @param name       what the report calls it
     * @param device     the fast tier's device (the factory picks the matching cost profile)
     * @param valueBytes each value's size
     * @param sequential whether each round visits the keys in key order (else in a new random order)
     * @param keys       how many keys follow the mix
     * @param mix        what each key gets
     */
    public record Case(String name, DeviceModel device, int valueBytes, boolean sequential, int keys, Mix mix) {

        public Case {
            checkArgument(keys >= 1 && valueBytes >= 16, "need keys and values of at least 16 bytes: %s, %s", keys, valueBytes);
        }

        public AccessStats stats() {
            return mix.stats(valueBytes, sequential);
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
            return String.format("%s: %s (%d of %d keys hot, %d migrations)%s", scenario.name(), placement(), hotKeys,
                    scenario.keys(), migrations, errors == 0 ? "" : ", " + errors + " failed operations: " + firstError);
        }
    }

    /** The three pairs of the issue for one mix each: value size, access pattern, device. */
    public static List<Case> standardCases(Mix sizeMix, Mix patternMix, Mix deviceMix, int keys) {
        DeviceModel ssd = DeviceModel.nvme();
        return List.of(
                new Case("100 B values", ssd, 100, false, keys, sizeMix),
                new Case("1 MiB values", ssd, 1 << 20, false, keys, sizeMix),
                new Case("random order", ssd, 100, false, keys, patternMix),
                new Case("key order", ssd, 100, true, keys, patternMix),
                new Case("SSD (nvme)", ssd, 100, false, keys, deviceMix),
                new Case("HDD", DeviceModel.hdd(), 100, false, keys, deviceMix));
    }

    /**
     * The mix every standard pair uses unless told otherwise: 1,200 reads and 120 writes of each key
     * in 30 simulated minutes, over both of the simple engine's thresholds in its hour.
     */
    public static Mix defaultMix() {
        return new Mix(40, 4, 30, Duration.ofMinutes(30));
    }

    /** Runs each case on a fresh store from {@code factory}, each on a fresh clock from {@code clocks}. */
    public static List<Outcome> run(StoreFactory factory, java.util.function.Supplier<SimClock> clocks, List<Case> cases,
                                    Duration maintenanceInterval) throws IOException {
        List<Outcome> out = new ArrayList<>();
        for (Case c : cases) {
            out.add(run(factory, clocks.get(), c, maintenanceInterval));
        }
        return out;
    }

    /** Runs one case. */
    public static Outcome run(StoreFactory factory, SimClock clock, Case c, Duration maintenanceInterval) throws IOException {
        try (Rig rig = Rig.open(factory, clock, c.device(), maintenanceInterval, false)) {
            return run(rig, c);
        }
    }

    /** Runs one case on {@code rig}'s store. */
    public static Outcome run(Rig rig, Case c) throws IOException {
        SimClock clock = rig.clock();
        Mix mix = c.mix();
        for (int k = 0; k < c.keys(); k++) {
            rig.put(ScenarioData.key("case", k), ScenarioData.value(k, 0, c.valueBytes()));
        }
        SplittableRandom rng = new SplittableRandom(c.name().hashCode());
        long opsPerRound = (long) c.keys() * (mix.readsPerRound() + mix.writesPerRound());
        long gap = Math.max(1, mix.duration().toNanos() / (mix.rounds() * opsPerRound));
        long t = clock.now();
        long[] version = new long[c.keys()];
        int[] order = new int[c.keys()];
        for (int round = 0; round < mix.rounds(); round++) {
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            if (!c.sequential()) {
                for (int i = order.length - 1; i > 0; i--) {
                    int j = rng.nextInt(i + 1);
                    int x = order[i];
                    order[i] = order[j];
                    order[j] = x;
                }
            }
            // each key's accesses of the round, writes spread among its reads; keys in the round's order
            for (int k : order) {
                int ops = mix.readsPerRound() + mix.writesPerRound();
                for (int j = 0; j < ops; j++) {
                    rig.advanceTo(t += gap);
                    boolean write = (long) (j + 1) * mix.writesPerRound() / ops > (long) j * mix.writesPerRound() / ops;
                    if (write) {
                        rig.put(ScenarioData.key("case", k), ScenarioData.value(k, ++version[k], c.valueBytes()));
                    } else {
                        rig.get(ScenarioData.key("case", k));
                    }
                    t = Math.max(t, clock.now());
                }
            }
        }
        // time for the moves the run asked for: maintenance over a few more intervals, no accesses
        rig.advanceTo(clock.now() + Duration.ofSeconds(10).toNanos());
        HybridStats stats = rig.stats();
        return new Outcome(c, stats.hotKeys(), stats.migrations(), rig.errors(), rig.errorSummary());
    }
}
