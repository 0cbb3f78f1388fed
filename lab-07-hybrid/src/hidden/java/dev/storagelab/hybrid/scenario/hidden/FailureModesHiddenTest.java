package dev.storagelab.hybrid.scenario.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import com.google.common.testing.FakeTicker;
import dev.storagelab.hybrid.HybridOptions;
import dev.storagelab.hybrid.Placement;
import dev.storagelab.hybrid.cost.AccessStats;
import dev.storagelab.hybrid.cost.PlacementCost;
import dev.storagelab.hybrid.scenario.CostBlindspot;
import dev.storagelab.hybrid.scenario.FailureModes;
import dev.storagelab.hybrid.scenario.MemoryBlowup;
import dev.storagelab.hybrid.scenario.Oscillation;
import dev.storagelab.hybrid.scenario.Rig;
import dev.storagelab.hybrid.scenario.SimClock;
import dev.storagelab.hybrid.scenario.StoreFactory;
import dev.storagelab.hybrid.scenario.ThunderingHerd;
import dev.storagelab.hybrid.tier.DeviceModel;
import dev.storagelab.lab.Graded;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of the four failure modes on the hardened {@code HybridStore} (T1, T2, T5, T6
 * together): the same scenarios the public tests show failing on the simple engine, with the
 * scenario's bounds. Sizes are scaled down to run in seconds (a burst of 40,000 reads instead of a
 * million, 1,500 to 6,000 warm keys instead of a million); {@code FailureModes} runs the full
 * sizes for the notes. The store runs with {@link FailureModes#hardenedOptions()}.
 */
@Tag("hidden")
class FailureModesHiddenTest {

    static SimClock fakeClock() {
        FakeTicker ticker = new FakeTicker();
        return new SimClock(ticker, ticker::advance);
    }

    private static final HybridOptions OPTIONS = FailureModes.hardenedOptions();
    private static final StoreFactory HARDENED = StoreFactory.hardened(OPTIONS);

    // ---------------------------------------------------------------- 1. the thundering herd

    @Test
    @Graded(
            task = "T5",
            points = 4,
            concept = "thundering herd: a flash sale on many cold keys moves more keys than the migration "
                    + "token bucket allows (burst plus rate times the burst's duration)")
    void herdMigrationsStayWithinTheTokenBudget() throws IOException {
        HybridOptions tight = OPTIONS.toBuilder().migrationBudget(10, 5).build();
        // 30 keys read about 1,300 times each in under a second: every one worth moving
        ThunderingHerd.Config c = ThunderingHerd.Config.small(5_000, 40_000).withSaleKeys(30);
        ThunderingHerd.Result r = ThunderingHerd.run(StoreFactory.hardened(tight), fakeClock(), c);
        assertThat(r.toString(), r.errors(), equalTo(0L));
        double seconds = (r.burstNanos() + c.maintenanceInterval().toNanos()) / 1e9;
        long budget = tight.migrationBurst() + (long) Math.ceil(tight.migrationsPerSecond() * seconds);
        assertThat(
                "moves in the burst, against the budget of " + budget + ": " + r,
                r.migrationsInBurst(),
                lessThanOrEqualTo(budget));
    }

    @Test
    @Graded(
            task = "T5",
            points = 3,
            concept = "thundering herd: a get moves the key it reads on the request path instead of "
                    + "queueing the move for maintenance")
    void herdMovesHappenInMaintenanceNotOnTheRequestPath() throws IOException {
        ThunderingHerd.Result r = ThunderingHerd.run(
                HARDENED,
                fakeClock(),
                ThunderingHerd.Config.small(5_000, 40_000).withSaleKeys(20));
        assertThat(r.toString(), r.errors(), equalTo(0L));
        assertThat("moves made by gets instead of maintenance: " + r, r.inlineMigrationsInBurst(), equalTo(0L));
    }

    @Test
    @Graded(
            task = "T5",
            points = 4,
            concept = "thundering herd: during a flash sale of one cold key the get p99 rises above twice "
                    + "the steady state's")
    void herdBurstP99StaysWithinTwiceTheSteadyP99() throws IOException {
        ThunderingHerd.Result r = ThunderingHerd.run(HARDENED, fakeClock(), ThunderingHerd.Config.small(5_000, 40_000));
        assertThat(r.toString(), r.errors(), equalTo(0L));
        assertThat(
                "the steady phase reads from the device (else the bound says nothing): " + r,
                r.steadyP99(),
                greaterThan(0L));
        assertThat(r.toString(), (double) r.burstP99(), lessThanOrEqualTo(2.0 * r.steadyP99()));
    }

    // ---------------------------------------------------------------- 2. oscillation

    @Test
    @Graded(
            task = "T5",
            points = 5,
            concept = "oscillation: a key hot 9:00-17:00 and cold otherwise moves more than once a day "
                    + "(hysteresis, minimum residency or payback missing)")
    void oscillationMovesEachKeyAtMostOnceADay() throws IOException {
        Oscillation.Config c = Oscillation.Config.small(3);
        Oscillation.Result r = Oscillation.run(HARDENED, fakeClock(), c);
        assertThat(r.toString(), r.errors(), equalTo(0L));
        assertThat(
                "moves per day, at most one per key: " + r,
                Arrays.stream(r.migrationsPerDay()).boxed().collect(Collectors.toList()),
                everyItem(lessThanOrEqualTo((long) c.hotKeys())));
    }

    @Test
    @Graded(
            task = "T5",
            points = 2,
            concept = "oscillation: the hardened store writes more bytes per user byte over the week than "
                    + "the simple engine that moves the keys back and forth")
    void oscillationWritesLessThanTheSimpleEngine() throws IOException {
        Oscillation.Config c = Oscillation.Config.small(3);
        Oscillation.Result hardened = Oscillation.run(HARDENED, fakeClock(), c);
        Oscillation.Result simple = Oscillation.run(StoreFactory.simple(FailureModes.simpleKnobs()), fakeClock(), c);
        assertThat(hardened.toString(), hardened.errors(), equalTo(0L));
        assertThat(
                hardened + " / " + simple,
                hardened.weekWriteAmplification(),
                lessThan(simple.weekWriteAmplification()));
    }

    // ---------------------------------------------------------------- 3. the memory blowup

    /** 16 MiB: far below the simple engine's counter map at a million keys (over 100 MB), and fixed. */
    static final long TRACKER_BOUND = 16L << 20;

    @Test
    @Graded(
            task = "T2",
            points = 4,
            concept = "memory blowup: the access tracker's memory grows with the number of keys (a counter "
                    + "per key) instead of staying under a fixed bound")
    void memoryTheTrackerStaysUnderAFixedBoundWhateverTheKeys() throws IOException {
        MemoryBlowup.Result small = MemoryBlowup.run(HARDENED, fakeClock(), MemoryBlowup.Config.small(1_500));
        MemoryBlowup.Result large = MemoryBlowup.run(HARDENED, fakeClock(), MemoryBlowup.Config.small(6_000));
        assertThat(large.toString(), large.errors(), equalTo(0L));
        assertThat(
                "four times the keys, the same tracker: " + small + " / " + large,
                large.trackerBytes(),
                lessThanOrEqualTo(small.trackerBytes() + 4096));
        assertThat(large.toString(), large.trackerBytes(), lessThanOrEqualTo(TRACKER_BOUND));
        assertThat("the tracker reports its memory: " + large, large.trackerBytes(), greaterThan(0L));
    }

    @Test
    @Graded(
            task = "T6",
            points = 3,
            concept = "memory blowup: 5% or more of the keys are held in both engines at once (deferred "
                    + "deletes never applied, or moves left half done)")
    void memoryFewerThanFivePercentOfTheKeysAreInTwoEngines() throws IOException {
        // 20,000 keys (2.3 MB): the log kept between checkpoints (at most the 256 KiB interval plus a
        // 64 KiB segment) is a fixed cost; below ~10,000 keys it alone passes the 1.3 bound, which is
        // about a million keys (1.08 measured there, notes/data/lab07/failure-modes.md)
        MemoryBlowup.Result r = MemoryBlowup.run(HARDENED, fakeClock(), MemoryBlowup.Config.small(20_000));
        assertThat(r.toString(), r.errors(), equalTo(0L));
        assertThat(
                "the hot keys moved (else nothing could be in two engines): " + r,
                r.stats().migrations(),
                greaterThan(0L));
        assertThat(r.toString(), r.duplicateFraction(), lessThan(0.05));
    }

    @Test
    @Graded(
            task = "T6",
            points = 3,
            concept = "memory blowup: the whole store (log, both engines, routing table, archive) takes "
                    + "more than 1.3 times the bytes of its live keys and values")
    void memorySpaceAmplificationIsAtMostOnePointThree() throws IOException {
        // 20,000 keys (2.3 MB): the log kept between checkpoints (at most the 256 KiB interval plus a
        // 64 KiB segment) is a fixed cost; below ~10,000 keys it alone passes the 1.3 bound, which is
        // about a million keys (1.08 measured there, notes/data/lab07/failure-modes.md)
        MemoryBlowup.Result r = MemoryBlowup.run(HARDENED, fakeClock(), MemoryBlowup.Config.small(20_000));
        assertThat(r.toString(), r.errors(), equalTo(0L));
        assertThat(r.toString(), r.spaceAmplification(), lessThanOrEqualTo(1.3));
    }

    // ---------------------------------------------------------------- 4. the cost-model blindspot

    /** The mixes a pair is tried with, until one the cost model separates clearly: counts per key over the run. */
    static final int[][] MIXES = {
        {10, 2}, {10, 5}, {5, 5}, {1, 0}, {2, 0}, {1, 1}, {2, 1}, {5, 1}, {20, 20}, {50, 100}, {10, 50}, {100, 10},
        {1, 5}
    };

    static final int[] SCAN_LENGTHS = {100, 1, 10};

    /**
     * Where the router puts one of the case's keys by the end, per the cost model, or null if the
     * case comes within 20% of one of the router's thresholds (too close to call). The key starts
     * COLD; after each access (the load's write, then the mix's reads and writes in the order the
     * scenario makes them) the router moves it if the other engine's cost is below
     * {@code (1 - hysteresis)} times the current one and the saving repays the move (one read on the
     * current engine, one write on the other) within {@code paybackWindows}. A case runs 10 minutes,
     * less than the minimum residency, so a key moved to the B+tree stays there.
     */
    static Placement expected(PlacementCost model, CostBlindspot.Case c, HybridOptions options) {
        CostBlindspot.Mix mix = c.mix();
        int steps = mix.reads() + mix.writes();
        double reads = 0;
        double writes = 1;
        boolean close = false;
        for (int j = -1; j < steps; j++) {
            if (j >= 0) {
                boolean write = (long) (j + 1) * mix.writes() / steps > (long) j * mix.writes() / steps;
                if (write) {
                    writes++;
                } else {
                    reads++;
                }
            }
            AccessStats s = new AccessStats(
                    c.sequential() ? 0 : reads,
                    writes,
                    c.sequential() ? reads * mix.scanLength() : 0,
                    c.valueBytes(),
                    0);
            double stay = model.total(Placement.COLD, s);
            double move = model.total(Placement.HOT, s);
            double moveCost = model.total(Placement.COLD, AccessStats.of(1, 0, c.valueBytes()))
                    + model.total(Placement.HOT, AccessStats.of(0, 1, c.valueBytes()));
            double cheaper = move / (stay * (1 - options.hysteresis())); // < 1: cheaper enough
            double repays = (stay - move) * options.paybackWindows() / moveCost; // >= 1: repays the move
            if (cheaper < 0.8 && repays >= 1.25) {
                return Placement.HOT; // once moved, it stays: the run is shorter than the minimum residency
            }
            close |= cheaper < 1.25 && repays >= 0.8;
        }
        return close ? null : Placement.COLD;
    }

    /**
     * Runs the pair {@code a}, {@code b} (built by {@code pair} for a mix) with the first mix whose
     * expected placements differ; fails if the cost model ranks both the same under every mix.
     */
    static void checkPair(String dimension, java.util.function.Function<CostBlindspot.Mix, CostBlindspot.Case[]> pair)
            throws IOException {
        List<String> tried = new ArrayList<>();
        for (int scan : SCAN_LENGTHS) {
            for (int[] m : MIXES) {
                CostBlindspot.Mix mix = new CostBlindspot.Mix(m[0], m[1], scan, Duration.ofMinutes(10));
                CostBlindspot.Case[] cases = pair.apply(mix);
                Placement[] want = new Placement[2];
                for (int i = 0; i < 2; i++) {
                    want[i] = expected(FailureModes.costModelFor(cases[i].device()), cases[i], OPTIONS);
                }
                tried.add(Arrays.toString(m) + (scan > 1 ? " scans of " + scan : "") + ": " + want[0] + "/" + want[1]);
                if (want[0] == null || want[1] == null || want[0] == want[1]) {
                    continue;
                }
                for (int i = 0; i < 2; i++) {
                    CostBlindspot.Outcome o = CostBlindspot.run(
                            StoreFactory.hardenedPerDevice(FailureModes::hardenedOptions),
                            fakeClock(),
                            cases[i],
                            Duration.ofSeconds(1));
                    assertThat(o.toString(), o.errors(), equalTo(0L));
                    assertThat(
                            dimension + ": the cost model puts " + cases[i] + " on " + want[i] + ", the store: " + o,
                            o.placement(),
                            equalTo(want[i]));
                }
                return;
            }
        }
        throw new AssertionError("the cost model places both cases of the " + dimension + " pair alike under every mix"
                + " tried (reads, writes per key; expected HOT/COLD or null when too close to call): " + tried);
    }

    @Test
    @Graded(
            task = "T1",
            points = 3,
            concept = "cost-model blindspot: 100-byte and 1 MiB values with the same access counts get the "
                    + "same placement, or not the one the cost model says")
    void blindspotPlacementFollowsValueSize() throws IOException {
        checkPair("value size", mix -> new CostBlindspot.Case[] {
            new CostBlindspot.Case("100 B values", DeviceModel.nvme(), 100, false, 3, mix),
            new CostBlindspot.Case("1 MiB values", DeviceModel.nvme(), 1 << 20, false, 3, mix)
        });
    }

    @Test
    @Graded(
            task = "T1",
            points = 3,
            concept = "cost-model blindspot: keys read by range scans and keys read by point gets with the "
                    + "same counts get the same placement, or not the one the cost model says")
    void blindspotPlacementFollowsTheAccessPattern() throws IOException {
        checkPair("access pattern", mix -> new CostBlindspot.Case[] {
            new CostBlindspot.Case("point gets", DeviceModel.nvme(), 100, false, 3, mix),
            new CostBlindspot.Case("range scans", DeviceModel.nvme(), 100, true, 3, mix)
        });
    }

    @Test
    @Graded(
            task = "T1",
            points = 3,
            concept = "cost-model blindspot: the same keys on an SSD and on a spinning disk get the same "
                    + "placement, or not the one the device's cost model says")
    void blindspotPlacementFollowsTheDevice() throws IOException {
        checkPair("device", mix -> new CostBlindspot.Case[] {
            new CostBlindspot.Case("SSD", DeviceModel.nvme(), 100, false, 3, mix),
            new CostBlindspot.Case("HDD", DeviceModel.hdd(), 100, false, 3, mix)
        });
    }

    @Test
    @Graded(
            task = "T1",
            points = 3,
            concept = "cost-model blindspot: a value too large for a B+tree page (1 MiB) is routed to the "
                    + "B+tree because its counts say so, and the move fails: such a key must stay in the LSM tree")
    void blindspotAValueTheBPlusTreeCannotHoldStaysInTheLsmTree() throws IOException {
        // written 100 times and read 200 times in 10 minutes: on counts alone, the B+tree's in-place
        // writes beat rewriting a MiB at every LSM level, but the B+tree holds cells of a quarter page
        CostBlindspot.Case c = new CostBlindspot.Case(
                "1 MiB, written often",
                DeviceModel.nvme(),
                1 << 20,
                false,
                1,
                new CostBlindspot.Mix(200, 100, 1, Duration.ofMinutes(10)));
        CostBlindspot.Outcome o;
        try {
            o = CostBlindspot.run(
                    StoreFactory.hardenedPerDevice(FailureModes::hardenedOptions),
                    fakeClock(),
                    c,
                    Duration.ofSeconds(1));
        } catch (IllegalArgumentException e) {
            throw new AssertionError("maintenance failed moving a 1 MiB value: " + e.getMessage(), e);
        }
        assertThat(o.toString(), o.errors(), equalTo(0L));
        assertThat(o.toString(), o.placement(), equalTo(Placement.COLD));
    }

    // ---------------------------------------------------------------- the workloads, against a model

    @Test
    @Graded(
            task = "T6",
            points = 4,
            concept =
                    "under the failure-mode workloads (a flash sale, an office-hours week, a million-key "
                            + "style warm set) with migrations in between, a get or scan returns something other than the last write")
    void theScenarioWorkloadsLeaveTheStoreAsATreeMapSays() throws IOException {
        SimClock clock = fakeClock();
        try (Rig rig = Rig.open(HARDENED, clock, DeviceModel.nvme(), Duration.ofMillis(100), true)) {
            ThunderingHerd.Result herd = ThunderingHerd.run(
                    rig, ThunderingHerd.Config.small(2_000, 5_000).withSaleKeys(5));
            MemoryBlowup.Result mem = MemoryBlowup.run(rig, MemoryBlowup.Config.small(2_000));
            assertThat(rig.firstMismatch(), rig.verifyAgainstModel(), equalTo(0L));
            assertThat(
                    "keys moved during the workloads: " + herd + " / " + mem,
                    rig.stats().migrations(),
                    greaterThan(0L));
            assertThat(String.valueOf(rig.firstError()), rig.errors(), equalTo(0L));
        }
        try (Rig rig = Rig.open(HARDENED, fakeClock(), DeviceModel.nvme(), Duration.ofMinutes(1), true)) {
            Oscillation.Config c =
                    new Oscillation.Config(2, 300, 100, 2, 10, 1200, 0.5, DeviceModel.nvme(), Duration.ofMinutes(1), 5);
            Oscillation.run(rig, c);
            assertThat(rig.firstMismatch(), rig.verifyAgainstModel(), equalTo(0L));
        }
    }
}
