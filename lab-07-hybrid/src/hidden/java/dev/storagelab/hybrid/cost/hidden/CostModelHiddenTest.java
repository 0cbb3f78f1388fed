package dev.storagelab.hybrid.cost.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.storagelab.hybrid.Placement;
import dev.storagelab.hybrid.cost.AccessStats;
import dev.storagelab.hybrid.cost.Cost;
import dev.storagelab.hybrid.cost.CostModel;
import dev.storagelab.hybrid.cost.EngineShape;
import dev.storagelab.hybrid.cost.HardwareProfile;
import dev.storagelab.lab.Graded;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of the cost model (lab-07 T1): every term of the B+tree's and the LSM's cost
 * recomputed from the Javadoc's formulas on profiles and shapes the public tests do not use, the
 * money conversion, and the crossovers: a placement that flips once, and only once, as the reads,
 * the value size, the share of appends grow, and sensitivity in the right direction to the caches
 * and the Bloom filter.
 */
@Tag("hidden")
class CostModelHiddenTest {

    /** An odd machine, so that no term coincides with another: all figures distinct. */
    private static final HardwareProfile ODD =
            new HardwareProfile("odd", 137, 310, 53, 270, 900, 3.5, 7.25, 11.5, 2.75, 5.0, 0.3, 0.01, 4.0, 0.40);

    private static final EngineShape SHAPE = new EngineShape(8192, 150, 0.75, 0.8, 5, 8, 7, 2048, 0.3, 24, 80);
    private static final CostModel MODEL = new CostModel(ODD, SHAPE, Duration.ofMinutes(90));
    private static final List<CostModel> PRESETS = List.of(
            CostModel.defaults(),
            CostModel.defaults().withProfile(HardwareProfile.ssd()),
            CostModel.defaults().withProfile(HardwareProfile.hdd()));

    private static double randRead(double bytes) {
        return ODD.randomReadMicros() + Math.max(0, bytes - 4096) / ODD.seqReadMBps();
    }

    private static double randWrite(double bytes) {
        return ODD.randomWriteMicros() + Math.max(0, bytes - 4096) / ODD.seqWriteMBps();
    }

    private static double held(double ram, double disk) {
        double months = 1.5 / 730;
        return (ram * ODD.ramPerGBMonth() + disk * ODD.storagePerGBMonth())
                / 1e9
                * months
                / ODD.machinePerHour()
                * 3_600e6;
    }

    private static void near(String what, double actual, double expected) {
        assertThat(what, actual, closeTo(expected, 1e-9 * Math.max(1, Math.abs(expected))));
    }

    @Test
    @Graded(
            task = "T1",
            points = 3,
            concept = "the B+tree's read cost is not r * (get + (1-h) * randRead(the entry's pages)) plus, per "
                    + "scanned entry, (1-h) * (randomRead * e / (P f) + seqRead(e / f))")
    void btreeReadTermsFollowTheSpec() {
        for (int v : new int[] {0, 100, 5_000, 100_000}) {
            double e = 24 + v + 8;
            double pages = Math.max(1, Math.ceil(e / 8192)) * 8192;
            Cost c = MODEL.btreeCost(new AccessStats(17, 0, 0, v, 0));
            near("17 gets of " + v + "-byte values", c.read(), 17 * (3.5 + 0.2 * randRead(pages)));
            Cost s = MODEL.btreeCost(new AccessStats(0, 0, 40, v, 0));
            near(
                    "40 scanned entries of " + v + " bytes",
                    s.read(),
                    40 * 0.2 * (137 * e / (8192 * 0.75) + e / 0.75 / 310));
            assertThat("no writes, no write cost", c.write(), equalTo(0.0));
        }
    }

    @Test
    @Graded(
            task = "T1",
            points = 3,
            concept = "the B+tree's write cost does not charge a random update (1-h) * (randRead + randWrite) of "
                    + "its pages and an append seqWrite(e / f), mixed by the sequential fraction")
    void btreeWriteTermsFollowTheSpec() {
        for (double q : new double[] {0, 0.25, 1}) {
            for (int v : new int[] {100, 20_000}) {
                double e = 24 + v + 8;
                double pages = Math.max(1, Math.ceil(e / 8192)) * 8192;
                Cost c = MODEL.btreeCost(new AccessStats(0, 9, 0, v, q));
                near(
                        "9 writes, q = " + q + ", " + v + " bytes",
                        c.write(),
                        9 * (7.25 + (1 - q) * 0.2 * (randRead(pages) + randWrite(pages)) + q * e / 0.75 / 270));
                assertThat(c.read(), equalTo(0.0));
            }
        }
    }

    @Test
    @Graded(
            task = "T1",
            points = 3,
            concept = "the LSM's read cost does not charge a block-cache miss randRead(max(B, e)) plus one block "
                    + "per other level the Bloom filter lets through ((L-1) * 0.6185^bits), or a scan's L seeks per block and its bytes "
                    + "times the space amplification")
    void lsmReadTermsFollowTheSpec() {
        double fpr = Math.pow(0.6185, 7);
        for (int v : new int[] {0, 100, 5_000, 100_000}) {
            double e = 24 + v + 8;
            Cost c = MODEL.lsmCost(new AccessStats(13, 0, 0, v, 0));
            near(
                    "13 gets of " + v + " bytes",
                    c.read(),
                    13 * (11.5 + 0.7 * (randRead(Math.max(2048, e)) + 4 * fpr * randRead(2048))));
            Cost s = MODEL.lsmCost(new AccessStats(0, 0, 30, v, 0));
            near(
                    "30 scanned entries of " + v + " bytes",
                    s.read(),
                    30 * 0.7 * (5 * 137 * e / 2048 + e * (1 + 1.0 / 8) / 310));
        }
    }

    @Test
    @Graded(
            task = "T1",
            points = 3,
            concept =
                    "the LSM's write cost does not write each entry WA = 1 + (L-1)(ratio+1)/2 times "
                            + "sequentially and read it back WA - 1 times, with appends (sequential fraction) moving down at WA 1")
    void lsmWriteTermsFollowTheSpec() {
        double wa = 1 + 4 * 9 / 2.0;
        for (double q : new double[] {0, 0.5, 1}) {
            for (int v : new int[] {100, 1 << 20}) {
                double e = 24 + v + 8;
                double waq = q + (1 - q) * wa;
                Cost c = MODEL.lsmCost(new AccessStats(0, 21, 0, v, q));
                near(
                        "21 writes, q = " + q + ", " + v + " bytes",
                        c.write(),
                        21 * (2.75 + e * waq / 270 + e * (waq - 1) / 310));
            }
        }
    }

    @Test
    @Graded(
            task = "T1",
            points = 2,
            concept =
                    "the bytes a placement holds are not priced as the spec says: HOT holds h * e / f * "
                            + "(1 + 1/fanout) + a routing entry in RAM and e / f on disk, COLD its Bloom bits and an index share in RAM and "
                            + "e times the space amplification on disk, converted at the machine's price per hour for the window")
    void heldBytesFollowTheSpec() {
        near("a GB of RAM and a GB of disk for 90 minutes", MODEL.heldMicros(1e9, 1e9, 0.3), held(1e9, 1e9));
        for (int v : new int[] {100, 3_000, 1 << 20}) {
            double e = 24 + v + 8;
            near(
                    "HOT memory, " + v + " bytes",
                    MODEL.btreeCost(AccessStats.of(0, 0, v)).memory(),
                    held(0.8 * e / 0.75 * (1 + 1.0 / 150) + 80, e / 0.75));
            near(
                    "COLD memory, " + v + " bytes",
                    MODEL.lsmCost(AccessStats.of(0, 0, v)).memory(),
                    held(7 / 8.0 + 40 * Math.min(1, e / 2048), e * (1 + 1.0 / 8)));
        }
    }

    @Test
    @Graded(
            task = "T1",
            points = 2,
            concept = "as a key's reads grow, its placement does not flip from COLD to HOT exactly once "
                    + "(a read-mostly key belongs in the B+tree, an untouched one in the LSM)")
    void readsFlipAKeyToTheBTreeOnce() {
        for (CostModel m : PRESETS) {
            int flips = 0;
            Placement last = m.cheapest(AccessStats.of(0, 1, 100));
            assertThat(m.profile().name() + ": written once, never read", last, equalTo(Placement.COLD));
            for (int r = 1; r <= 5_000; r += 7) {
                Placement p = m.cheapest(AccessStats.of(r, 1, 100));
                if (p != last) {
                    flips++;
                    last = p;
                }
            }
            assertThat(m.profile().name() + ": read 5000 times", last, equalTo(Placement.HOT));
            assertThat(m.profile().name() + ": one crossover", flips, equalTo(1));
        }
    }

    @Test
    @Graded(
            task = "T1",
            points = 2,
            concept =
                    "as the value of a key read 10 times a window grows from 64 bytes to 1 MiB, its placement "
                            + "does not flip from HOT to COLD exactly once (holding large values in the buffer pool costs more than it saves)")
    void valueSizeFlipsAKeyToTheLsmOnce() {
        for (CostModel m : PRESETS) {
            Placement last = m.cheapest(AccessStats.of(10, 0, 64));
            assertThat(m.profile().name() + ": 64-byte values", last, equalTo(Placement.HOT));
            int flips = 0;
            for (int v = 64; v <= 1 << 20; v *= 2) {
                Placement p = m.cheapest(AccessStats.of(10, 0, v));
                if (p != last) {
                    flips++;
                    last = p;
                }
            }
            assertThat(m.profile().name() + ": 1 MiB values", last, equalTo(Placement.COLD));
            assertThat(m.profile().name() + ": one crossover", flips, equalTo(1));
        }
    }

    @Test
    @Graded(
            task = "T1",
            points = 2,
            concept =
                    "costs do not move the right way: more appends must not make writes dearer, a better "
                            + "buffer pool or block cache must not make reads dearer, more Bloom bits must not make LSM reads dearer")
    void costsMoveTheRightWay() {
        AccessStats base = new AccessStats(40, 60, 20, 300, 0);
        double hotWrite = Double.MAX_VALUE;
        double coldWrite = Double.MAX_VALUE;
        for (double q = 0; q <= 1.0001; q += 0.1) {
            AccessStats s = new AccessStats(40, 60, 20, 300, Math.min(1, q));
            assertThat("B+tree writes at q = " + q, MODEL.btreeCost(s).write(), lessThanOrEqualTo(hotWrite));
            assertThat("LSM writes at q = " + q, MODEL.lsmCost(s).write(), lessThanOrEqualTo(coldWrite));
            hotWrite = MODEL.btreeCost(s).write();
            coldWrite = MODEL.lsmCost(s).write();
        }
        double hot = Double.MAX_VALUE;
        double cold = Double.MAX_VALUE;
        for (double h = 0; h <= 1.0001; h += 0.1) {
            double hh = Math.min(1, h);
            CostModel m = MODEL.withShape(SHAPE.withBufferPoolHitRatio(hh).withBlockCacheHitRatio(hh));
            assertThat("B+tree reads at hit ratio " + hh, m.btreeCost(base).read(), lessThanOrEqualTo(hot));
            assertThat("LSM reads at hit ratio " + hh, m.lsmCost(base).read(), lessThanOrEqualTo(cold));
            hot = m.btreeCost(base).read();
            cold = m.lsmCost(base).read();
        }
        double bloom = Double.MAX_VALUE;
        for (int bits = 0; bits <= 20; bits++) {
            double read = MODEL.withShape(SHAPE.withLsm(5, 8, bits))
                    .lsmCost(AccessStats.of(40, 0, 300))
                    .read();
            assertThat("LSM reads at " + bits + " bits per key", read, lessThanOrEqualTo(bloom));
            bloom = read;
        }
    }
}
