package dev.storagelab.hybrid.cost;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;

import dev.storagelab.hybrid.Placement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-07 T1, the cost model: {@link CostModel#btreeCost}, {@link CostModel#lsmCost} and
 * {@link CostModel#heldMicros}. Each placement test names the access pattern and the profile, and
 * the reason the cheaper engine is cheaper, so a failure says which term of a formula is off.
 */
class CostModelTest {

    private static final int MiB = 1 << 20;
    private final CostModel nvme = CostModel.defaults();
    private final CostModel hdd = CostModel.defaults().withProfile(HardwareProfile.hdd());

    private static AccessStats stats(double reads, double writes, int valueBytes, double sequential) {
        return new AccessStats(reads, writes, 0, valueBytes, sequential);
    }

    @Test
    void aHotReadAndUpdateKeyGoesToTheBTree() {
        AccessStats hot = AccessStats.of(1_000, 1_000, 100);
        assertThat(
                "1000 reads and 1000 updates of a 100-byte value, NVMe: a cached page beats an LSM lookup",
                nvme.cheapest(hot),
                equalTo(Placement.HOT));
        assertThat(
                "the same on a disk: the LSM's block-cache misses are seeks",
                hdd.cheapest(hot),
                equalTo(Placement.HOT));
    }

    @Test
    void aWriteOnceKeyGoesToTheLsm() {
        AccessStats writeOnce = AccessStats.of(0, 1, 100);
        assertThat(
                "written once, never read: a place in the buffer pool is money for nothing",
                nvme.cheapest(writeOnce),
                equalTo(Placement.COLD));
        assertThat("the same on a disk", hdd.cheapest(writeOnce), equalTo(Placement.COLD));
        assertThat(
                "a key nobody touches stays COLD", nvme.cheapest(AccessStats.of(0, 0, 100)), equalTo(Placement.COLD));
    }

    @Test
    void largeValuesMoveAModeratelyUsedKeyToTheLsm() {
        assertThat(
                "10 reads and 10 writes of 100 bytes: the B+tree's cached page is cheap to hold",
                nvme.cheapest(AccessStats.of(10, 10, 100)),
                equalTo(Placement.HOT));
        assertThat(
                "10 reads and 10 writes of 1 MiB: holding a MiB in the buffer pool costs more than the reads it saves",
                nvme.cheapest(AccessStats.of(10, 10, MiB)),
                equalTo(Placement.COLD));
    }

    @Test
    void largeValuesWrittenOftenGoToTheBTreeBecauseOfWriteAmplification() {
        Cost hot = nvme.cost(Placement.HOT, AccessStats.of(0, 100, MiB));
        Cost cold = nvme.cost(Placement.COLD, AccessStats.of(0, 100, MiB));
        assertThat(
                "rewriting a MiB at every level of the LSM costs more than writing its pages in place",
                cold.write(),
                greaterThan(10 * hot.write()));
        assertThat(
                "100 writes of a 1 MiB value: the LSM's write amplification outweighs the pool's RAM",
                nvme.cheapest(AccessStats.of(0, 100, MiB)),
                equalTo(Placement.HOT));
    }

    @Test
    void sequentialWritesFlipAWriteHeavyKeyToTheBTree() {
        AccessStats random = stats(50, 1_000, 100, 0);
        AccessStats appends = stats(50, 1_000, 100, 1);
        assertThat(
                "random updates: each miss reads and writes back a page, the LSM writes sequentially",
                nvme.cheapest(random),
                equalTo(Placement.COLD));
        assertThat(
                "appends: the rightmost leaf is written once, full; the LSM's advantage is gone, its reads remain",
                nvme.cheapest(appends),
                equalTo(Placement.HOT));
        assertThat("the same flip on a disk", hdd.cheapest(random), equalTo(Placement.COLD));
        assertThat("the same flip on a disk", hdd.cheapest(appends), equalTo(Placement.HOT));
    }

    @Test
    void aDiskFlipsAWriteHeavyKeyToTheLsm() {
        AccessStats stats = AccessStats.of(150, 1_000, 100);
        assertThat("NVMe: a random page write-back costs 20 us", nvme.cheapest(stats), equalTo(Placement.HOT));
        assertThat(
                "HDD: every page write-back is an 8 ms seek, the LSM's writes are sequential",
                hdd.cheapest(stats),
                equalTo(Placement.COLD));
    }

    @Test
    void readAndWritePartsGrowLinearlyWithTheCountsAndMemoryDoesNot() {
        for (Placement p : Placement.values()) {
            Cost one = nvme.cost(p, AccessStats.of(10, 20, 100));
            Cost two = nvme.cost(p, AccessStats.of(20, 40, 100));
            assertThat(
                    p + ": twice the reads, twice the read cost",
                    two.read(),
                    closeTo(2 * one.read(), 1e-6 * one.read()));
            assertThat(
                    p + ": twice the writes, twice the write cost",
                    two.write(),
                    closeTo(2 * one.write(), 1e-6 * one.write()));
            assertThat(p + ": the bytes held do not depend on the accesses", two.memory(), closeTo(one.memory(), 1e-9));
            assertThat(p + ": every part costs something", one.read() * one.write() * one.memory(), greaterThan(0.0));
            assertThat(
                    p + ": total() is the router's number",
                    nvme.total(p, AccessStats.of(10, 20, 100)),
                    closeTo(one.total(), 1e-9));
        }
    }

    @Test
    void memoryIsPaidForTheWindow() {
        CostModel twoHours = nvme.withWindow(Duration.ofHours(2));
        for (Placement p : Placement.values()) {
            AccessStats s = AccessStats.of(5, 5, 4096);
            assertThat(
                    p + ": holding bytes twice as long costs twice as much",
                    twoHours.cost(p, s).memory(),
                    closeTo(2 * nvme.cost(p, s).memory(), 1e-9 * nvme.cost(p, s).memory()));
            assertThat(
                    p + ": the window does not change what an access costs",
                    twoHours.cost(p, s).read(),
                    closeTo(nvme.cost(p, s).read(), 1e-9));
        }
        assertThat(
                "a HOT key holds its buffer-pool share and a routing entry, a COLD key a few Bloom bits",
                nvme.cost(Placement.HOT, AccessStats.of(0, 0, 100)).memory(),
                greaterThan(10
                        * nvme.cost(Placement.COLD, AccessStats.of(0, 0, 100)).memory()));
    }

    @Test
    void heldBytesArePricedAtTheProfilesRates() {
        // 10^9 bytes of RAM for 730 hours at $3.50 per GB-month is $3.50; at $0.10 per machine-hour
        // that is 35 hours of the machine: 35 * 3600 * 10^6 microseconds
        CostModel month = new CostModel(HardwareProfile.nvme(), EngineShape.defaults(), Duration.ofHours(730));
        assertThat(month.heldMicros(1e9, 0, 0), closeTo(35 * 3_600e6, 1));
        assertThat(
                "disk at $0.10 per GB-month: 1 hour of the machine",
                month.heldMicros(0, 1e9, 0.10),
                closeTo(3_600e6, 1));
        assertThat("an hour's window is 1/730 of that", nvme.heldMicros(1e9, 0, 0), closeTo(35 * 3_600e6 / 730, 1));
    }

    @Test
    void aReadCostsTheEnginesCpuAndTheMissesIo() {
        CostModel perfectCache =
                nvme.withShape(EngineShape.defaults().withBufferPoolHitRatio(1).withBlockCacheHitRatio(1));
        AccessStats oneRead = AccessStats.of(1, 0, 100);
        assertThat(
                "every page cached: a B+tree read costs the measured get",
                perfectCache.cost(Placement.HOT, oneRead).read(),
                closeTo(HardwareProfile.nvme().btreeGetMicros(), 1e-9));
        assertThat(
                "every block cached: an LSM read costs the measured get",
                perfectCache.cost(Placement.COLD, oneRead).read(),
                closeTo(HardwareProfile.nvme().lsmGetMicros(), 1e-9));
        CostModel noCache = nvme.withShape(EngineShape.defaults().withBufferPoolHitRatio(0));
        assertThat(
                "no pool: the get and one random 4 KiB page read",
                noCache.cost(Placement.HOT, oneRead).read(),
                closeTo(
                        HardwareProfile.nvme().btreeGetMicros()
                                + HardwareProfile.nvme().randomReadMicros(),
                        1e-9));
    }

    @Test
    void moreLevelsMeanMoreLsmWriteAmplificationAndBloomBitsCheapenReads() {
        AccessStats writes = AccessStats.of(0, 100, 100);
        CostModel deep = nvme.withShape(EngineShape.defaults().withLsm(6, 10, 10));
        assertThat(
                "6 levels rewrite each entry more often than 4",
                deep.cost(Placement.COLD, writes).write(),
                greaterThan(nvme.cost(Placement.COLD, writes).write()));
        AccessStats reads = AccessStats.of(100, 0, 100);
        CostModel noBloom = nvme.withShape(EngineShape.defaults().withLsm(4, 10, 0));
        assertThat(
                "without Bloom filters a get reads a block at every level",
                noBloom.cost(Placement.COLD, reads).read(),
                greaterThan(1.5 * nvme.cost(Placement.COLD, reads).read()));
        assertThat(
                "the B+tree has no levels of runs: its cost is unchanged",
                deep.cost(Placement.HOT, writes).total(),
                closeTo(nvme.cost(Placement.HOT, writes).total(), 1e-9));
    }

    @Test
    void scansCostLessPerEntryThanGets() {
        for (CostModel m : new CostModel[] {nvme, hdd}) {
            for (Placement p : Placement.values()) {
                double scanned = m.cost(p, new AccessStats(0, 0, 100, 100, 0)).read();
                double got = m.cost(p, AccessStats.of(100, 0, 100)).read();
                assertThat(
                        p + " on " + m.profile().name() + ": a scan shares each page or block among its entries",
                        scanned,
                        lessThan(got));
                assertThat(scanned, greaterThan(0.0));
            }
        }
    }
}
